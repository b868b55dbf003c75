import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../src/crypto/tokens.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, tokenOf } from '../support/flows.ts';
import { resetLinkIn } from '../support/smtp.ts';

const EMAIL = 'ada@example.com';
const PASSWORDS = ['correct horse battery', 'a brand new passphrase'];

describe("a copy of the database resets nobody's password (S2, S22, issue item 8)", () => {
  let service: TestService;
  const secrets: Record<string, string> = {};
  const databaseFile = () => (service.config.database.dialect === 'sqlite' ? service.config.database.filename : '');

  before(async () => {
    // The courier is driven by hand so that a queued message can be looked at before it is sent.
    service = await startTestService({ COURIER_INLINE: 'false' });
  });
  after(() => service.close());

  it('keeps outbox payloads sealed while queued and drops them once sent', async () => {
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/register', { email: EMAIL, password: PASSWORDS[0] })).status, 202);
    await service.deps.courier.drain();
    assert.equal((await api.postJson('/api/password/forgot', { email: EMAIL })).status, 202);

    await service.deps.courier.runOnce(); // the request job: creates the token and queues the mail
    const db = service.deps.store.db;
    const queued = await db.selectFrom('outbox').selectAll().where('status', '=', 'pending').execute();
    assert.equal(queued.length, 1);
    const payload = queued[0]?.payload as string;
    assert.match(payload, /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.ok(!payload.includes(EMAIL) && !payload.includes('reset'), 'nothing readable in the sealed payload');

    await service.deps.courier.drain();
    const rows = await db.selectFrom('outbox').selectAll().execute();
    assert.ok(rows.length >= 3);
    for (const row of rows) {
      assert.equal(row.status, 'sent');
      assert.equal(row.payload, null, `payload of ${row.topic} kept after sending`);
    }
    secrets.resetToken = tokenOf(resetLinkIn(await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ })));
    assert.ok(!payload.includes(secrets.resetToken));
  });

  it('stores digests only for reset and session tokens', async () => {
    const browser = new TestClient(service.url);
    assert.equal((await browser.get(`/reset-password/${secrets.resetToken}`)).status, 303);
    const form = await browser.get('/reset-password');
    const done = await browser.postForm('/reset-password', {
      _csrf: form.csrfToken(),
      password: PASSWORDS[1]!,
      password_confirm: PASSWORDS[1]!,
    });
    assert.equal(done.status, 303);
    secrets.csrfCookie = browser.cookies.get('lk_csrf') as string;
    await service.deps.courier.drain();

    const api = apiClient(service);
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: PASSWORDS[1] })).status, 200);
    secrets.sessionToken = api.cookies.get('lk_session') as string;
    assert.match(secrets.sessionToken, /^[A-Za-z0-9_-]{43}$/);

    const db = service.deps.store.db;
    const [token] = await db.selectFrom('tokens').selectAll().where('purpose', '=', 'password-reset').execute();
    assert.equal(token?.digest, service.deps.digester.digest(secrets.resetToken as string));
    const sessions = await db.selectFrom('sessions').select('digest').execute();
    assert.deepEqual(
      sessions.map((s) => s.digest),
      [sha256(secrets.sessionToken)],
    );
  });

  const serverEngine = process.env.TEST_DATABASE && process.env.TEST_DATABASE !== 'sqlite' ? process.env.TEST_DATABASE : undefined;
  it('the database file and its WAL hold no raw token, session token or password', {
    skip: serverEngine
      ? `reads the SQLite file byte by byte; on ${serverEngine} (TEST_DATABASE) the row-level checks above cover the same secrets`
      : false,
  }, () => {
    const files = [databaseFile(), `${databaseFile()}-wal`, `${databaseFile()}-shm`].filter((f) => existsSync(f));
    assert.ok(files.length >= 2, `expected the database and its WAL, found ${files.join(', ')}`);
    const contents = files.map((f) => readFileSync(f));
    assert.ok(
      contents.some((c) => c.includes(EMAIL)),
      'sanity check: the files are readable and hold the account',
    );
    const needles: Array<[string, Buffer]> = [
      ['reset token', Buffer.from(secrets.resetToken as string)],
      ['reset token bytes', Buffer.from(secrets.resetToken as string, 'base64url')],
      ['session token', Buffer.from(secrets.sessionToken as string)],
      ['session token bytes', Buffer.from(secrets.sessionToken as string, 'base64url')],
      ['CSRF cookie', Buffer.from(secrets.csrfCookie as string)],
      ...PASSWORDS.map((p): [string, Buffer] => [`password "${p}"`, Buffer.from(p)]),
    ];
    for (const [i, content] of contents.entries()) {
      for (const [name, needle] of needles) assert.ok(!content.includes(needle), `${name} found in ${files[i]}`);
    }
  });
});
