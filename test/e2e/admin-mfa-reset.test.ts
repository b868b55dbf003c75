import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { registerUser, signedInClient } from '../support/flows.ts';
import { totpCode } from '../support/totp.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('latchkey users mfa-reset against a running service', () => {
  const sandbox = new CliSandbox();
  let service: TestService;
  const cli = (...args: string[]) => sandbox.run(['users', ...args], { DATABASE_URL: service.databaseUrl });

  before(async () => {
    service = await startTestService();
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
  });
  after(async () => {
    await service.close();
    sandbox.remove();
  });

  it('has help text', async () => {
    const help = await sandbox.run(['users', 'mfa-reset', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: latchkey users mfa-reset \[options\] <email>/);
    assert.match(help.stdout, /two-step sign-in off/);
    assert.match((await sandbox.run(['users', '--help'])).stdout, /mfa-reset/);
  });

  it('removes the authenticator, the recovery codes and remembered browsers, records it and tells the user', async () => {
    const api = await signedInClient(service, EMAIL, PASSWORD);
    const userId = (await api.get('/api/session')).json().user.id as string;
    const { secret } = (await api.postJson('/api/mfa/totp/setup', {})).json();
    assert.equal((await api.postJson('/api/mfa/totp/confirm', { code: totpCode(secret) })).status, 200);
    const { store } = service.deps;
    const nowMs = Date.now();
    await store.pendingLogins.rememberDevice({ id: randomUUID(), digest: 'x'.repeat(64), userId, nowMs, expiresAtMs: nowMs + 86_400_000 });

    const reset = await cli('mfa-reset', 'ADA@example.com');
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /^two-step sign-in of ada@example\.com is off: .* a notice is queued for delivery\n$/);
    assert.deepEqual((await api.get('/api/mfa')).json(), { totp: false, recoveryCodesLeft: 0, methods: [] });
    assert.equal(await store.mfa.findTotp(userId), undefined);
    assert.equal(
      await store.pendingLogins.findRememberedDevice(userId, ['x'.repeat(64)], nowMs),
      undefined,
      'remembered browsers forgotten',
    );
    assert.equal((await api.get('/api/session')).status, 200, 'sessions stay');
    const notice = await service.smtp.waitForMail(EMAIL, { subject: /Two-step sign-in was turned off by an administrator/ });
    assert.match(notice.parsed.text ?? '', /an administrator turned two-step sign-in off/);
    assert.match(notice.parsed.text ?? '', /\/forgot-password/);
    const event = (await store.audit.listForUser(userId, 100)).find((e) => e.type === 'mfa.reset_by_admin');
    assert.ok(event, 'audit event');
    assert.equal(event.user_agent, 'latchkey-cli');
  });

  it('says so when there is nothing to remove, and exits 1 for an unknown or malformed address', async () => {
    const again = await cli('mfa-reset', EMAIL);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'ada@example.com had no second factor; nothing was removed\n');
    const missing = await cli('mfa-reset', 'nobody@example.com');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no account uses nobody@example\.com/);
    const malformed = await cli('mfa-reset', 'not-an-address');
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /is not a valid email address/);
  });
});
