import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

const attributesOf = (line: string | undefined) => (line ?? '').split(';').map((a) => a.trim().toLowerCase());

/**
 * The device cookie of S29 is a secret of the browser like the session cookie: HttpOnly, sealed
 * (nothing of it reads as the account), absent from every log line (S23) and from the database.
 */
describe('the device cookie is sealed and never logged or stored (S23, S29)', () => {
  let service: TestService;
  const lines: string[] = [];
  const cookies: string[] = [];
  let browser: TestClient;

  before(async () => {
    service = await startTestService({}, {}, { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  it('is issued by API and page sign-ins, HttpOnly and SameSite=Strict for a year', async () => {
    browser = apiClient(service);
    const api = await browser.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(api.status, 200);
    const attributes = attributesOf(setCookieLine(api, 'lk_device'));
    for (const expected of ['httponly', 'samesite=strict', 'path=/', 'max-age=31536000'])
      assert.ok(attributes.includes(expected), expected);
    assert.ok(!attributes.some((a) => a.startsWith('domain=')), 'host-only');
    cookies.push(browser.cookies.get('lk_device') as string);

    // The page, presenting the cookie it got: a new one each time.
    const page = await browser.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    assert.equal(page.status, 303);
    assert.ok(setCookieLine(page, 'lk_device'));
    cookies.push(browser.cookies.get('lk_device') as string);
    assert.notEqual(cookies[0], cookies[1]);

    // And a failure presenting it (logged like any request), then one more sign-in.
    assert.equal((await browser.postJson('/api/login', { email: EMAIL, password: 'wrong password' })).status, 401);
    assert.equal((await browser.postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
    cookies.push(browser.cookies.get('lk_device') as string);
  });

  it('is sealed: neither the account id nor the address can be read from it', async () => {
    const user = await service.deps.store.users.findByCanonicalEmail(EMAIL);
    for (const cookie of cookies) {
      assert.match(cookie, /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      assert.throws(() => JSON.parse(cookie));
      for (const part of cookie.split('.')) {
        const decoded = Buffer.from(part, 'base64url').toString('latin1');
        for (const secret of [user?.id as string, EMAIL, '{"']) assert.ok(!decoded.includes(secret), `${secret} in ${part}`);
      }
      assert.equal(service.deps.deviceCookies.open(cookie)?.userId, user?.id, 'the service alone opens it');
    }
  });

  it('appears in no log line, neither whole nor its sealed body nor its nonce', async () => {
    assert.ok(lines.length > 10, 'trace logging captured the requests');
    const log = lines.join('');
    for (const cookie of cookies) {
      const nonce = service.deps.deviceCookies.open(cookie)?.nonce as string;
      for (const secret of [cookie, cookie.split('.')[4] as string, nonce]) assert.ok(!log.includes(secret), 'found in the logs');
    }
  });

  it('is kept nowhere in the database, neither whole nor its nonce', async () => {
    const db = service.deps.store.db;
    const rows: unknown[] = [];
    for (const table of await db.introspection.getTables()) {
      rows.push(
        await db
          .selectFrom(table.name as 'users')
          .selectAll()
          .execute(),
      );
    }
    const dump = JSON.stringify(rows, (_, value) => (typeof value === 'bigint' ? String(value) : value));
    assert.ok(dump.includes(EMAIL), 'the dump holds the data');
    for (const cookie of cookies) {
      const nonce = service.deps.deviceCookies.open(cookie)?.nonce as string;
      assert.ok(!dump.includes(cookie) && !dump.includes(nonce));
    }
  });
});
