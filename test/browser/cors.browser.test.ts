import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { launchChromium } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { freePort } from '../support/free-port.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const EMAIL = 'cross.origin@example.com';
const PASSWORD = 'correct horse battery';

/** Another web application: one empty page on its own port, so another origin than the service's. */
async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const port = await freePort();
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>Another app</title><h1>Another app</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${port}` };
}

type Outcome = { status: number; body: unknown } | { failed: string };

/** Runs fetch in the page with the browser's cookies (`credentials: 'include'`): the answer, or why it could not be read. */
function fetchIn(page: Page, url: string, init: { method?: string; body?: unknown } = {}): Promise<Outcome> {
  return page.evaluate(
    async ({ url, method, body }) => {
      try {
        const response = await fetch(url, {
          method: method ?? 'GET',
          credentials: 'include',
          ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url, method: init.method, body: init.body },
  );
}

describe('a page on an ALLOWED_ORIGINS origin calls the API with credentials in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let refused: { server: Server; origin: string };

  before(async () => {
    allowed = await startPageServer();
    refused = await startPageServer();
    service = await startServiceAtOwnOrigin({ ALLOWED_ORIGINS: allowed.origin });
    await registerUser(service, EMAIL, PASSWORD);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
    allowed?.server.close();
    refused?.server.close();
  });

  it('signs in with fetch from the allowed origin, reads /api/session, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(allowed.origin);
    const login = await fetchIn(page, service.at('/api/login'), { method: 'POST', body: { email: EMAIL, password: PASSWORD } });
    assert.deepEqual('status' in login && login.status, 200, JSON.stringify(login));
    const session = await fetchIn(page, service.at('/api/session'));
    assert.ok('status' in session, JSON.stringify(session));
    assert.equal(session.status, 200);
    assert.equal((session.body as { user: { email: string } }).user.email, EMAIL);
    const logout = await fetchIn(page, service.at('/api/logout'), { method: 'POST' });
    assert.deepEqual('status' in logout && logout.status, 204, JSON.stringify(logout));
    const after = await fetchIn(page, service.at('/api/session'));
    assert.deepEqual(after, {
      status: 401,
      body: { error: { code: 'NOT_AUTHENTICATED', message: (after as { body: { error: { message: string } } }).body.error.message } },
    });
    await context.close();
  });

  it('a page on another origin can neither sign in nor read the session of a signed-in browser', async () => {
    const context = await browser.newContext();
    // Signed in from the allowed origin first: the browser holds a session cookie.
    const page = await context.newPage();
    await page.goto(allowed.origin);
    const login = await fetchIn(page, service.at('/api/login'), { method: 'POST', body: { email: EMAIL, password: PASSWORD } });
    assert.ok('status' in login && login.status === 200, JSON.stringify(login));

    const other = await context.newPage();
    await other.goto(refused.origin);
    const session = await fetchIn(other, service.at('/api/session'));
    assert.ok('failed' in session, `the answer was readable: ${JSON.stringify(session)}`);
    const signIn = await fetchIn(other, service.at('/api/login'), { method: 'POST', body: { email: EMAIL, password: PASSWORD } });
    assert.ok('failed' in signIn, `the answer was readable: ${JSON.stringify(signIn)}`);
    // The allowed page still reads it: the refusal is per origin.
    const still = await fetchIn(page, service.at('/api/session'));
    assert.ok('status' in still && still.status === 200, JSON.stringify(still));
    await context.close();
  });
});
