import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient } from '../support/flows.ts';

/**
 * S30: a legacy hash is verify-only and bounded. Even a hostile hash that reached the users table
 * without `latchkey import` (which refuses it) is never computed: a sign-in against it costs no
 * more than a normal failure, and never succeeds.
 */
describe('imported password hashes cannot be made costly (S30)', () => {
  let service: TestService;
  const HOSTILE: Record<string, string> = {
    'pbkdf2@example.com': `pbkdf2:sha256:1000000000$abcdefghijklmnop$${'ab'.repeat(32)}`,
    'scrypt@example.com': `scrypt:1073741824:8:1$abcdefghijklmnop$${'ab'.repeat(64)}`,
    'passlib@example.com':
      '$pbkdf2-sha512$999999999$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww',
    'bcrypt@example.com': '$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    'argon2@example.com': '$lk-legacy$argon2$-$$argon2id$v=19$m=4194304,t=100,p=64$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo',
  };

  before(async () => {
    service = await startTestService({ CONFIRM_EMAIL: 'off' });
    let i = 0;
    for (const [email, hash] of Object.entries(HOSTILE)) {
      await service.deps.store.users.insertImported([
        {
          id: `hostile-${i++}`,
          email,
          emailCanonical: email,
          name: null,
          username: null,
          passwordHash: hash,
          createdAtMs: 0,
          emailConfirmedAtMs: 0,
          disabledAtMs: null,
          nowMs: 0,
        },
      ]);
    }
  });
  after(() => service.close());

  for (const email of Object.keys(HOSTILE)) {
    it(`${email.split('@')[0]}: the sign-in fails as fast as any failure, the parameters are never used`, async () => {
      const started = performance.now();
      const response = await apiClient(service).postJson('/api/login', { email, password: 'password' });
      assert.equal(response.status, 401);
      assert.ok(performance.now() - started < 1_000, `took ${Math.round(performance.now() - started)} ms`);
    });
  }
});
