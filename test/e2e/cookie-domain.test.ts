import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

const attributesOf = (line: string | undefined) => (line ?? '').split(';').map((a) => a.trim().toLowerCase());

describe('COOKIE_DOMAIN', () => {
  it('sets the session cookie for the domain with the __Secure- prefix; the CSRF cookie stays host-only', async () => {
    const service = await startTestService({ PUBLIC_URL: 'https://auth.example.com', COOKIE_DOMAIN: '.example.com' });
    try {
      await registerUser(service, EMAIL, PASSWORD);
      const api = apiClient(service);
      const login = await api.postJson('/api/login', { email: EMAIL, password: PASSWORD });
      assert.equal(login.status, 200);
      assert.equal(setCookieLine(login, '__Host-lk_session'), undefined);
      const attributes = attributesOf(setCookieLine(login, '__Secure-lk_session'));
      for (const expected of ['domain=.example.com', 'secure', 'httponly', 'samesite=lax', 'path=/'])
        assert.ok(attributes.includes(expected), expected);
      // The cookie a browser would send to app.example.com opens the forward-auth door there.
      const proxy = new TestClient(service.url, { cookie: `__Secure-lk_session=${api.cookies.get('__Secure-lk_session')}` });
      assert.equal((await proxy.get('/api/authz/auth-request')).status, 200);
      const csrf = attributesOf(setCookieLine(await new TestClient(service.url).get('/login'), '__Host-lk_csrf'));
      assert.ok(!csrf.some((a) => a.startsWith('domain=')), 'the CSRF cookie has no Domain');
      const logout = await api.request('POST', '/api/logout');
      assert.ok(
        attributesOf(setCookieLine(logout, '__Secure-lk_session')).includes('domain=.example.com'),
        'logout clears the domain cookie',
      );
    } finally {
      await service.close();
    }
  });

  it('changes nothing when it is not set', async () => {
    const service = await startTestService({ PUBLIC_URL: 'https://auth.example.com' });
    try {
      await registerUser(service, EMAIL, PASSWORD);
      const login = await apiClient(service).postJson('/api/login', { email: EMAIL, password: PASSWORD });
      assert.equal(setCookieLine(login, '__Secure-lk_session'), undefined);
      assert.ok(!attributesOf(setCookieLine(login, '__Host-lk_session')).some((a) => a.startsWith('domain=')));
    } finally {
      await service.close();
    }
  });
});
