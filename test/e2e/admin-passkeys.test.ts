import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';
import { enrolSecondFactor } from '../support/second-step.ts';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.ts';

const EMAIL = 'grace@example.com';
const PASSWORD = 'correct horse battery';

describe('latchkey users and passkeys', () => {
  const sandbox = new CliSandbox();
  const authenticator = new SoftwareAuthenticator();
  let service: TestService;
  const cli = (...args: string[]) => sandbox.run(['users', ...args], { DATABASE_URL: service.databaseUrl });

  before(async () => {
    service = await startTestService();
    await registerUser(service, EMAIL, PASSWORD);
    const client = await signedInClient(service, EMAIL, PASSWORD);
    const options = (await client.postJson('/api/passkeys/register/options', {})).json();
    const origin = service.config.publicUrl.origin;
    assert.equal((await client.postJson('/api/passkeys/register/verify', { response: authenticator.create(options, origin) })).status, 201);
    await enrolSecondFactor(service, EMAIL);
  });
  after(async () => {
    await service.close();
    sandbox.remove();
  });

  it('users show counts the passkeys', async () => {
    const shown = await cli('show', EMAIL);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^passkeys: +1$/m);
  });

  it('mfa-reset removes the authenticator app but leaves the passkeys, and says so; the passkey still signs in', async () => {
    const help = await cli('mfa-reset', '--help');
    assert.match(help.stdout, /passkeys stay/);
    const reset = await cli('mfa-reset', EMAIL);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /^two-step sign-in of grace@example\.com is off: .*\n1 passkey stays: .*\n$/);
    assert.equal(await service.deps.store.passkeys.countForUser((await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id ?? ''), 1);
    const browser = apiClient(service);
    const options = (await browser.postJson('/api/login/passkey/options', {})).json();
    const signedIn = await browser.postJson('/api/login/passkey/verify', {
      response: authenticator.get(options, service.config.publicUrl.origin),
    });
    assert.equal(signedIn.status, 200, signedIn.text);
  });
});
