import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken } from '../support/flows.ts';
import { rawRequest } from '../support/http.ts';

const EMAIL = 'ada@example.com';
const PASSWORDS = ['correct horse battery', 'a brand new passphrase', 'wrong password guess', 'second brand new passphrase'];

describe('logs never hold a token, password or cookie (S23)', () => {
  let service: TestService;
  const lines: string[] = [];
  const secrets: string[] = [...PASSWORDS];

  before(async () => {
    service = await startTestService({}, {}, { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) });
  });
  after(() => service.close());

  it('runs every flow with trace logging on', async () => {
    await registerUser(service, EMAIL, PASSWORDS[0] as string);
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: PASSWORDS[2] })).status, 401);
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: PASSWORDS[0] })).status, 200);
    secrets.push(api.cookies.get('lk_session') as string);

    const token = await requestResetToken(service, EMAIL);
    secrets.push(token);
    const browser = new TestClient(service.url, { 'user-agent': 'log-test' });
    assert.equal((await browser.get(`/reset-password/${token}?utm=x`)).status, 303);
    assert.equal(
      (await rawRequest(service.url, { method: 'GET', target: `http://${new URL(service.url).host}/reset-password/${token}` })).status,
      303,
    );
    assert.equal((await browser.get(`/reset-password/${token}/extra`)).status, 404);
    const form = await browser.get('/reset-password', { cookie: `lk_reset=${token}; lk_csrf=${'c'.repeat(43)}` });
    secrets.push('c'.repeat(43), form.csrfToken());
    const bad = await browser.postForm(
      '/reset-password',
      { _csrf: form.csrfToken(), password: PASSWORDS[1] as string, password_confirm: 'mismatch' },
      { cookie: `lk_reset=${token}; lk_csrf=${'c'.repeat(43)}` },
    );
    assert.equal(bad.status, 400);
    const done = await browser.postForm(
      '/reset-password',
      { _csrf: form.csrfToken(), password: PASSWORDS[1] as string, password_confirm: PASSWORDS[1] as string },
      { cookie: `lk_reset=${token}; lk_csrf=${'c'.repeat(43)}` },
    );
    assert.equal(done.status, 303);

    const second = await requestResetToken(service, EMAIL);
    secrets.push(second);
    assert.equal((await api.postJson('/api/password/reset', { token: second, password: PASSWORDS[3] })).status, 200);
    assert.equal((await api.postJson('/api/password/reset', { token: second, password: PASSWORDS[3] })).status, 400);
    assert.equal((await api.postJson('/api/password/reset', `{"token":"${second}","password":`)).status, 400);
    assert.equal((await api.postJson('/api/password/reset', { token: [second], password: PASSWORDS[3] })).status, 400);
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: PASSWORDS[3] })).status, 200);
    secrets.push(api.cookies.get('lk_session') as string);
    assert.equal((await api.request('POST', '/api/logout')).status, 204);
    await service.smtp.waitForMail(EMAIL, { subject: /password was changed/ });
  });

  it('logged the requests, with the token in link paths masked', () => {
    const entries = lines.map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } });
    assert.ok(entries.filter((e) => e.msg === 'incoming request').length >= 15, 'request logging is on');
    const urls = entries.map((e) => e.req?.url).filter(Boolean);
    assert.ok(urls.includes('/reset-password/[redacted]?[redacted]'), urls.join(' '));
    assert.ok(urls.includes('/reset-password/[redacted]'));
  });

  it('contains none of the secrets', () => {
    const all = lines.join('');
    for (const secret of secrets) {
      assert.ok(secret && secret.length >= 8);
      assert.ok(!all.includes(secret), `a log line contains "${secret.slice(0, 12)}..."`);
    }
  });
});
