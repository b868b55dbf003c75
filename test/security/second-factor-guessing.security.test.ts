import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';
import { enrolSecondFactor, loginCodeIn, PENDING_COOKIE, REMEMBER_COOKIE, totpCode } from '../support/second-step.ts';

const PASSWORD = 'correct horse battery';

/** A wrong 6-digit code for this secret now (never the right one by chance). */
function wrongCode(secret: string, atMs: number): string {
  const right = new Set([-1, 0, 1].map((step) => totpCode(secret, atMs + step * 30_000)));
  let code = 100_000;
  while (right.has(String(code))) code++;
  return String(code);
}

describe('guessing the second factor (S4, S27)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  let n = 0;

  before(async () => {
    service = await startTestService({ RATE_LIMIT_LOGIN_IP: '1000/900', RATE_LIMIT_SECOND_FACTOR_ACCOUNT: '8/900' }, { clock });
  });
  after(() => service.close());

  async function enrolledUser() {
    const email = `guess${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    const enrolled = await enrolSecondFactor(service, email);
    clock.advanceSeconds(30);
    return { email, ...enrolled };
  }

  async function pendingLogin(email: string) {
    const client = apiClient(service);
    const response = await client.postJson('/api/login', { email, password: PASSWORD });
    assert.equal(response.json().secondFactorRequired, true);
    return client;
  }

  const failuresOf = async (userId: string) =>
    (await service.deps.store.db.selectFrom('pending_logins').select('failures').where('user_id', '=', userId).execute()).map((r) =>
      Number(r.failures),
    );
  const failedEvents = async (userId: string) =>
    (await service.deps.store.audit.listForUser(userId)).filter((e) => e.type === 'login.second_factor_failed').length;

  for (const method of ['totp', 'recovery_code'] as const) {
    it(`20 parallel wrong ${method} codes: exactly 5 are compared, then even the right code is refused`, async () => {
      const { email, userId, secret, recoveryCodes } = await enrolledUser();
      const client = await pendingLogin(email);
      const guess = method === 'totp' ? wrongCode(secret, clock.nowMs()) : 'aaaa-bbbb-cccc';
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => client.postJson('/api/login/second-factor', { method, code: guess })),
      );
      assert.ok(
        answers.every((a) => a.status === 400),
        answers.map((a) => a.status).join(),
      );
      const codes = answers.map((a) => a.json().error.code as string);
      assert.ok(codes.every((c) => c === 'CODE_INVALID' || c === 'SECOND_FACTOR_EXPIRED'));
      assert.ok(codes.filter((c) => c === 'CODE_INVALID').length <= 5);
      assert.deepEqual(await failuresOf(userId), [5], 'exactly 5 attempts counted');
      assert.equal(await failedEvents(userId), 5, 'exactly 5 codes compared');

      const right = method === 'totp' ? totpCode(secret, clock.nowMs()) : (recoveryCodes[0] as string);
      const late = await client.postJson('/api/login/second-factor', { method, code: right });
      assert.equal(late.status, 400);
      assert.equal(late.json().error.code, 'SECOND_FACTOR_EXPIRED');
      assert.equal((await client.get('/api/session')).status, 401);
      if (method === 'recovery_code') assert.equal(await service.deps.mfa.recoveryCodes.remaining(service.deps.store, userId), 10);
    });
  }

  it('guesses spread over many pending sign-ins stop at the per-account limit, right code included', async () => {
    const { email, userId, secret } = await enrolledUser();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await pendingLogin(email);
      for (let j = 0; j < 4; j++) {
        statuses.push(
          (await client.postJson('/api/login/second-factor', { method: 'totp', code: wrongCode(secret, clock.nowMs()) })).status,
        );
      }
    }
    assert.deepEqual(statuses, [...Array(8).fill(400), ...Array(4).fill(429)]);
    assert.equal(await failedEvents(userId), 8);
    const fresh = await pendingLogin(email);
    clock.advanceSeconds(30);
    const right = await fresh.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(right.status, 429, 'the right code waits for the account limit too: it is counted before comparing');
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    assert.deepEqual(
      (await failuresOf(userId)).sort(),
      [0, 0, 4, 4],
      'attempts refused by the account limit are not counted on their pending sign-in (the third and the fresh one)',
    );
  });

  it('a mailed code cannot be guessed: a wrong one is refused and the pending sign-in bound holds', async () => {
    const { email, userId } = await enrolledUser();
    const client = await pendingLogin(email);
    assert.equal((await client.postJson('/api/login/second-factor/send', { method: 'email_code' })).status, 200);
    const code = loginCodeIn((await service.smtp.waitForMail(email, { subject: /sign-in code/ })).parsed.text);
    const wrong = code === '000000' ? '000001' : '000000';
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => client.postJson('/api/login/second-factor', { method: 'email_code', code: wrong })),
    );
    assert.ok(answers.every((a) => a.status === 400));
    assert.deepEqual(await failuresOf(userId), [5]);
    const late = await client.postJson('/api/login/second-factor', { method: 'email_code', code });
    assert.equal(late.json().error.code, 'SECOND_FACTOR_EXPIRED');
  });
});

describe('pending and remembered cookies and codes are never in logs or in the database (S2, S23)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  const lines: string[] = [];

  before(async () => {
    service = await startTestService(
      {},
      { clock },
      { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) },
    );
  });
  after(() => service.close());

  it('runs the second step with trace logging, then searches the logs and every table', async () => {
    const email = 'secrets@example.com';
    await registerUser(service, email, PASSWORD);
    const { secret, recoveryCodes } = await enrolSecondFactor(service, email);
    const secrets: Array<[string, string]> = [['TOTP secret', secret]];

    const mailed = apiClient(service);
    await mailed.postJson('/api/login', { email, password: PASSWORD });
    secrets.push(['pending cookie', mailed.cookies.get(PENDING_COOKIE) as string]);
    assert.equal((await mailed.postJson('/api/login/second-factor/send', { method: 'email_code' })).status, 200);
    const code = loginCodeIn((await service.smtp.waitForMail(email, { subject: /sign-in code/ })).parsed.text);
    secrets.push(['mailed code', code]);
    const done = await mailed.postJson('/api/login/second-factor', { method: 'email_code', code, rememberDevice: true });
    assert.equal(done.status, 200, done.text);
    secrets.push(['remembered-device cookie', mailed.cookies.get(REMEMBER_COOKIE) as string]);
    secrets.push(['session cookie', mailed.cookies.get('lk_session') as string]);

    const recovery = apiClient(service);
    await recovery.postJson('/api/login', { email, password: PASSWORD });
    secrets.push(['second pending cookie', recovery.cookies.get(PENDING_COOKIE) as string]);
    const used = await recovery.postJson('/api/login/second-factor', { method: 'recovery_code', code: recoveryCodes[0] });
    assert.equal(used.status, 200);
    for (const c of recoveryCodes) secrets.push(['recovery code', c], ['recovery code', c.replaceAll('-', '')]);

    const totp = apiClient(service);
    await totp.postJson('/api/login', { email, password: PASSWORD });
    clock.advanceSeconds(30);
    const totpNow = totpCode(secret, clock.nowMs());
    secrets.push(['TOTP code', totpNow]);
    assert.equal((await totp.postJson('/api/login/second-factor', { method: 'totp', code: totpNow })).status, 200);
    await service.smtp.waitForMail(email, { subject: /recovery code was used/ });

    const db = service.deps.store.db;
    const tables = [
      'users',
      'tokens',
      'sessions',
      'pending_logins',
      'remembered_devices',
      'mfa_totp',
      'recovery_codes',
      'audit_events',
      'outbox',
    ] as const;
    const dump: string[] = [];
    for (const table of tables) dump.push(JSON.stringify(await db.selectFrom(table).selectAll().execute()));
    assert.ok(dump.join('').includes(email), 'sanity check: the dump holds the account');
    assert.ok(lines.length > 20 && lines.join('').includes('/api/login/second-factor'), 'sanity check: requests were logged');

    // A code is matched as a whole word, so that digits inside timestamps or digests do not count.
    const found = (haystack: string, needle: string) =>
      new RegExp(`(?<![A-Za-z0-9_-])${needle.replace(/[-]/g, '\\-')}(?![A-Za-z0-9_-])`).test(haystack) ||
      (needle.length > 12 && haystack.includes(needle));
    for (const [name, value] of secrets) {
      assert.ok(value && value.length >= 6, `${name} was captured`);
      assert.ok(!found(lines.join('\n'), value), `${name} is in the logs`);
      for (const [i, rows] of dump.entries()) assert.ok(!found(rows, value), `${name} is in table ${tables[i]}`);
    }
  });
});
