import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine, signedInClient } from '../support/flows.ts';
import { enrolSecondFactor, PENDING_COOKIE } from '../support/second-step.ts';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.ts';

const PASSWORD = 'correct horse battery';

/** A JSON request of any method (a body only when given). */
function call(client: TestClient, method: string, path: string, body?: unknown) {
  return client.request(
    method,
    path,
    body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
}

describe('passkeys over the JSON API', () => {
  let service: TestService;
  let origin: string;
  const clock = new ManualClock(Date.now());
  let n = 0;

  before(async () => {
    service = await startTestService({ RATE_LIMIT_LOGIN_IP: '1000/900' }, { clock });
    origin = service.config.publicUrl.origin;
  });
  after(() => service.close());

  async function account() {
    const email = `passkey${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    return { email, client: await signedInClient(service, email, PASSWORD) };
  }

  /** Adds a passkey through the API with the given (recently authenticated) client. */
  async function addPasskey(client: TestClient, authenticator: SoftwareAuthenticator, name?: string) {
    const options = await client.postJson('/api/passkeys/register/options', {});
    assert.equal(options.status, 200, options.text);
    const response = authenticator.create(options.json(), origin);
    const verified = await client.postJson('/api/passkeys/register/verify', { response, ...(name ? { name } : {}) });
    assert.equal(verified.status, 201, verified.text);
    return verified.json().passkey as { id: string; name: string; createdAt: string; lastUsedAt: string | null; synced: boolean };
  }

  /** The amr of the account's newest session (the clock moves on 1 s per sign-in, so "newest" is exact). */
  async function amrOfNewestSession(email: string): Promise<string | null | undefined> {
    const row = await service.deps.store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('amr')
      .where('users.email', '=', email)
      .orderBy('sessions.created_at', 'desc')
      .executeTakeFirst();
    return row?.amr;
  }

  it('registration options ask for a discoverable, user-verifying passkey for PUBLIC_URL and the signed-in account', async () => {
    const { email, client } = await account();
    const options = await client.postJson('/api/passkeys/register/options', {});
    assert.equal(options.status, 200, options.text);
    const body = options.json();
    assert.equal(body.rp.id, service.config.publicUrl.hostname);
    assert.equal(body.user.name, email);
    assert.equal(body.authenticatorSelection.residentKey, 'required');
    assert.equal(body.authenticatorSelection.userVerification, 'required');
    assert.equal(body.attestation, 'none');
    assert.match(body.challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.timeout, 300_000);
  });

  it('adds, lists, renames and removes a passkey; a notice is mailed for adding and removing', async () => {
    const { email, client } = await account();
    const authenticator = new SoftwareAuthenticator();
    const added = await addPasskey(client, authenticator, '  Laptop  ');
    assert.equal(added.name, 'Laptop');
    assert.equal(added.lastUsedAt, null);
    assert.equal(added.synced, false);
    const addedMail = await service.smtp.waitForMail(email, { subject: /passkey was added/i });
    assert.match(addedMail.parsed.text ?? '', /Laptop/);

    // A second one gets the browser's name when none is given (a second later: the list is oldest first).
    clock.advanceSeconds(1);
    const second = await addPasskey(client, authenticator);
    assert.equal(second.name, 'Passkey');
    await service.smtp.waitForMail(email, { subject: /passkey was added/i });

    const listed = await client.get('/api/passkeys');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.json().passkeys.map((p: { id: string; name: string }) => [p.id, p.name]),
      [
        [added.id, 'Laptop'],
        [second.id, 'Passkey'],
      ],
    );
    assert.deepEqual(Object.keys(listed.json().passkeys[0]).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'synced']);

    const renamed = await call(client, 'PATCH', `/api/passkeys/${second.id}`, { name: 'Phone' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json().passkey.name, 'Phone');

    const removed = await call(client, 'DELETE', `/api/passkeys/${added.id}`);
    assert.equal(removed.status, 204, removed.text);
    const removedMail = await service.smtp.waitForMail(email, { subject: /passkey was removed/i });
    assert.match(removedMail.parsed.text ?? '', /Laptop/);
    assert.deepEqual(
      (await client.get('/api/passkeys')).json().passkeys.map((p: { name: string }) => p.name),
      ['Phone'],
    );
    const again = await call(client, 'DELETE', `/api/passkeys/${added.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.json().error.code, 'PASSKEY_NOT_FOUND');
    const audit = await service.deps.store.db
      .selectFrom('audit_events')
      .select('type')
      .where('type', 'like', 'passkey.%')
      .where('user_id', '=', (await service.deps.store.users.findByCanonicalEmail(email))?.id as string)
      .execute();
    assert.deepEqual(audit.map((a) => a.type).sort(), ['passkey.added', 'passkey.added', 'passkey.removed', 'passkey.renamed']);
  });

  it('adding and removing need a recent authentication; a passkey can give one', async () => {
    const { client } = await account();
    const authenticator = new SoftwareAuthenticator();
    const passkey = await addPasskey(client, authenticator);
    clock.advanceSeconds(service.config.account.recentAuthSeconds + 1);
    const options = await client.postJson('/api/passkeys/register/options', {});
    assert.equal(options.status, 403);
    assert.equal(options.json().error.code, 'REAUTH_REQUIRED');
    const removal = await call(client, 'DELETE', `/api/passkeys/${passkey.id}`);
    assert.equal(removal.json().error.code, 'REAUTH_REQUIRED');
    // Listing and renaming need no fresh authentication.
    assert.equal((await client.get('/api/passkeys')).status, 200);

    const reauthOptions = await client.postJson('/api/reauthenticate/passkey/options', {});
    assert.equal(reauthOptions.status, 200, reauthOptions.text);
    assert.deepEqual(
      reauthOptions.json().allowCredentials.map((c: { id: string }) => c.id),
      authenticator.credentials.map((c) => c.id),
    );
    const reauth = await client.postJson('/api/reauthenticate/passkey/verify', {
      response: authenticator.get(reauthOptions.json(), origin),
    });
    assert.equal(reauth.status, 204, reauth.text);
    assert.equal((await call(client, 'DELETE', `/api/passkeys/${passkey.id}`)).status, 204);
  });

  it('not signed in: the settings routes answer 401 NOT_AUTHENTICATED', async () => {
    const anonymous = apiClient(service);
    for (const [method, path] of [
      ['GET', '/api/passkeys'],
      ['POST', '/api/passkeys/register/options'],
      ['DELETE', '/api/passkeys/00000000-0000-0000-0000-000000000000'],
      ['POST', '/api/reauthenticate/passkey/options'],
    ] as const) {
      const response = await call(anonymous, method, path, method === 'POST' ? {} : undefined);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.json().error.code, 'NOT_AUTHENTICATED');
    }
  });

  it('signs in with the passkey alone: a session with amr "hwk user", no second step even with an authenticator app', async () => {
    const { email, client } = await account();
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(client, authenticator);
    await enrolSecondFactor(service, email);

    clock.advanceSeconds(1);
    const browser = apiClient(service);
    const options = await browser.postJson('/api/login/passkey/options', {});
    assert.equal(options.status, 200, options.text);
    assert.equal(options.json().allowCredentials, undefined, 'any discoverable passkey: no account is named');
    assert.equal(options.json().userVerification, 'required');
    const signedIn = await browser.postJson('/api/login/passkey/verify', { response: authenticator.get(options.json(), origin) });
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.equal(signedIn.json().user.email, email);
    assert.ok(setCookieLine(signedIn, 'lk_session'));
    assert.equal((await browser.get('/api/session')).status, 200);
    assert.equal(await amrOfNewestSession(email), 'hwk user');
    const listed = (await browser.get('/api/passkeys')).json().passkeys;
    assert.notEqual(listed[0].lastUsedAt, null, 'the use is recorded');
  });

  it('a passkey as the second step after the password: offered in methods, session with amr "pwd hwk user"', async () => {
    const { email, client } = await account();
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(client, authenticator);
    await enrolSecondFactor(service, email);
    clock.advanceSeconds(30);

    const browser = apiClient(service);
    const password = await browser.postJson('/api/login', { email, password: PASSWORD });
    assert.equal(password.status, 200, password.text);
    assert.deepEqual(password.json(), { secondFactorRequired: true, methods: ['totp', 'recovery_code', 'email_code', 'passkey'] });
    const options = await browser.postJson('/api/login/second-factor/passkey/options', {});
    assert.equal(options.status, 200, options.text);
    assert.deepEqual(
      options.json().allowCredentials.map((c: { id: string }) => c.id),
      authenticator.credentials.map((c) => c.id),
    );
    const done = await browser.postJson('/api/login/second-factor/passkey/verify', {
      response: authenticator.get(options.json(), origin),
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json().user.email, email);
    assert.ok(!browser.cookies.has(PENDING_COOKIE));
    assert.equal((await browser.get('/api/session')).status, 200);
    assert.equal(await amrOfNewestSession(email), 'pwd hwk user');

    // The code route does not take 'passkey' as a method (a passkey is not a typed code).
    const second = apiClient(service);
    await second.postJson('/api/login', { email, password: PASSWORD });
    const typed = await second.postJson('/api/login/second-factor', { method: 'passkey', code: '123456' });
    assert.equal(typed.status, 400);
    assert.equal(typed.json().error.code, 'VALIDATION_FAILED');
  });

  it('a passkey as the second step after a mailed sign-in code: session with amr "email hwk user"', async () => {
    const { email, client } = await account();
    const authenticator = new SoftwareAuthenticator();
    await addPasskey(client, authenticator);
    await enrolSecondFactor(service, email);
    clock.advanceSeconds(30);
    const userId = (await service.deps.store.users.findByCanonicalEmail(email))!.id;
    const code = await service.deps.store.transaction((tx) =>
      service.deps.mfa.codes.issue(tx, {
        purpose: 'signin-code',
        userId,
        digits: 8,
        context: { ip: null, userAgent: null },
        ttlSeconds: 900,
      }),
    );

    const browser = apiClient(service);
    const first = await browser.postJson('/api/login/email/verify', { email, code });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json().secondFactorRequired, true);
    assert.ok(first.json().methods.includes('passkey'));
    assert.equal((await browser.get('/api/session')).status, 401, 'the mailed code alone gives no session');
    const options = await browser.postJson('/api/login/second-factor/passkey/options', {});
    assert.equal(options.status, 200, options.text);
    const done = await browser.postJson('/api/login/second-factor/passkey/verify', { response: authenticator.get(options.json(), origin) });
    assert.equal(done.status, 200, done.text);
    assert.equal(await amrOfNewestSession(email), 'email hwk user');
  });

  it('an account with an authenticator app but no passkey: no passkey in methods, its options 404, the pending sign-in stays', async () => {
    const { email } = await account();
    await enrolSecondFactor(service, email);
    const browser = apiClient(service);
    const password = await browser.postJson('/api/login', { email, password: PASSWORD });
    assert.deepEqual(password.json().methods, ['totp', 'recovery_code', 'email_code']);
    const options = await browser.postJson('/api/login/second-factor/passkey/options', {});
    assert.equal(options.status, 404);
    assert.equal(options.json().error.code, 'PASSKEY_NOT_FOUND');
    assert.ok(browser.cookies.has(PENDING_COOKIE), 'the pending sign-in is still there for a code');
    // Without a pending sign-in at all: expired, and the cookie is cleared.
    browser.cookies.set(PENDING_COOKIE, 'A'.repeat(43));
    const none = await browser.postJson('/api/login/second-factor/passkey/options', {});
    assert.equal(none.json().error.code, 'SECOND_FACTOR_EXPIRED');
    assert.ok(!browser.cookies.has(PENDING_COOKIE));
  });

  it('without an authenticator app a passkey is not a second step: the password signs in as before', async () => {
    const { email, client } = await account();
    await addPasskey(client, new SoftwareAuthenticator());
    const browser = apiClient(service);
    const password = await browser.postJson('/api/login', { email, password: PASSWORD });
    assert.equal(password.status, 200);
    assert.equal(password.json().user.email, email);
  });

  it('PASSKEYS=off: every passkey route is 404', async () => {
    const off = await startTestService({ PASSKEYS: 'off' });
    try {
      const client = apiClient(off);
      for (const [method, path] of [
        ['GET', '/api/passkeys'],
        ['POST', '/api/passkeys/register/options'],
        ['POST', '/api/passkeys/register/verify'],
        ['PATCH', '/api/passkeys/x'],
        ['DELETE', '/api/passkeys/x'],
        ['POST', '/api/login/passkey/options'],
        ['POST', '/api/login/passkey/verify'],
        ['POST', '/api/login/second-factor/passkey/options'],
        ['POST', '/api/login/second-factor/passkey/verify'],
        ['POST', '/api/reauthenticate/passkey/options'],
        ['POST', '/api/reauthenticate/passkey/verify'],
      ] as const) {
        const response = await call(client, method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        assert.equal(response.status, 404, `${method} ${path}`);
      }
      // A passkey stored while they were on is not offered as a second step either.
      await registerUser(off, 'off@example.com', PASSWORD);
      const { userId } = await enrolSecondFactor(off, 'off@example.com');
      await off.deps.store.passkeys.create({
        id: '00000000-0000-4000-8000-000000000001',
        userId,
        credentialId: 'c3RvcmVkLXdoaWxlLW9u',
        publicKey: 'AA',
        counter: 0,
        transports: [],
        deviceType: null,
        backedUp: false,
        aaguid: null,
        name: 'Old',
        nowMs: Date.now(),
      });
      const password = await apiClient(off).postJson('/api/login', { email: 'off@example.com', password: PASSWORD });
      assert.deepEqual(password.json().methods, ['totp', 'recovery_code', 'email_code']);
    } finally {
      await off.close();
    }
  });
});
