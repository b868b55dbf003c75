import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startTestService } from '../support/app.ts';
import { CliSandbox, migrationList } from '../support/cli.ts';
import { apiClient, eventually, requestResetToken, tokenOf } from '../support/flows.ts';
import { resetLinkIn } from '../support/smtp.ts';

describe('latchkey CLI', () => {
  const sandbox = new CliSandbox();
  let graceSession = '';
  let outstandingToken = '';
  after(() => sandbox.remove());

  it('migrate --status lists applied and pending migrations, migrate applies them, then nothing is pending', async () => {
    const names = migrationList().split(', ');
    const before = await sandbox.run(['migrate', '--status']);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(
      before.stdout,
      `${names.map((n) => `pending  ${n}\n`).join('')}0 applied, ${names.length} pending: run \`latchkey migrate\` to apply them\n`,
    );
    const applied = await sandbox.run(['migrate']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout, `applied: ${migrationList()}\n`);
    const after = await sandbox.run(['migrate', '--status']);
    assert.equal(after.code, 0, after.stderr);
    const lines = after.stdout.trimEnd().split('\n');
    assert.equal(lines.length, names.length + 1);
    for (const [i, name] of names.entries()) {
      assert.match(lines[i] ?? '', new RegExp(`^applied  ${name} +\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`), name);
    }
    assert.equal(lines.at(-1), `schema is up to date: ${names.length} applied, none pending`);
  });

  it('users create makes a password-less account and queues an invitation; a duplicate is refused', async () => {
    const created = await sandbox.run(['users', 'create', ' Grace@Example.com ', '--name', 'Grace Hopper']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created Grace@Example\.com \([0-9a-f-]{36}\); a link to set the password is queued for delivery\n$/);
    const [duplicate, invalid, other] = await Promise.all([
      sandbox.run(['users', 'create', 'grace@example.com']),
      sandbox.run(['users', 'create', 'a@x.com,b@y.com']),
      sandbox.run(['users', 'create', 'alan@example.com']),
    ]);
    assert.equal(other.code, 0, other.stderr);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /an account already uses grace@example\.com/);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /is not a valid email address/);
  });

  it('users list shows a header and every account with its state, oldest first, pages, and prints JSON', async () => {
    const [list, second, empty, bad, json] = await Promise.all([
      sandbox.run(['users', 'list']),
      sandbox.run(['users', 'list', '--limit', '1', '--offset', '1']),
      sandbox.run(['users', 'list', '--offset', '5']),
      sandbox.run(['users', 'list', '--limit', '0']),
      sandbox.run(['users', 'list', '--json']),
    ]);
    assert.equal(list.code, 0, list.stderr);
    const [header, ...rows] = list.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
    assert.deepEqual(header, ['id', 'email', 'state', 'created', 'name']);
    assert.deepEqual(
      rows.map((r) => [r[1], r[2], r[4]]),
      [
        ['Grace@Example.com', 'no-password', 'Grace Hopper'],
        ['alan@example.com', 'no-password', ''],
      ],
    );
    assert.match(rows[0]?.[3] ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(second.stdout.split('\n')[1]?.split('\t')[1], 'alan@example.com');
    assert.equal(empty.stdout, 'no accounts\n');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--limit must be a whole number/);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      parsed.map((u) => [u.email, u.state, u.name, u.emailConfirmedAt]),
      [
        ['Grace@Example.com', 'no-password', 'Grace Hopper', null],
        ['alan@example.com', 'no-password', null, null],
      ],
    );
    assert.equal(parsed[0]?.id, rows[0]?.[0]);
    assert.match(String(parsed[0]?.createdAt), /^\d{4}-\d\d-\d\dT/);
    assert.equal((await sandbox.run(['users', 'list', '--json', '--offset', '5'])).stdout, '[]\n');
  });

  it('the invitation is delivered by the service and sets the first password', async () => {
    const service = await startTestService({ DATABASE_URL: `sqlite:${sandbox.databaseFile}` });
    try {
      const mail = await service.smtp.waitForMail('Grace@example.com', { subject: /Your new account on Latchkey/ });
      assert.match(mail.parsed.text ?? '', /An administrator created an account for you/);
      assert.match(mail.parsed.text ?? '', /The link works once, for 7 days\./, 'INVITE_TTL, not the reset lifetime');
      assert.doesNotMatch(mail.parsed.text ?? '', /stays as it is/);
      const token = tokenOf(resetLinkIn(mail));
      const api = apiClient(service);
      assert.equal((await api.postJson('/api/password/reset', { token, password: 'first chosen passphrase' })).status, 200);
      assert.equal((await api.postJson('/api/login', { email: 'grace@example.com', password: 'first chosen passphrase' })).status, 200);
      graceSession = api.cookies.get('lk_session') as string;
      outstandingToken = await requestResetToken(service, 'grace@example.com', 'Grace@example.com');
    } finally {
      await service.close();
    }
    const list = await sandbox.run(['users', 'list']);
    assert.match(list.stdout, /Grace@Example\.com\tactive/);
  });

  it('users disable ends the account: listed as disabled, no login, sessions and links dead, no reset mail', async () => {
    const [disabled, missing] = await Promise.all([
      sandbox.run(['users', 'disable', 'GRACE@example.com']),
      sandbox.run(['users', 'disable', 'nobody@example.com']),
    ]);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal(disabled.stdout, 'disabled Grace@Example.com\n');
    assert.match((await sandbox.run(['users', 'list'])).stdout, /Grace@Example\.com\tdisabled/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no account uses nobody@example\.com/);

    const service = await startTestService({ DATABASE_URL: `sqlite:${sandbox.databaseFile}` });
    try {
      const api = apiClient(service);
      assert.equal((await api.postJson('/api/login', { email: 'grace@example.com', password: 'first chosen passphrase' })).status, 401);
      assert.equal((await api.get('/api/session', { cookie: `lk_session=${graceSession}` })).status, 401, 'her sessions ended');
      const reset = await api.postJson('/api/password/reset', { token: outstandingToken, password: 'a takeover passphrase' });
      assert.equal(reset.json().error.code, 'TOKEN_REVOKED', 'her outstanding links died');
      assert.equal((await api.postJson('/api/password/forgot', { email: 'grace@example.com' })).status, 202);
      await eventually(async () => {
        const counts = await service.deps.store.outbox.countByStatus();
        return (counts.pending ?? 0) + (counts.sending ?? 0) === 0 ? true : undefined;
      }, 'the courier to go idle');
      assert.equal(service.smtp.mails.length, 0, 'a disabled account gets no reset mail');
    } finally {
      await service.close();
    }
  });
});
