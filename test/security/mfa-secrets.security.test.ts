import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { registerUser, signedInClient } from '../support/flows.ts';
import { totpCode } from '../support/totp.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

/** RFC 4648 base32 to bytes, to look for the raw secret as well as its text. */
function base32Bytes(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
}

describe('TOTP secrets and recovery codes appear in no log line and no database dump (S2, S23, S27)', () => {
  let service: TestService;
  const lines: string[] = [];
  const secrets: string[] = [];
  const recoveryCodes: string[] = [];
  const usedCodes: string[] = [];

  before(async () => {
    service = await startTestService({}, {}, { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) });
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
  });
  after(() => service.close());

  it('enrols through the API and the pages, makes new codes, turns off and on again, with trace logging on', async () => {
    const api = await signedInClient(service, EMAIL, PASSWORD);
    const setup = (await api.postJson('/api/mfa/totp/setup', {})).json();
    secrets.push(setup.secret);
    const first = totpCode(setup.secret);
    usedCodes.push(first);
    const confirmed = await api.postJson('/api/mfa/totp/confirm', { code: first });
    assert.equal(confirmed.status, 200);
    recoveryCodes.push(...confirmed.json().recoveryCodes);
    const regenerated = await api.postJson('/api/mfa/recovery-codes', {});
    recoveryCodes.push(...regenerated.json().recoveryCodes);
    const remove = await api.request('DELETE', '/api/mfa/totp', {
      body: JSON.stringify({ code: recoveryCodes[12], password: PASSWORD }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(remove.status, 204);

    // Again through the pages: the secret is on the set-up page, the codes in a form field and the download.
    const browser = new TestClient(service.url);
    await browser.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    const overview = await browser.get('/account/two-factor');
    await browser.postForm('/account/two-factor/setup', { _csrf: overview.csrfToken() });
    const page = await browser.get('/account/two-factor/setup');
    const secret = (/<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1] ?? '').replace(/ /g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    secrets.push(secret);
    const code = totpCode(secret);
    usedCodes.push(code);
    const codesPage = await browser.postForm('/account/two-factor/confirm', { _csrf: page.csrfToken(), code, password: PASSWORD });
    const shown = [...codesPage.text.matchAll(/<li><code>([0-9a-z-]{14})<\/code><\/li>/g)].map((m) => m[1] as string);
    assert.equal(shown.length, 10);
    recoveryCodes.push(...shown);
    const download = await browser.postForm('/account/two-factor/recovery-codes.txt', {
      _csrf: codesPage.csrfToken(),
      codes: shown.join(' '),
    });
    assert.equal(download.status, 200);
    await service.smtp.waitForMail(EMAIL, { subject: /New recovery codes/ });
    await service.smtp.waitForMail(EMAIL, { subject: /turned off$/ });
    for (let i = 0; i < 2; i++) await service.smtp.waitForMail(EMAIL, { subject: /turned on/ });
  });

  it('logged none of them', () => {
    assert.ok(lines.length > 20, 'sanity check: trace logging captured the requests');
    const all = lines.join('');
    for (const secret of secrets) assert.ok(!all.includes(secret), 'a TOTP secret is in the log');
    for (const code of recoveryCodes) {
      assert.ok(!all.includes(code) && !all.includes(code.replace(/-/g, '')), `recovery code ${code.slice(0, 4)}… is in the log`);
    }
    for (const code of usedCodes) assert.ok(!all.includes(`"${code}"`), 'a TOTP code is in the log');
  });

  it('mailed none of them', () => {
    const mails = service.smtp.mailsTo(EMAIL).map((m) => `${m.parsed.text}${m.parsed.html}`);
    for (const needle of [...secrets, ...recoveryCodes]) assert.ok(!mails.some((m) => m.includes(needle)), 'a secret or code in a mail');
  });

  it('keeps the secret sealed and the codes as digests: a dump of every table holds none of them', async () => {
    const db = service.deps.store.db;
    const [totp] = await db.selectFrom('mfa_totp').selectAll().execute();
    assert.ok(totp?.secret && totp.confirmed_at !== null, 'sanity check: an authenticator is stored');
    const digests = await db.selectFrom('recovery_codes').select('digest').execute();
    assert.equal(digests.length, 10);
    const tables = (await db.introspection.getTables()).map((t) => t.name).filter((name) => !/^kysely_/.test(name));
    assert.ok(tables.includes('mfa_totp') && tables.includes('recovery_codes'));
    let dump = '';
    for (const table of tables) {
      const rows = await db.selectFrom(sql.table(table).as('t')).selectAll().execute();
      dump += JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    }
    assert.match(dump, /ada@example\.com/, 'sanity check: the dump holds the account');
    for (const secret of secrets) {
      assert.ok(!dump.includes(secret), 'a TOTP secret in the dump');
      assert.ok(!dump.includes(base32Bytes(secret).toString('hex')), 'a TOTP secret in hex in the dump');
      assert.ok(!dump.includes(base32Bytes(secret).toString('base64')), 'a TOTP secret in base64 in the dump');
    }
    for (const code of recoveryCodes)
      assert.ok(!dump.includes(code) && !dump.includes(code.replace(/-/g, '')), 'a recovery code in the dump');
  });

  const serverEngine = process.env.TEST_DATABASE && process.env.TEST_DATABASE !== 'sqlite' ? process.env.TEST_DATABASE : undefined;
  it('the SQLite file and its WAL hold none of them, not even in freed pages', {
    skip: serverEngine ? `reads the SQLite file byte by byte; on ${serverEngine} the table dump above covers the same secrets` : false,
  }, () => {
    const file = service.config.database.dialect === 'sqlite' ? service.config.database.filename : '';
    const files = [file, `${file}-wal`].filter((f) => existsSync(f));
    assert.ok(files.length >= 1);
    const contents = files.map((f) => readFileSync(f));
    assert.ok(
      contents.some((c) => c.includes(EMAIL)),
      'sanity check: the files hold the account',
    );
    const needles = [
      ...secrets.flatMap((s) => [Buffer.from(s), base32Bytes(s)]),
      ...recoveryCodes.flatMap((c) => [Buffer.from(c), Buffer.from(c.replace(/-/g, ''))]),
    ];
    for (const [i, content] of contents.entries()) {
      for (const needle of needles) assert.ok(!content.includes(needle), `a secret or code found in ${files[i]}`);
    }
  });
});
