import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { rangeKey } from '../../src/crypto/passwords/breached.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser } from '../support/flows.ts';
import { HibpRangeServer, type RangeMode } from '../support/hibp-server.ts';
import { LogCapture } from '../support/log-capture.ts';
import { requestResetCode } from '../support/reset-codes.ts';

const BREACHED = 'tr0ub4dor and three more';
const PASSWORD = 'correct horse battery';

/** Status, every header but Date (cookies included) and body are the same. */
function assertSameAnswer(responses: TestResponse[], what: string): void {
  const [first, ...rest] = responses;
  for (const [i, response] of rest.entries()) {
    assert.equal(response.status, first?.status, `${what} #${i + 1}: status`);
    assert.deepEqual(headersWithoutDate(response), headersWithoutDate(first as TestResponse), `${what} #${i + 1}: headers`);
    assert.equal(response.text, first?.text, `${what} #${i + 1}: body`);
  }
}

describe('the breached-password check tells nothing about accounts and never blocks on a bad answer', () => {
  const range = new HibpRangeServer({ [BREACHED]: 52 });
  const logs = new LogCapture();
  let service: TestService;
  before(async () => {
    service = await startTestService(
      {
        PASSWORD_BREACH_CHECK: 'on',
        HIBP_URL: await range.start(),
        HIBP_TIMEOUT_MS: '500',
        RECOVERY_METHODS: 'link,code',
        RATE_LIMIT_REGISTER_IP: '1000/3600',
        RATE_LIMIT_FORGOT_EMAIL: '100/3600',
        LOG_LEVEL: 'warn',
      },
      {},
      { logDestination: logs },
    );
    await registerUser(service, 'confirmed@example.com', PASSWORD);
    await registerUser(service, 'unconfirmed@example.com', PASSWORD, undefined, { confirm: false });
  });
  after(async () => {
    await service.close();
    await range.stop();
  });

  const addresses = ['confirmed@example.com', 'unconfirmed@example.com', 'nobody@example.com'];

  for (const mode of ['normal', 'slow', 'error-500', 'reset', 'garbage', 'redirect'] as const satisfies readonly RangeMode[]) {
    it(`registration answers a taken and a free address alike, with one range request each (range API: ${mode})`, async () => {
      range.mode = mode;
      range.slowMs = 2000;
      const asked = range.requests.length;
      const responses = await Promise.all(
        addresses.map((email) =>
          apiClient(service).postJson('/api/register', { email: email.replace('@', `+${mode}@`), password: BREACHED }),
        ),
      );
      const taken = await Promise.all(
        addresses.slice(0, 2).map((email) => apiClient(service).postJson('/api/register', { email, password: BREACHED })),
      );
      range.mode = 'normal';
      assertSameAnswer([...responses, ...taken], mode);
      assert.equal(responses[0]?.status, mode === 'normal' ? 400 : 202, `${mode}: ${responses[0]?.text}`);
      if (mode === 'normal') assert.equal(responses[0]?.json().error.code, 'PASSWORD_BREACHED');
      assert.equal(range.requests.length, asked + 5, 'exactly one range request per registration, taken or not');
    });
  }

  it('a bad range answer never counts as breached and never follows a redirect', () => {
    const redirected = range.requests.filter((r) => !/^\/range\/[0-9A-F]{5}$/.test(r.path));
    assert.deepEqual(redirected, [], 'only range paths were asked');
    const reasons = logs.entries.filter((e) => /password breach check skipped/.test(e.msg)).map((e) => e.reason);
    assert.ok(reasons.includes('timed out') && reasons.includes('answered 500') && reasons.includes('unreachable'), String(reasons));
  });

  it('a reset by code refuses a breached password alike for a known and an unknown address, before the code is compared', async () => {
    range.mode = 'normal';
    const code = await requestResetCode(service, 'confirmed@example.com');
    const answers = await Promise.all(
      ['confirmed@example.com', 'nobody@example.com'].map((email) =>
        apiClient(service).postJson('/api/password/reset', { email, code, password: BREACHED }),
      ),
    );
    assertSameAnswer(answers, 'reset by code');
    assert.equal(answers[0]?.json().error.code, 'PASSWORD_BREACHED');
    const used = await apiClient(service).postJson('/api/password/reset', {
      email: 'confirmed@example.com',
      code,
      password: 'a brand new passphrase',
    });
    assert.equal(used.status, 200, 'the code was not spent by the refusal');
  });

  it('neither logs nor the database hold the password or its hash', async () => {
    const hash = createHash('sha1').update(BREACHED).digest('hex');
    const secrets = [BREACHED, hash, hash.toUpperCase(), rangeKey(BREACHED).suffix];
    const all = logs.lines.join('\n');
    assert.ok(logs.lines.length > 0);
    for (const secret of secrets) assert.ok(!all.includes(secret), `log holds ${secret}`);
    const db = service.deps.database.db;
    for (const table of ['users', 'audit_events', 'outbox']) {
      const rows = JSON.stringify(
        await db
          .selectFrom(table as 'users')
          .selectAll()
          .execute(),
      );
      for (const secret of secrets) assert.ok(!rows.includes(secret), `${table} holds ${secret}`);
    }
  });
});
