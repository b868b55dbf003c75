import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient } from '../support/flows.ts';

const ENDPOINTS = {
  '/api/password/forgot': { email: 'ada@example.com' },
  '/api/password/reset': { token: 'a'.repeat(43), password: 'a brand new passphrase' },
  '/api/login': { email: 'ada@example.com', password: 'a brand new passphrase' },
  '/api/register': { email: 'ada@example.com', password: 'a brand new passphrase' },
} as const;

/** A 4xx in the API's error shape: {error:{code,message}}, nothing else. */
function assertClientError(response: TestResponse, what: string, code?: string): void {
  assert.ok(response.status >= 400 && response.status < 500, `${what}: status ${response.status} ${response.text.slice(0, 200)}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what);
  const body = response.json();
  assert.deepEqual(Object.keys(body), ['error'], what);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], what);
  assert.match(body.error.code, /^[A-Z_]+$/, what);
  assert.ok(body.error.message.length > 0, what);
  if (code) assert.equal(body.error.code, code, what);
}

describe('strict input on every API endpoint (S20)', () => {
  let service: TestService;
  let api: TestClient;
  before(async () => {
    service = await startTestService({
      RATE_LIMIT_FORGOT_IP: '10000/3600',
      RATE_LIMIT_REGISTER_IP: '10000/3600',
      RATE_LIMIT_LOGIN_IP: '10000/3600',
    });
    api = apiClient(service);
  });
  after(() => service.close());

  it('refuses bodies that are not a JSON object', async () => {
    for (const path of Object.keys(ENDPOINTS)) {
      for (const body of ['[]', '["ada@example.com"]', '{}', '42', '"ada@example.com"', 'null', 'true']) {
        assertClientError(await api.postJson(path, body), `${path} ${body}`);
      }
    }
  });

  it('refuses arrays, objects, numbers, booleans and null in place of each string field', async () => {
    for (const [path, valid] of Object.entries(ENDPOINTS)) {
      for (const field of Object.keys(valid)) {
        const value = (valid as Record<string, string>)[field] as string;
        for (const wrong of [[value], [value, 'b@example.com'], { value }, 42, true, null]) {
          const response = await api.postJson(path, { ...valid, [field]: wrong });
          assertClientError(response, `${path} ${field}=${JSON.stringify(wrong)}`, 'VALIDATION_FAILED');
          assert.match(response.json().error.message, new RegExp(`"${field}"`), 'the message names the field');
        }
      }
    }
  });

  it('refuses unknown and missing fields', async () => {
    for (const [path, valid] of Object.entries(ENDPOINTS)) {
      assertClientError(await api.postJson(path, { ...valid, admin: true }), `${path} unknown field`, 'VALIDATION_FAILED');
      assertClientError(await api.postJson(path, { ...valid, 'email[]': 'b@example.com' }), `${path} email[]`, 'VALIDATION_FAILED');
      const [first] = Object.keys(valid);
      const { [first as string]: _, ...missing } = valid as Record<string, string>;
      assertClientError(await api.postJson(path, missing), `${path} missing ${first}`, 'VALIDATION_FAILED');
    }
  });

  it('refuses prototype-poisoning keys in JSON and forms', async () => {
    for (const path of Object.keys(ENDPOINTS)) {
      const valid = JSON.stringify(ENDPOINTS[path as keyof typeof ENDPOINTS]).slice(1, -1);
      assertClientError(await api.postJson(path, `{${valid},"__proto__":{"admin":true}}`), `${path} __proto__`);
      assertClientError(await api.postJson(path, `{${valid},"constructor":{"prototype":{"admin":true}}}`), `${path} constructor.prototype`);
    }
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/forgot-password')).csrfToken();
    for (const extra of ['__proto__=x', '__proto__%5Badmin%5D=1', 'constructor=y']) {
      const form = await browser.request('POST', '/forgot-password', {
        body: `_csrf=${encodeURIComponent(csrf)}&email=ada%40example.com&${extra}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 400, `${extra}: ${form.text.slice(0, 200)}`);
    }
  });

  it('refuses invalid JSON, an empty body and a body without a JSON content type', async () => {
    for (const path of Object.keys(ENDPOINTS)) {
      assertClientError(await api.postJson(path, '{"email": "ada@example.com"'), `${path} truncated JSON`, 'INVALID_JSON');
      assertClientError(await api.postJson(path, "{'email': 1}"), `${path} single quotes`, 'INVALID_JSON');
      assertClientError(await api.postJson(path, ''), `${path} empty JSON body`);
      assertClientError(await api.request('POST', path), `${path} no body at all`);
      const form = await api.request('POST', path, {
        body: 'email=ada%40example.com',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assertClientError(form, `${path} form body`, 'UNSUPPORTED_MEDIA_TYPE');
      const text = await api.request('POST', path, {
        body: JSON.stringify(ENDPOINTS[path as keyof typeof ENDPOINTS]),
        headers: { 'content-type': 'text/plain' },
      });
      assertClientError(text, `${path} text/plain`, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses huge strings and huge bodies', async () => {
    for (const path of Object.keys(ENDPOINTS)) {
      assertClientError(await api.postJson(path, { email: 'a'.repeat(30_000) }), `${path} 30 KB string`);
      assertClientError(
        await api.postJson(path, { email: `${'a'.repeat(100_000)}@example.com` }),
        `${path} 100 KB body`,
        'PAYLOAD_TOO_LARGE',
      );
      assertClientError(await api.postJson(path, { email: 'a'.repeat(2 * 1024 * 1024) }), `${path} 2 MB body`, 'PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses CR/LF and other control characters inside email fields', async () => {
    for (const path of ['/api/password/forgot', '/api/login', '/api/register']) {
      const valid = ENDPOINTS[path as keyof typeof ENDPOINTS];
      for (const email of [
        'ada@example.com\r\nBcc: eve@evil.example',
        'ada@example.com\nTo: eve@evil.example',
        'ada\r@example.com',
        'ada@example.com\u0000',
      ]) {
        assertClientError(await api.postJson(path, { ...valid, email }), `${path} ${JSON.stringify(email)}`);
      }
    }
  });

  it('refuses form fields sent twice, before anything else is looked at', async () => {
    const browser = new TestClient(service.url);
    for (const path of ['/forgot-password', '/login', '/register', '/reset-password', '/logout']) {
      const response = await browser.request('POST', path, {
        body: 'email=ada%40example.com&email=eve%40evil.example&password=x&_csrf=y',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 400, path);
      assert.match(response.text, /was sent more than once/, path);
    }
  });

  it('answers an API request with a repeated field as JSON 4xx too', async () => {
    const response = await api.request('POST', '/api/password/forgot', {
      body: 'email=a%40x.com&email=b%40y.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertClientError(response, 'form body to the API', 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers malformed URLs and over-long path parameters in the same error shape', async () => {
    for (const path of ['/api/%', '/api/password/%E0%A4%A', '/api/session?x=%']) {
      const response = await api.get(path);
      assert.ok(response.status === 400 || response.status === 401, `${path}: ${response.status}`);
      assertClientError(response, path);
    }
    const page = await new TestClient(service.url).get(`/reset-password/${'a'.repeat(300)}`);
    assert.equal(page.status, 400);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(page.text, /aaaaaaaaaa/, 'the URL is not echoed');
  });

  it('sent no mail for any of it', async () => {
    assert.equal(service.smtp.mails.length, 0);
  });
});
