import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { describeUserAgent } from '../../src/kernel/user-agent.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

async function signIn(service: TestService, userAgent: string, remember = false): Promise<TestClient> {
  const client = apiClient(service, { 'user-agent': userAgent });
  const response = await client.postJson('/api/login', { email: EMAIL, password: PASSWORD, remember });
  assert.equal(response.status, 200, response.text);
  return client;
}

describe('sessions: list, revoke, remember me, timeouts', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  before(async () => {
    service = await startTestService({ SESSION_BROWSER_TTL: '3600', SESSION_IDLE_TIMEOUT: '7200', SESSION_TTL: '86400' }, { clock });
    await registerUser(service, EMAIL, PASSWORD);
    await registerUser(service, 'bob@example.com', PASSWORD);
  });
  after(() => service.close());

  it('names browsers from the user agent', () => {
    assert.equal(describeUserAgent(CHROME_WINDOWS), 'Chrome on Windows');
    assert.equal(describeUserAgent(FIREFOX_LINUX), 'Firefox on Linux');
    assert.equal(describeUserAgent(SAFARI_IPHONE), 'Safari on iOS');
    assert.equal(
      describeUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0'),
      'Edge on macOS',
    );
    assert.equal(describeUserAgent(null), 'Unknown browser');
  });

  it('lists the sessions with browser, IP, times and which one is this one; revokes one and all others', async () => {
    const chrome = await signIn(service, CHROME_WINDOWS);
    clock.advanceSeconds(120);
    const firefox = await signIn(service, FIREFOX_LINUX, true);
    const safari = await signIn(service, SAFARI_IPHONE);
    const listed = await firefox.get('/api/sessions');
    assert.equal(listed.status, 200);
    const sessions = listed.json().sessions as Array<{
      id: string;
      browser: string;
      ip: string;
      createdAtMs: number;
      lastSeenAtMs: number;
      remembered: boolean;
      current: boolean;
    }>;
    assert.equal(sessions.length, 3);
    const mine = sessions.find((s) => s.current)!;
    assert.equal(mine.browser, 'Firefox on Linux');
    assert.equal(mine.remembered, true);
    assert.equal(mine.ip, '127.0.0.1');
    assert.equal(mine.createdAtMs, clock.nowMs());
    assert.deepEqual(sessions.map((s) => s.browser).sort(), ['Chrome on Windows', 'Firefox on Linux', 'Safari on iOS']);
    assert.equal(sessions.filter((s) => s.current).length, 1);

    const chromeId = sessions.find((s) => s.browser === 'Chrome on Windows')!.id;
    const bob = apiClient(service);
    await bob.postJson('/api/login', { email: 'bob@example.com', password: PASSWORD });
    const foreign = await bob.request('DELETE', `/api/sessions/${chromeId}`);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.json().error.code, 'SESSION_NOT_FOUND');
    assert.equal((await chrome.get('/api/session')).status, 200, "another user cannot end Ada's session");

    assert.equal((await firefox.request('DELETE', `/api/sessions/${chromeId}`)).status, 204);
    assert.equal((await chrome.get('/api/session')).status, 401);
    const others = await firefox.postJson('/api/sessions/revoke-others', {});
    assert.deepEqual(others.json(), { sessionsEnded: 1 });
    assert.equal((await safari.get('/api/session')).status, 401);
    assert.equal((await firefox.get('/api/session')).status, 200);
    assert.equal((await bob.get('/api/session')).status, 200);
    assert.equal((await apiClient(service).get('/api/sessions')).status, 401);
  });

  it('the sessions page lists and revokes with CSRF-protected buttons', async () => {
    const other = await signIn(service, CHROME_WINDOWS);
    const browser = new TestClient(service.url, { 'user-agent': FIREFOX_LINUX });
    await browser.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    const page = await browser.get('/account/sessions');
    assert.equal(page.status, 200);
    assert.match(page.text, /<strong>Firefox on Linux<\/strong> <strong>\(this device\)<\/strong>/);
    assert.match(page.text, /Chrome on Windows/);
    const ids = [...page.text.matchAll(/name="session_id" value="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(ids.length >= 1, 'a button for every other session, none for this one');
    assert.equal((await browser.postForm('/account/sessions/revoke', { session_id: ids[0]! })).status, 403, 'no CSRF token');
    const revoked = await browser.postForm('/account/sessions/revoke', { _csrf: page.csrfToken(), session_id: ids[0]! });
    assert.equal(revoked.status, 303);
    assert.equal(revoked.location, '/account/sessions?notice=revoked');
    const all = await browser.postForm('/account/sessions/revoke-others', { _csrf: page.csrfToken() });
    assert.equal(all.status, 303);
    assert.equal((await other.get('/api/session')).status, 401);
    assert.equal((await browser.get('/api/session')).status, 200);
    assert.equal((await new TestClient(service.url).get('/account/sessions')).location, '/login?next=%2Faccount%2Fsessions');
  });

  it('remember me sets a long-lived cookie; without it the cookie ends with the browser', async () => {
    const shortLived = apiClient(service);
    const plain = await shortLived.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.doesNotMatch(setCookieLine(plain, 'lk_session') ?? '', /Max-Age|Expires/i);
    const remembered = await apiClient(service).postJson('/api/login', { email: EMAIL, password: PASSWORD, remember: true });
    assert.match(setCookieLine(remembered, 'lk_session') ?? '', /Max-Age=86400/);

    const form = new TestClient(service.url);
    const page = await form.get('/login');
    assert.match(
      page.text,
      /<input type="checkbox" id="remember" name="remember" value="on" autocomplete="off"><label for="remember">Keep me signed in on this device<\/label>/,
    );
    const signedIn = await form.postForm('/login', { _csrf: page.csrfToken(), email: EMAIL, password: PASSWORD, remember: 'on' });
    assert.match(setCookieLine(signedIn, 'lk_session') ?? '', /Max-Age=86400/);
  });

  it('ends a session after the idle timeout, and a browser session after SESSION_BROWSER_TTL', async () => {
    const idle = await signIn(service, CHROME_WINDOWS, true);
    const busy = await signIn(service, CHROME_WINDOWS);
    for (let i = 0; i < 3; i++) {
      clock.advanceSeconds(1000);
      assert.equal((await busy.get('/api/session')).status, 200, `used every 1000 s (${i})`);
    }
    clock.advanceSeconds(601);
    assert.equal((await busy.get('/api/session')).status, 401, 'a browser session lives 3600 s at most');
    clock.advanceSeconds(3600);
    assert.equal((await idle.get('/api/session')).status, 401, 'unused for 7201 s, remembered or not');
    const remembered = await signIn(service, CHROME_WINDOWS, true);
    clock.advanceSeconds(7000);
    assert.equal((await remembered.get('/api/session')).status, 200);
    clock.advanceSeconds(7201);
    assert.equal((await remembered.get('/api/session')).status, 401);
  });
});
