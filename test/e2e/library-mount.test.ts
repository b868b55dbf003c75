import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
// The package's own name: resolved through package.json "exports", as an application imports it.
import { ConfigError, createLatchkey, type Latchkey } from 'latchkey';
import { TEST_SECRET } from '../support/app.ts';
import { formAction, PathCookieClient } from '../support/path-cookie-client.ts';
import { TestSmtpServer } from '../support/smtp.ts';

const ORIGIN = 'http://app.example.test';
const EMAIL = 'lin@example.com';
const PASSWORD = 'correct horse battery';

/**
 * Latchkey as a library: one createLatchkey() instance, configured with an object (no environment),
 * mounted under /auth in a host Fastify server (fastifyPlugin) and in a plain node:http server
 * (handler). Each host keeps its own routes; a sign-in works through both.
 */
describe('createLatchkey mounted under /auth in a Fastify app and a node:http app', () => {
  const smtp = new TestSmtpServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-library-'));
  const hostLog: string[] = [];
  let latchkey: Latchkey;
  let fastifyHost: FastifyInstance;
  let httpHost: Server;
  let fastifyUrl: string;
  let httpUrl: string;

  before(async () => {
    latchkey = await createLatchkey({
      migrate: true,
      settings: {
        PUBLIC_URL: `${ORIGIN}/auth`,
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        DATABASE_URL: `sqlite:${join(dataDir, 'latchkey.db')}`,
        SMTP_URL: await smtp.start(),
        SECRET_KEYS: [TEST_SECRET],
        CONFIRM_EMAIL: 'off',
        COURIER_POLL_MS: 100,
        CLEANUP_INTERVAL: 0,
      },
    });

    fastifyHost = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void hostLog.push(line) } } });
    fastifyHost.get('/', async () => ({ app: 'fastify host' }));
    fastifyHost.post('/notes', async (request) => ({ saved: request.body }));
    await fastifyHost.register(latchkey.fastifyPlugin);
    fastifyUrl = await fastifyHost.listen({ port: 0, host: '127.0.0.1' });

    httpHost = createServer((req, res) => {
      if (req.url === '/auth' || req.url?.startsWith('/auth/') || req.url?.startsWith('/auth?')) return latchkey.handler(req, res);
      res.setHeader('content-type', 'text/plain');
      res.end('node:http host');
    });
    await new Promise<void>((resolve) => httpHost.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(httpHost.address() as AddressInfo).port}`;
  });
  after(async () => {
    await fastifyHost?.close();
    if (httpHost) await new Promise((resolve) => httpHost.close(resolve));
    await latchkey?.close();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers through the Fastify host and signs in on the login page, cookies scoped to /auth', async () => {
    const browser = new PathCookieClient(fastifyUrl, { origin: ORIGIN });
    const registered = await browser.request('POST', '/auth/api/register', {
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(registered.status, 202, registered.text);
    await smtp.waitForMail(EMAIL, { subject: /Welcome/ });

    const page = await browser.get('/auth/login');
    assert.equal(page.status, 200);
    assert.ok(page.headers.get('content-security-policy'), "Latchkey's own security headers");
    const signedIn = await browser.postForm(formAction(page.text, '/login'), { _csrf: page.csrfToken(), email: EMAIL, password: PASSWORD });
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));
    assert.equal(signedIn.location, '/auth/');
    assert.match(browser.setCookies.find((l) => l.startsWith('lk_session=')) ?? '', /Path=\/auth;/);
    const account = await browser.get('/auth/');
    assert.match(account.text, /lin@example\.com/);

    // The host's own routes still answer, its body parser included, and get no Latchkey cookie.
    assert.deepEqual(browser.cookiesFor('/notes'), []);
    assert.deepEqual((await browser.get('/')).json(), { app: 'fastify host' });
    const note = await browser.request('POST', '/notes', { body: '{"text":"hi"}', headers: { 'content-type': 'application/json' } });
    assert.deepEqual(note.json(), { saved: { text: 'hi' } });
    assert.equal((await browser.get('/login')).status, 404, 'Latchkey answers only under /auth');
  });

  it('signs in through the node:http host with the JSON API, and the session works there', async () => {
    const client = new PathCookieClient(httpUrl, { origin: ORIGIN });
    const login = await client.request('POST', '/auth/api/login', {
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.json().user.email, EMAIL);
    const session = await client.get('/auth/api/session');
    assert.equal(session.status, 200);
    assert.equal(session.json().user.email, EMAIL);
    assert.equal((await client.get('/elsewhere')).text, 'node:http host');
  });

  it('keeps reset links out of the host Fastify logs (their URLs carry tokens)', async () => {
    const client = new PathCookieClient(fastifyUrl, { origin: ORIGIN });
    const forgot = await client.request('POST', '/auth/api/password/forgot', {
      body: JSON.stringify({ email: EMAIL }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(forgot.status, 202);
    const mail = await smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    const link = /http:\/\/\S+\/auth\/reset-password\/([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '');
    assert.ok(link, 'the mail links under PUBLIC_URL and its path');
    assert.ok((link[0] as string).startsWith(`${ORIGIN}/auth/reset-password/`));
    const opened = await client.get(`/auth/reset-password/${link[1]}`);
    assert.equal(opened.status, 303);
    assert.equal(opened.location, '/auth/reset-password');
    assert.ok(
      hostLog.some((line) => line.includes('"url":"/"')),
      'the host logs its own requests',
    );
    assert.ok(!hostLog.some((line) => line.includes(link[1] as string)), 'the token is in no host log line');
  });

  it('refuses bad settings by name, and a plugin registered under a prefix', async () => {
    await assert.rejects(
      createLatchkey({ settings: { PUBLIC_URL: 'https://example.com/a b', SECRET_KEYS: 'short', PUBLC_URL: 'x' } as never }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /"PUBLC_URL" is not a Latchkey setting/.test(error.message) &&
        /PUBLIC_URL's path must be/.test(error.message) &&
        /SECRET_KEYS must be/.test(error.message),
    );
    const host = Fastify();
    await assert.rejects(async () => {
      await host.register(latchkey.fastifyPlugin, { prefix: '/auth' });
    }, /without a prefix/);
    await host.close();
  });
});
