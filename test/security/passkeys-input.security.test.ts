import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { sql } from 'kysely';
import { ERROR_CODES } from '../../src/kernel/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';
import { enrolSecondFactor } from '../support/second-step.ts';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.ts';

const PASSWORD = 'correct horse battery';
const b = (text: string) => Buffer.from(text).toString('base64url');

describe('passkey routes: bad input of every shape is a clear 400, and no challenge is kept or logged in the clear (S2, S20, S23)', () => {
  let service: TestService;
  let origin: string;
  let client: TestClient;
  const authenticator = new SoftwareAuthenticator();
  const lines: string[] = [];
  const challenges: string[] = [];

  before(async () => {
    service = await startTestService(
      { RATE_LIMIT_LOGIN_IP: '10000/900' },
      {},
      {
        logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }),
      },
    );
    origin = service.config.publicUrl.origin;
    await registerUser(service, 'input@example.com', PASSWORD);
    client = await signedInClient(service, 'input@example.com', PASSWORD);
    const options = (await client.postJson('/api/passkeys/register/options', {})).json();
    challenges.push(options.challenge);
    assert.equal((await client.postJson('/api/passkeys/register/verify', { response: authenticator.create(options, origin) })).status, 201);
    await enrolSecondFactor(service, 'input@example.com');
  });
  after(() => service.close());

  /** A real assertion for a live challenge of `optionsPath`, then changed by `mutate`. */
  async function liveAssertion(caller: TestClient, optionsPath: string) {
    const options = (await caller.postJson(optionsPath, {})).json();
    challenges.push(options.challenge);
    return authenticator.get(options, origin);
  }

  function assertBadRequest(status: number, text: string, what: string) {
    assert.equal(status, 400, `${what}: ${status} ${text}`);
    const code = JSON.parse(text).error?.code as string;
    assert.ok(code in ERROR_CODES, `${what}: a known error code, got ${code}`);
    assert.ok(['VALIDATION_FAILED', 'INVALID_JSON', 'PASSKEY_INVALID'].includes(code), `${what}: ${code}`);
  }

  const assertionShapes = (valid: AuthenticationResponseJSON): Array<[string, unknown]> => {
    const inner = valid.response as unknown as Record<string, unknown>;
    const withInner = (patch: Record<string, unknown>) => ({ ...valid, response: { ...inner, ...patch } });
    return [
      ['an array', [valid]],
      ['a string', 'response'],
      ['null', null],
      ['a number', 42],
      ['no response', {}],
      ['response a string', { response: 'x' }],
      ['response an array', { response: [valid] }],
      ['response null', { response: null }],
      ['an unknown field', { response: valid, admin: true }],
      ['id a number', { response: { ...valid, id: 1 } }],
      ['id an array', { response: { ...valid, id: [valid.id] } }],
      ['id too long', { response: { ...valid, id: 'A'.repeat(5000) } }],
      ['id not base64url', { response: { ...valid, id: 'not base64!' } }],
      ['type not public-key', { response: { ...valid, type: 'password' } }],
      ['extension results an array', { response: { ...valid, clientExtensionResults: [] } }],
      ['inner response missing', { response: { ...valid, response: undefined } }],
      ['clientDataJSON not base64url', { response: withInner({ clientDataJSON: '%%%' }) }],
      ['clientDataJSON an object', { response: withInner({ clientDataJSON: { challenge: 'x' } }) }],
      ['clientDataJSON not JSON', { response: withInner({ clientDataJSON: b('not json') }) }],
      ['clientDataJSON JSON null', { response: withInner({ clientDataJSON: b('null') }) }],
      ['challenge an object', { response: withInner({ clientDataJSON: b('{"challenge":{"a":1},"type":"webauthn.get"}') }) }],
      ['clientDataJSON too long', { response: withInner({ clientDataJSON: 'A'.repeat(10_000) }) }],
      ['authenticatorData garbage', { response: withInner({ authenticatorData: b('short') }) }],
      ['signature garbage', { response: withInner({ signature: b('not a signature') }) }],
      ['signature an array', { response: withInner({ signature: ['x'] }) }],
      ['userHandle an object', { response: withInner({ userHandle: { id: 1 } }) }],
      ['userHandle of another account', { response: withInner({ userHandle: b('00000000-0000-0000-0000-000000000000') }) }],
      ['an unknown inner field', { response: withInner({ extra: 'x' }) }],
    ];
  };

  it('assertions of every bad shape at sign-in, second step and re-authentication get 400, never 500', async () => {
    // A new pending sign-in for each second-step try (five refusals would end one).
    const freshPending = async () => {
      const browser = apiClient(service);
      assert.equal((await browser.postJson('/api/login', { email: 'input@example.com', password: PASSWORD })).status, 200);
      return browser;
    };
    for (const [path, callerFor, optionsPath] of [
      ['/api/login/passkey/verify', async () => apiClient(service), '/api/login/passkey/options'],
      ['/api/login/second-factor/passkey/verify', freshPending, '/api/login/second-factor/passkey/options'],
      ['/api/reauthenticate/passkey/verify', async () => client, '/api/reauthenticate/passkey/options'],
    ] as const) {
      const count = assertionShapes(await liveAssertion(await callerFor(), optionsPath)).length;
      for (let i = 0; i < count; i++) {
        // Each shape is made from an assertion answering a live challenge, so the refusal is the shape's.
        const caller = await callerFor();
        const [what, body] = assertionShapes(await liveAssertion(caller, optionsPath))[i] as [string, unknown];
        const answer = await caller.postJson(path, body);
        assertBadRequest(answer.status, answer.text, `${path} with ${what}`);
      }
      for (const what of ['broken JSON', 'remember a string'] as const) {
        const caller = await callerFor();
        const raw =
          what === 'broken JSON'
            ? '{"response":'
            : JSON.stringify({ response: await liveAssertion(caller, optionsPath), remember: 'yes', rememberDevice: 'yes' });
        const answer = await caller.postJson(path, raw);
        assertBadRequest(answer.status, answer.text, `${path} with ${what}`);
      }
    }
  });

  it('registrations and names of every bad shape get 400; options take no fields', async () => {
    const options = (await client.postJson('/api/passkeys/register/options', {})).json();
    challenges.push(options.challenge);
    const valid = new SoftwareAuthenticator().create(options, origin);
    for (const [what, body] of [
      ['attestationObject not base64url', { response: { ...valid, response: { ...valid.response, attestationObject: '***' } } }],
      ['attestationObject garbage', { response: { ...valid, response: { ...valid.response, attestationObject: b('garbage') } } }],
      ['transports a string', { response: { ...valid, response: { ...valid.response, transports: 'usb' } } }],
      ['transports too many', { response: { ...valid, response: { ...valid.response, transports: Array(9).fill('usb') } } }],
      ['an empty name', { response: valid, name: '' }],
      ['a name too long', { response: valid, name: 'n'.repeat(101) }],
      ['a name with a control character', { response: valid, name: 'My\u0000key' }],
      ['a name as a number', { response: valid, name: 7 }],
    ] as const) {
      const answer = await client.postJson('/api/passkeys/register/verify', body);
      assertBadRequest(answer.status, answer.text, `registration with ${what}`);
    }
    for (const path of ['/api/passkeys/register/options', '/api/login/passkey/options', '/api/reauthenticate/passkey/options']) {
      for (const body of [[], 'x', { extra: 1 }]) {
        const answer = await client.postJson(path, body);
        assertBadRequest(answer.status, answer.text, `${path} with ${JSON.stringify(body)}`);
      }
    }
    const id = (await client.get('/api/passkeys')).json().passkeys[0].id as string;
    for (const body of [{}, { name: '' }, { name: ['x'] }, { name: 'ok', extra: 1 }, { name: '\u0007' }, { name: '   ' }]) {
      const answer = await client.request('PATCH', `/api/passkeys/${id}`, {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      assertBadRequest(answer.status, answer.text, `rename with ${JSON.stringify(body)}`);
    }
    const tooLong = await client.request('DELETE', `/api/passkeys/${'x'.repeat(100)}`);
    assertBadRequest(tooLong.status, tooLong.text, 'an overlong passkey id');
    const unknown = await client.request('DELETE', '/api/passkeys/not-a-passkey');
    assert.equal(unknown.status, 404);
  });

  it('the database holds challenges only as digests, and no log line holds a challenge, assertion or signature', async () => {
    const tables = (await service.deps.store.db.introspection.getTables()).map((t) => t.name);
    assert.ok(tables.includes('webauthn_challenges'));
    let dump = '';
    for (const table of tables) {
      const rows = await sql`select * from ${sql.table(table)}`.execute(service.deps.store.db);
      dump += JSON.stringify(rows.rows, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    }
    assert.ok(challenges.length > 50);
    for (const challenge of challenges) {
      assert.ok(!dump.includes(challenge), 'a challenge in the database dump');
      assert.ok(!lines.some((line) => line.includes(challenge)), 'a challenge in the logs');
    }
    const rows = await service.deps.store.db.selectFrom('webauthn_challenges').select('digest').execute();
    assert.ok(rows.length >= challenges.length);
    assert.ok(rows.every((r) => /^[A-Za-z0-9_-]{43}$/.test(r.digest)));
    const signature = authenticator.get((await apiClient(service).postJson('/api/login/passkey/options', {})).json(), origin).response
      .signature;
    assert.ok(!lines.some((line) => line.includes(signature)));
  });
});
