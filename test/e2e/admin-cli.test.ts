import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { outboxSettled, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { apiClient, headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';
import { resetLinkIn } from '../support/smtp.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('latchkey users disable|enable|delete|revoke-sessions|reset|show against a running service', () => {
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

  it('show prints status, confirmation, sign-ins and sessions', async () => {
    await signedInClient(service, EMAIL, PASSWORD);
    const shown = await cli('show', 'ADA@example.com');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^email: +ada@example\.com$/m);
    assert.match(shown.stdout, /^email confirmed: +\d{4}-/m);
    assert.match(shown.stdout, /^status: +active$/m);
    assert.match(shown.stdout, /^last sign-in: +\d{4}-.* from 127\.0\.0\.1$/m);
    assert.match(shown.stdout, /^sign-ins: +1$/m);
    assert.match(shown.stdout, /^active sessions: +1$/m);
    const missing = await cli('show', 'nobody@example.com');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no account uses nobody@example\.com/);
  });

  it('show --json and list tell an unconfirmed account from an active one', async () => {
    await registerUnconfirmed(service, 'una@example.com', PASSWORD);
    const [ada, una, list, missing] = await Promise.all([
      cli('show', EMAIL, '--json'),
      cli('show', 'una@example.com', '--json'),
      cli('list', '--json'),
      cli('show', 'nobody@example.com', '--json'),
    ]);
    assert.equal(ada.code, 0, ada.stderr);
    const shown = JSON.parse(ada.stdout) as Record<string, unknown>;
    assert.equal(shown.email, EMAIL);
    assert.equal(shown.name, 'Ada');
    assert.equal(shown.state, 'active');
    assert.equal(shown.passwordHash, 'argon2id (Latchkey)');
    assert.match(String(shown.emailConfirmedAt), /^\d{4}-\d\d-\d\dT/);
    assert.match(String(shown.lastSignInAt), /^\d{4}-/);
    assert.equal(typeof shown.activeSessions, 'number');
    assert.ok(!ada.stdout.includes('$argon2'), 'never the hash itself');
    const unconfirmed = JSON.parse(una.stdout) as Record<string, unknown>;
    assert.equal(unconfirmed.state, 'unconfirmed');
    assert.equal(unconfirmed.emailConfirmedAt, null);
    assert.equal(unconfirmed.lastSignInAt, null);
    assert.match((await cli('show', 'una@example.com')).stdout, /^status: +unconfirmed$/m);
    const rows = JSON.parse(list.stdout) as Array<{ email: string; state: string }>;
    assert.deepEqual(
      rows.map((r) => [r.email, r.state]),
      [
        [EMAIL, 'active'],
        ['una@example.com', 'unconfirmed'],
      ],
    );
    assert.match((await cli('list')).stdout, /\tuna@example\.com\tunconfirmed\t/);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
  });

  it('revoke-sessions signs the account out everywhere', async () => {
    const client = await signedInClient(service, EMAIL, PASSWORD);
    const revoked = await cli('revoke-sessions', EMAIL);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /^ended 2 session\(s\) of ada@example\.com\n$/);
    assert.equal((await client.get('/api/session')).status, 401);
  });

  it('reset emails a reset link; the password works until it is used', async () => {
    const reset = await cli('reset', EMAIL);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /a reset link for ada@example\.com is queued/);
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    assert.doesNotMatch(mail.parsed.text ?? '', /password is:/i, 'never a password in a mail');
    resetLinkIn(mail);
    await signedInClient(service, EMAIL, PASSWORD);
  });

  it('a disabled account gets the answers of an unknown address, and enable brings it back', async () => {
    const client = await signedInClient(service, EMAIL, PASSWORD);
    const disabled = await cli('disable', EMAIL);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal((await client.get('/api/session')).status, 401, 'its sessions ended');

    const api = apiClient(service);
    const known = await api.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    const unknown = await api.postJson('/api/login', { email: 'nobody@example.com', password: PASSWORD });
    assert.equal(known.status, 401);
    assert.equal(known.text, unknown.text);
    assert.deepEqual(headersWithoutDate(known), headersWithoutDate(unknown));
    for (const path of ['/api/password/forgot', '/api/confirm/resend']) {
      const a = await api.postJson(path, { email: EMAIL });
      const b = await api.postJson(path, { email: 'nobody@example.com' });
      assert.equal(a.status, 202);
      assert.equal(a.text, b.text);
      assert.deepEqual(headersWithoutDate(a), headersWithoutDate(b));
    }
    const before = service.smtp.mailsTo(EMAIL).length;
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo(EMAIL).length, before, 'no reset mail for a disabled account');
    const refused = await cli('reset', EMAIL);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /disabled/);
    assert.match((await cli('show', EMAIL)).stdout, /^status: +disabled$/m);

    const enabled = await cli('enable', EMAIL);
    assert.equal(enabled.code, 0, enabled.stderr);
    await signedInClient(service, EMAIL, PASSWORD);
  });

  it('delete removes the account with its sessions', async () => {
    const client = await signedInClient(service, EMAIL, PASSWORD);
    const deleted = await cli('delete', EMAIL);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^deleted ada@example\.com \(/);
    assert.equal((await client.get('/api/session')).status, 401);
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 401);
    assert.equal(await service.deps.store.users.findByCanonicalEmail(EMAIL), undefined);
    assert.equal((await cli('delete', EMAIL)).code, 1);
  });
});
