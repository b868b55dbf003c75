import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, signedInClient } from '../support/flows.ts';

const EMAIL = 'zoe@example.com';
const PASSWORD = 'correct horse battery staple';
const PUBLIC = 'https://auth.example.com';
const APP = 'https://app.example.com';

describe('forward auth for reverse proxies', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  before(async () => {
    service = await startTestService(
      { PUBLIC_URL: PUBLIC, RETURN_TO_ALLOWED: APP, USERNAMES: 'optional', SESSION_IDLE_TIMEOUT: '600' },
      { clock },
    );
    const token = await registerUnconfirmed(service, EMAIL, PASSWORD, { name: 'Zoë Ünal', username: 'zoe.u' });
    assert.equal((await apiClient(service).postJson('/api/confirm', { token })).status, 200);
  });
  after(() => service.close());

  const sessionClient = async () => {
    const api = await signedInClient(service, EMAIL, PASSWORD);
    // The proxy forwards the browser's Cookie header, never its Origin.
    return new TestClient(service.url, { cookie: `__Host-lk_session=${api.cookies.get('__Host-lk_session')}` });
  };

  it('answers 200 with the identity in headers on both endpoints for a valid session', async () => {
    const proxy = await sessionClient();
    const me = (await signedInClient(service, EMAIL, PASSWORD).then((c) => c.get('/api/session'))).json().user;
    for (const path of ['/api/authz/auth-request', '/api/authz/forward-auth']) {
      const answer = await proxy.get(path, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com', 'x-forwarded-uri': '/' });
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers.get('remote-user'), me.id);
      assert.equal(answer.headers.get('remote-email'), EMAIL);
      assert.equal(answer.headers.get('remote-name'), 'Zo%C3%AB %C3%9Cnal', 'non-ASCII is percent-encoded UTF-8');
      assert.equal(decodeURIComponent(answer.headers.get('remote-name') ?? ''), 'Zoë Ünal');
      assert.equal(answer.headers.get('remote-username'), 'zoe.u');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal(answer.location, null);
    }
  });

  it('nginx auth-request: 401 without a valid session, never a redirect; Location names the login page', async () => {
    const anonymous = new TestClient(service.url);
    const original = `${APP}/reports?id=7&tab=2`;
    const answer = await anonymous.get('/api/authz/auth-request', { 'x-original-url': original });
    assert.equal(answer.status, 401);
    assert.equal(answer.location, `${PUBLIC}/login?return_to=${encodeURIComponent(original)}`);
    assert.equal(answer.headers.get('remote-user'), null);
    const foreign = await anonymous.get('/api/authz/auth-request', { 'x-original-url': 'https://evil.example/' });
    assert.equal(foreign.status, 401);
    assert.equal(foreign.location, `${PUBLIC}/login`, 'an origin not in RETURN_TO_ALLOWED is not carried');
    const forged = await anonymous.get('/api/authz/auth-request', {
      cookie: '__Host-lk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'remote-email': EMAIL,
    });
    assert.equal(forged.status, 401);
  });

  it('forward-auth: 302 to the login page with the original URL as return_to, or 401 when it is not allowed', async () => {
    const anonymous = new TestClient(service.url);
    const forwarded = (host: string, uri = '/reports?id=7&tab=2') => ({
      'x-forwarded-proto': 'https',
      'x-forwarded-host': host,
      'x-forwarded-uri': uri,
    });
    const redirect = await anonymous.get('/api/authz/forward-auth', forwarded('app.example.com'));
    assert.equal(redirect.status, 302);
    assert.equal(redirect.location, `${PUBLIC}/login?return_to=${encodeURIComponent(`${APP}/reports?id=7&tab=2`)}`);
    for (const host of ['evil.example', 'app.example.com.evil.example', 'app.example.com@evil.example']) {
      const refused = await anonymous.get('/api/authz/forward-auth', forwarded(host));
      assert.equal(refused.status, 401, host);
      assert.equal(refused.location, null, host);
    }
    assert.equal((await anonymous.get('/api/authz/forward-auth', forwarded('app.example.com', '//evil.example/'))).status, 401);
    assert.equal((await anonymous.get('/api/authz/forward-auth')).status, 401, 'no forwarded headers');
  });

  it('is not blocked by the API Origin guard and never rate-limited into refusing a valid session', async () => {
    const proxy = await sessionClient();
    const answers = [];
    for (let batch = 0; batch < 10; batch++) {
      answers.push(
        ...(await Promise.all(Array.from({ length: 30 }, () => proxy.get('/api/authz/auth-request', { origin: 'https://evil.example' })))),
      );
    }
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
  });

  it('counts as session use: a session kept busy by the proxy outlives the idle timeout', async () => {
    const proxy = await sessionClient();
    const idle = await sessionClient();
    for (let minute = 0; minute < 3; minute++) {
      clock.advanceSeconds(299);
      assert.equal((await proxy.get('/api/authz/auth-request')).status, 200);
    }
    assert.equal((await idle.get('/api/authz/auth-request')).status, 401, 'the unused session timed out after 600 s');
    assert.equal((await proxy.get('/api/authz/forward-auth')).status, 200);
  });

  it('closes the door after logout', async () => {
    const api = await signedInClient(service, EMAIL, PASSWORD);
    const proxy = new TestClient(service.url, { cookie: `__Host-lk_session=${api.cookies.get('__Host-lk_session')}` });
    assert.equal((await proxy.get('/api/authz/auth-request')).status, 200);
    assert.equal((await api.request('POST', '/api/logout')).status, 204);
    assert.equal((await proxy.get('/api/authz/auth-request')).status, 401);
  });
});
