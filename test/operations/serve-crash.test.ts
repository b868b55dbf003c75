import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Outbox } from '../../src/courier/outbox.ts';
import type { MailMessage } from '../../src/courier/templates/types.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { newId } from '../../src/kernel/random.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { TestClient } from '../support/client.ts';
import { insertUser, testKeyring } from '../support/database.ts';
import { eventually, requestResetToken } from '../support/flows.ts';
import { freePort } from '../support/free-port.ts';
import { RestartableSmtpPeer } from '../support/restartable-smtp.ts';

const RESETS = 60;
const REGISTRATIONS = 60;
const NEW_PASSWORD = 'crash course horse battery';
/** The courier's lease on a claimed message (CourierWorker's default: no setting changes it). */
const LEASE_MS = 60_000;
const LIMITS = {
  RATE_LIMIT_FORGOT_IP: '100000/3600',
  RATE_LIMIT_FORGOT_EMAIL: '100000/3600',
  RATE_LIMIT_REGISTER_IP: '100000/3600',
  RATE_LIMIT_TOKEN_IP: '100000/3600',
};

const BIN = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));

/** `node bin/latchkey.js serve` on the sandbox's database, as a process of its own. */
function serve(sandbox: CliSandbox, env: Record<string, string>): { child: ChildProcess; output(): string; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: sandbox.dir,
    env: { PATH: process.env.PATH ?? '', HOME: sandbox.dir, ...sandbox.env(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise((resolve) => child.on('close', resolve));
  return { child, output: () => output, exited };
}

class ShiftableClock {
  offsetMs = 0;
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
}

interface Snapshot {
  users: Array<{ id: string; email: string; password_hash: string | null }>;
  tokens: Array<{ user_id: string; used_at: number | null }>;
  mail: Array<{ id: string; status: string; message: MailMessage | undefined }>;
}

/** Reads the database file directly, as it was left: users, reset tokens and the unsealed mail rows. */
async function snapshot(databaseFile: string): Promise<Snapshot> {
  const handle = openDatabase({ dialect: 'sqlite', filename: databaseFile, isDefault: false, poolSize: 1 });
  const outbox = new Outbox(new SecretBox(testKeyring()), systemClock);
  try {
    const users = await handle.db.selectFrom('users').select(['id', 'email', 'password_hash']).execute();
    const tokens = await handle.db.selectFrom('tokens').select(['user_id', 'used_at']).where('purpose', '=', 'password-reset').execute();
    const rows = await handle.db.selectFrom('outbox').select(['id', 'status', 'payload']).where('topic', '=', 'mail').execute();
    const mail = rows.map((r) => ({ id: r.id, status: r.status, message: r.payload ? outbox.open('mail', r.payload) : undefined }));
    return { users, tokens, mail };
  } finally {
    await handle.close();
  }
}

describe('latchkey serve killed with SIGKILL under a load of resets and registrations', () => {
  const sandbox = new CliSandbox();
  const peer = new RestartableSmtpPeer();
  const clock = new ShiftableClock();
  const tokens = new Map<string, string>();
  let served: ReturnType<typeof serve> | undefined;
  let restarted: TestService | undefined;
  before(async () => {
    await peer.start();
    // The accounts and their reset links, made by the service in-process on the sandbox's file.
    const setup = await startTestService({ DATABASE_URL: `sqlite:${sandbox.databaseFile}`, ...LIMITS });
    try {
      for (let i = 0; i < RESETS; i++) {
        const email = `crash-${i}@example.com`;
        await insertUser(setup.deps.store, { id: newId(), email, nowMs: Date.now() });
        tokens.set(email, await requestResetToken(setup, email));
      }
    } finally {
      await setup.close();
    }
  });
  after(async () => {
    served?.child.kill('SIGKILL');
    await restarted?.close();
    await peer.stop();
    sandbox.remove();
  });

  it('leaves no half reset, keeps every redeemed token’s notice queued, and resends leased mail after the lease', async () => {
    const port = await freePort();
    // The peer answers nothing: messages the courier claims stay `sending` when the process dies.
    peer.stalled = true;
    served = serve(sandbox, {
      PORT: String(port),
      HOST: '127.0.0.1',
      SMTP_URL: peer.url,
      COURIER_POLL_MS: '100',
      LOG_LEVEL: 'info',
      ...LIMITS,
    });
    const up = served;
    await eventually(async () => (/Latchkey is running/.test(up.output()) ? true : undefined), 'serve to start', 60_000);
    const client = new TestClient(`http://127.0.0.1:${port}`, { origin: 'http://localhost:3000' });

    const answered = new Map<string, number>();
    const work = [
      ...[...tokens].map(
        ([email, token]) =>
          () =>
            client.postJson('/api/password/reset', { token, password: NEW_PASSWORD }).then((r) => answered.set(email, r.status)),
      ),
      ...Array.from({ length: REGISTRATIONS }, (_, i) => () => {
        const email = `crash-new-${i}@example.com`;
        return client.postJson('/api/register', { email, password: NEW_PASSWORD }).then((r) => answered.set(email, r.status));
      }),
    ].sort(() => Math.random() - 0.5);
    // 16 requests in flight at a time; the process is killed once a third have been answered.
    let next = 0;
    const lanes = Array.from({ length: 16 }, async () => {
      while (next < work.length) await work[next++]?.().catch(() => undefined);
    });
    await eventually(async () => (answered.size >= work.length / 3 ? true : undefined), 'a third of the answers', 60_000);
    served.child.kill('SIGKILL');
    await served.exited;
    await Promise.all(lanes);
    assert.ok(answered.size < work.length, `the kill came in the middle of the load (${answered.size} of ${work.length} answered)`);
    for (const [email, status] of answered) assert.ok(status === 200 || status === 202, `${email} answered ${status}`);

    const left = await snapshot(sandbox.databaseFile);
    const byEmail = new Map(left.users.map((u) => [u.email, u]));
    let redeemed = 0;
    for (const email of tokens.keys()) {
      const user = byEmail.get(email);
      assert.ok(user, email);
      const used = left.tokens.filter((t) => t.user_id === user.id && t.used_at !== null).length;
      const changed = user.password_hash !== null;
      assert.equal(changed, used === 1, `${email}: a new password exactly when its token was used (used ${used})`);
      if (answered.get(email) === 200) assert.ok(changed, `${email}: a reset answered 200 before the kill is kept`);
      const notices = left.mail.filter((m) => m.message?.template === 'password-changed' && m.message.to === email);
      assert.equal(notices.length, used, `${email}: one queued notice per redeemed token`);
      if (used) redeemed++;
    }
    assert.ok(redeemed > 0, 'some resets were done before the kill');
    for (const [email, status] of answered) {
      if (email.startsWith('crash-new-') && status === 202) assert.ok(byEmail.has(email), `${email}: a registration answered 202 is kept`);
    }
    const leased = left.mail.filter((m) => m.status === 'sending').map((m) => m.id);
    assert.ok(leased.length > 0, 'the courier held claimed messages when the process died');
    assert.equal(peer.deliveries.length, 0);

    // Restart on the same database with the peer answering again.
    peer.stalled = false;
    restarted = await startTestService({ DATABASE_URL: `sqlite:${sandbox.databaseFile}`, SMTP_URL: peer.url, ...LIMITS }, { clock });
    // Mail the dead process had not sent: due now (pending, failed) or claimed by it (sending).
    const unsent = left.mail.filter((m) => m.status !== 'sent');
    const queued = unsent.filter((m) => m.status !== 'sending').length;
    await eventually(async () => (peer.deliveries.length >= queued ? true : undefined), `${queued} queued mails delivered`, 30_000);
    const leasedIds = new Set(leased.map((id) => `<${id}@localhost>`));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(
      peer.deliveries.filter((d) => leasedIds.has(d.messageId ?? '')),
      [],
      'a message still under another worker’s lease is not taken',
    );

    // The lease runs out: the restarted courier sends what the dead process had claimed.
    clock.offsetMs += LEASE_MS + 1_000;
    const all = unsent.length;
    await eventually(async () => (peer.deliveries.length >= all ? true : undefined), `all ${all} mails delivered`, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = peer.deliveries.map((d) => d.messageId);
    assert.equal(new Set(ids).size, ids.length, 'no message delivered twice');
    assert.deepEqual(new Set(ids), new Set(unsent.map((m) => `<${m.id}@localhost>`)), 'every queued message delivered');
    const counts = await restarted.deps.store.outbox.countByStatus();
    assert.equal((counts.sending ?? 0) + (counts.pending ?? 0) + (counts.failed ?? 0), 0, JSON.stringify(counts));
  });
});
