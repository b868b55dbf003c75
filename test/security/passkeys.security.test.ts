import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient, TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';
import { enrolSecondFactor, PENDING_COOKIE } from '../support/second-step.ts';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.ts';

const PASSWORD = 'correct horse battery';

describe('passkeys refuse replays, foreign challenges and credentials, clones and bad origins (S28)', () => {
  let service: TestService;
  let origin: string;
  const clock = new ManualClock(Date.now());
  let n = 0;

  before(async () => {
    service = await startTestService({ RATE_LIMIT_LOGIN_IP: '1000/900' }, { clock });
    origin = service.config.publicUrl.origin;
  });
  after(() => service.close());

  /** A confirmed, signed-in account with one passkey in `authenticator`. */
  async function accountWithPasskey(authenticator = new SoftwareAuthenticator()) {
    const email = `guarded${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    const client = await signedInClient(service, email, PASSWORD);
    const options = (await client.postJson('/api/passkeys/register/options', {})).json();
    const added = await client.postJson('/api/passkeys/register/verify', { response: authenticator.create(options, origin) });
    assert.equal(added.status, 201, added.text);
    return { email, client, authenticator, credentialId: authenticator.credentials.at(-1)?.id as string };
  }

  async function loginOptions(client: TestClient = apiClient(service)) {
    const response = await client.postJson('/api/login/passkey/options', {});
    assert.equal(response.status, 200, response.text);
    return response.json();
  }

  async function sessionCount(): Promise<number> {
    const row = await service.deps.store.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  function assertRefused(response: TestResponse, what: string) {
    assert.equal(response.status, 400, `${what}: ${response.text}`);
    assert.equal(response.json().error.code, 'PASSKEY_INVALID', what);
    assert.equal(response.headers.getSetCookie().filter((c) => c.startsWith('lk_session=')).length, 0, `${what}: no session cookie`);
  }

  // Synced passkeys report counter 0 every time, so only the used challenge stops these replays.
  it('a replayed assertion is refused: the challenge was used', async () => {
    const { client, authenticator } = await accountWithPasskey(new SoftwareAuthenticator({ counterStep: 0, synced: true }));
    assert.equal((await client.get('/api/passkeys')).json().passkeys[0].synced, true);
    const assertion = authenticator.get(await loginOptions(), origin);
    assert.equal((await apiClient(service).postJson('/api/login/passkey/verify', { response: assertion })).status, 200);
    assertRefused(await apiClient(service).postJson('/api/login/passkey/verify', { response: assertion }), 'replay');
  });

  it('ten parallel verifications of one assertion make exactly one session', async () => {
    const { authenticator } = await accountWithPasskey(new SoftwareAuthenticator({ counterStep: 0, synced: true }));
    const assertion = authenticator.get(await loginOptions(), origin);
    const before = await sessionCount();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => apiClient(service).postJson('/api/login/passkey/verify', { response: assertion })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array(9).fill(400)]);
    assert.equal((await sessionCount()) - before, 1);
  });

  it("an assertion answering another ceremony's challenge is refused (reauth, registration, second step, expired)", async () => {
    const { client, authenticator } = await accountWithPasskey();
    // A re-authentication challenge (bound to this session) does not sign anyone in.
    const reauth = (await client.postJson('/api/reauthenticate/passkey/options', {})).json();
    assertRefused(
      await apiClient(service).postJson('/api/login/passkey/verify', { response: authenticator.get(reauth, origin) }),
      'reauth challenge at sign-in',
    );
    // A sign-in challenge does not re-authenticate a session.
    const login = await loginOptions();
    assertRefused(
      await client.postJson('/api/reauthenticate/passkey/verify', { response: authenticator.get(login, origin) }),
      'sign-in challenge at reauth',
    );
    // A registration challenge is not an assertion challenge.
    const registration = (await client.postJson('/api/passkeys/register/options', {})).json();
    assertRefused(
      await apiClient(service).postJson('/api/login/passkey/verify', {
        response: authenticator.get(await loginOptions(), origin, { challenge: registration.challenge }),
      }),
      'registration challenge at sign-in',
    );
    // A challenge this server never issued, and one past its 5 minutes.
    assertRefused(
      await apiClient(service).postJson('/api/login/passkey/verify', {
        response: authenticator.get(await loginOptions(), origin, { challenge: 'A'.repeat(43) }),
      }),
      'unknown challenge',
    );
    const late = await loginOptions();
    clock.advanceSeconds(301);
    assertRefused(await apiClient(service).postJson('/api/login/passkey/verify', { response: authenticator.get(late, origin) }), 'expired');
  });

  it('a registration challenge is bound to the session that asked: another session of the same account cannot use it', async () => {
    const { email, client } = await accountWithPasskey();
    const options = (await client.postJson('/api/passkeys/register/options', {})).json();
    const other = await signedInClient(service, email, PASSWORD);
    const stolen = await other.postJson('/api/passkeys/register/verify', { response: new SoftwareAuthenticator().create(options, origin) });
    assert.equal(stolen.status, 400);
    assert.equal(stolen.json().error.code, 'PASSKEY_INVALID');
  });

  it("another account's passkey is refused as the second step, and five refusals end the pending sign-in", async () => {
    const shared = new SoftwareAuthenticator();
    const victim = await accountWithPasskey(shared);
    const attacker = await accountWithPasskey(shared);
    await enrolSecondFactor(service, victim.email);
    const browser = apiClient(service);
    assert.equal((await browser.postJson('/api/login', { email: victim.email, password: PASSWORD })).json().secondFactorRequired, true);
    for (let i = 0; i < 5; i++) {
      const options = (await browser.postJson('/api/login/second-factor/passkey/options', {})).json();
      const answer = await browser.postJson('/api/login/second-factor/passkey/verify', {
        response: shared.get(options, origin, { credentialId: attacker.credentialId }),
      });
      assertRefused(answer, `foreign passkey ${i + 1}`);
    }
    // The pending sign-in is over: not even the right passkey finishes it now.
    const after = await browser.postJson('/api/login/second-factor/passkey/options', {});
    assert.equal(after.json().error.code, 'SECOND_FACTOR_EXPIRED');
    assert.ok(!browser.cookies.has(PENDING_COOKIE), 'the pending cookie is cleared');
    assert.equal((await browser.get('/api/session')).status, 401);
  });

  it('a disabled account cannot sign in with its passkey (the same refusal as an unknown one)', async () => {
    const { email, authenticator } = await accountWithPasskey();
    const user = await service.deps.store.users.findByCanonicalEmail(email);
    await service.deps.store.db
      .updateTable('users')
      .set({ disabled_at: Date.now() })
      .where('id', '=', user?.id as string)
      .execute();
    assertRefused(
      await apiClient(service).postJson('/api/login/passkey/verify', { response: authenticator.get(await loginOptions(), origin) }),
      'disabled account',
    );
  });

  it('a signature counter that does not move forward is refused (a cloned authenticator)', async () => {
    const { authenticator } = await accountWithPasskey();
    assert.equal(
      (
        await apiClient(service).postJson('/api/login/passkey/verify', {
          response: authenticator.get(await loginOptions(), origin, { counter: 5 }),
        })
      ).status,
      200,
    );
    for (const counter of [5, 3]) {
      assertRefused(
        await apiClient(service).postJson('/api/login/passkey/verify', {
          response: authenticator.get(await loginOptions(), origin, { counter }),
        }),
        `counter ${counter} after 5`,
      );
    }
    assert.equal(
      (
        await apiClient(service).postJson('/api/login/passkey/verify', {
          response: authenticator.get(await loginOptions(), origin, { counter: 6 }),
        })
      ).status,
      200,
    );
  });

  it('another origin or RP ID is refused at sign-in and at registration', async () => {
    const { client, authenticator } = await accountWithPasskey();
    for (const knobs of [{ origin: 'http://evil.example' }, { origin: 'https://localhost:3000' }, { rpId: 'evil.example' }]) {
      assertRefused(
        await apiClient(service).postJson('/api/login/passkey/verify', {
          response: authenticator.get(await loginOptions(), origin, knobs),
        }),
        `sign-in with ${JSON.stringify(knobs)}`,
      );
      const options = (await client.postJson('/api/passkeys/register/options', {})).json();
      const added = await client.postJson('/api/passkeys/register/verify', {
        response: new SoftwareAuthenticator().create(options, origin, knobs),
      });
      assert.equal(added.status, 400, `registration with ${JSON.stringify(knobs)}`);
    }
  });

  it('the relying party comes from PUBLIC_URL only: under a path its ID is the host, and Host headers change nothing', async () => {
    const other = await startTestService({ PUBLIC_URL: 'https://login.example.com/auth' });
    try {
      assert.deepEqual(
        { id: other.deps.passkeys.ceremonies.rp.id, origin: other.deps.passkeys.ceremonies.rp.origin },
        { id: 'login.example.com', origin: 'https://login.example.com' },
      );
    } finally {
      await other.close();
    }
    const options = await apiClient(service, { host: 'evil.example', 'x-forwarded-host': 'evil.example' }).postJson(
      '/api/login/passkey/options',
      {},
    );
    assert.equal(options.json().rpId, service.config.publicUrl.hostname);
  });

  it('user verification is required: a presence-only passkey is refused at registration and at sign-in', async () => {
    const { client, authenticator } = await accountWithPasskey();
    const options = (await client.postJson('/api/passkeys/register/options', {})).json();
    const added = await client.postJson('/api/passkeys/register/verify', {
      response: new SoftwareAuthenticator().create(options, origin, { noUserVerification: true }),
    });
    assert.equal(added.status, 400);
    assert.equal(added.json().error.code, 'PASSKEY_INVALID');
    assertRefused(
      await apiClient(service).postJson('/api/login/passkey/verify', {
        response: authenticator.get(await loginOptions(), origin, { noUserVerification: true }),
      }),
      'no UV',
    );
  });

  it('a credential ID registered to one account cannot be registered to another (409), also not the same one twice', async () => {
    const first = await accountWithPasskey();
    const second = await accountWithPasskey();
    const options = (await second.client.postJson('/api/passkeys/register/options', {})).json();
    const copy = await second.client.postJson('/api/passkeys/register/verify', {
      response: new SoftwareAuthenticator().create(options, origin, { credentialId: first.credentialId }),
    });
    assert.equal(copy.status, 409, copy.text);
    assert.equal(copy.json().error.code, 'PASSKEY_ALREADY_REGISTERED');
    const againOptions = (await second.client.postJson('/api/passkeys/register/options', {})).json();
    const twice = await second.client.postJson('/api/passkeys/register/verify', {
      response: new SoftwareAuthenticator().create(againOptions, origin, { credentialId: second.credentialId }),
    });
    assert.equal(twice.status, 409, twice.text);
    assert.equal((await second.client.get('/api/passkeys')).json().passkeys.length, 1);
    // The first account's passkey still signs it in, and only it.
    const signedIn = await apiClient(service).postJson('/api/login/passkey/verify', {
      response: first.authenticator.get(await loginOptions(), origin, { credentialId: first.credentialId }),
    });
    assert.equal(signedIn.json().user.email, first.email);
  });

  it('an unknown credential and a bad signature get the identical answer', async () => {
    const { authenticator } = await accountWithPasskey();
    const stranger = new SoftwareAuthenticator();
    stranger.create(registrationLike(), origin);
    const unknown = await apiClient(service).postJson('/api/login/passkey/verify', {
      response: stranger.get(await loginOptions(), origin),
    });
    const badSignature = await apiClient(service).postJson('/api/login/passkey/verify', {
      response: authenticator.get(await loginOptions(), origin, { wrongKey: true }),
    });
    assert.equal(unknown.status, badSignature.status);
    assert.equal(unknown.text, badSignature.text);
    assert.deepEqual(headersWithoutDate(unknown), headersWithoutDate(badSignature));
    assertRefused(unknown, 'unknown credential');
  });

  it('sign-in options and verifications count against the per-IP sign-in limit', async () => {
    const limited = await startTestService({ RATE_LIMIT_LOGIN_IP: '3/900' });
    try {
      const client = apiClient(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 2; i++) statuses.push((await client.postJson('/api/login/passkey/options', {})).status);
      statuses.push((await client.postJson('/api/login/passkey/verify', { response: fakeAssertion() })).status);
      const refused = await client.postJson('/api/login/passkey/options', {});
      assert.deepEqual(statuses, [200, 200, 400]);
      assert.equal(refused.status, 429);
      assert.equal(refused.json().error.code, 'RATE_LIMITED');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
    } finally {
      await limited.close();
    }
  });
});

/** Registration options for a credential nobody registered (the stranger's own RP, same ID). */
function registrationLike() {
  return {
    rp: { id: 'localhost', name: 'x' },
    user: { id: Buffer.from('nobody').toString('base64url'), name: 'nobody', displayName: 'nobody' },
    challenge: 'A'.repeat(43),
    pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }],
  };
}

/** A well-formed assertion whose parts verify nothing. */
export function fakeAssertion(): AuthenticationResponseJSON {
  const b = (s: string) => Buffer.from(s).toString('base64url');
  return {
    id: b('nope'),
    rawId: b('nope'),
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: b('{}'), authenticatorData: b('x'), signature: b('y') },
  };
}
