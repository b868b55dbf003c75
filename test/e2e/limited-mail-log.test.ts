import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestService } from '../support/app.ts';
import { apiClient } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';

const NOT_SENT = /not sent: /;

describe('a requested mail dropped by a limit is logged in development, without the address', () => {
  it('forgot password, resend confirmation and forgot username each name the limit that dropped them', async () => {
    const logs = new LogCapture();
    const service = await startTestService(
      { LOG_LEVEL: 'info', USERNAMES: 'optional', RATE_LIMIT_FORGOT_EMAIL: '1/3600', RATE_LIMIT_FORGOT_IP: '4/3600' },
      {},
      { logDestination: logs },
    );
    try {
      const api = apiClient(service);
      // One mail per inbox: the second request for ada is dropped by the address's budget.
      assert.equal((await api.postJson('/api/password/forgot', { email: 'Ada@Example.com' })).status, 202);
      assert.equal(logs.has(NOT_SENT), false, 'a request within the limits logs no such line');
      assert.equal((await api.postJson('/api/password/forgot', { email: 'ada@example.com' })).status, 202);
      assert.equal((await api.postJson('/api/confirm/resend', { email: 'bob@example.com' })).status, 202);
      assert.equal((await api.postJson('/api/confirm/resend', { email: 'bob@example.com' })).status, 202);
      // Four requests spent the client's budget: the fifth is dropped by the per-IP limit.
      assert.equal((await api.postJson('/api/username/forgot', { email: 'carol@example.com' })).status, 202);

      const dropped = logs.entries.filter((e) => NOT_SENT.test(e.msg));
      assert.deepEqual(
        dropped.map((e) => [e.level, e.topic, e.limit, e.msg]),
        [
          [
            30,
            'password-reset-request',
            'RATE_LIMIT_FORGOT_EMAIL',
            'requested password reset mail not sent: the address is over RATE_LIMIT_FORGOT_EMAIL (the answer stays the same)',
          ],
          [
            30,
            'confirmation-resend-request',
            'RATE_LIMIT_FORGOT_EMAIL',
            'requested confirmation mail not sent: the address is over RATE_LIMIT_FORGOT_EMAIL (the answer stays the same)',
          ],
          [
            30,
            'username-reminder-request',
            'RATE_LIMIT_FORGOT_IP',
            'requested username reminder mail not sent: this client is over RATE_LIMIT_FORGOT_IP (the answer stays the same)',
          ],
        ],
      );
      for (const entry of dropped) assert.ok(Number(entry.retryAfterSeconds) > 0);
      const everything = logs.lines.join('').toLowerCase();
      for (const address of ['ada@example.com', 'bob@example.com', 'carol@example.com']) {
        assert.ok(!everything.includes(address), `${address} is in no log line`);
      }
    } finally {
      await service.close();
    }
  });

  it('in production the same drops are not logged', async () => {
    const logs = new LogCapture();
    const service = await startTestService(
      { NODE_ENV: 'production', LOG_LEVEL: 'info', RATE_LIMIT_FORGOT_EMAIL: '1/3600', RATE_LIMIT_FORGOT_IP: '2/3600' },
      {},
      { logDestination: logs },
    );
    try {
      const api = apiClient(service);
      for (let i = 0; i < 4; i++) assert.equal((await api.postJson('/api/password/forgot', { email: 'ada@example.com' })).status, 202);
      assert.ok(logs.has(/Latchkey is running/), 'info lines are logged');
      assert.equal(logs.has(NOT_SENT), false);
    } finally {
      await service.close();
    }
  });
});
