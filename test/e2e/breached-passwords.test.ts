import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { rangeKey } from '../../src/crypto/passwords/breached.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, signedInClient } from '../support/flows.ts';
import { HibpRangeServer } from '../support/hibp-server.ts';
import { LogCapture } from '../support/log-capture.ts';
import { requestResetCode } from '../support/reset-codes.ts';

const BREACHED = 'tr0ub4dor and three more';
/** Listed by the range server as a padding line (count 0): not breached. */
const PADDED = 'only listed as padding here';
const FINE = 'a brand new passphrase';
const PASSWORD = 'correct horse battery';
const TIMEOUT_MS = 300;
const WARN = /password breach check skipped/;

function assertBreached(response: { status: number; json(): { error: { code: string; message: string } } }, what: string): void {
  assert.equal(response.status, 400, what);
  assert.equal(response.json().error.code, 'PASSWORD_BREACHED', what);
  assert.match(response.json().error.message, /appeared in a data breach/, what);
}

describe('breached-password check against a local range API (PASSWORD_BREACH_CHECK=on)', () => {
  const range = new HibpRangeServer({ [BREACHED]: 3861493 }, [PADDED]);
  const logs = new LogCapture();
  let service: TestService;
  before(async () => {
    const url = await range.start();
    service = await startTestService(
      {
        PASSWORD_BREACH_CHECK: 'on',
        HIBP_URL: url,
        HIBP_TIMEOUT_MS: String(TIMEOUT_MS),
        RECOVERY_METHODS: 'link,code',
        RATE_LIMIT_REGISTER_IP: '1000/3600',
        LOG_LEVEL: 'warn',
      },
      {},
      { logDestination: logs },
    );
  });
  after(async () => {
    await service.close();
    await range.stop();
  });

  it('refuses a breached password at registration, in the API and the form, and accepts a fine one', async () => {
    range.mode = 'normal';
    const before = range.requests.length;
    assertBreached(await apiClient(service).postJson('/api/register', { email: 'newcomer@example.com', password: BREACHED }), 'API');
    assert.equal(await service.deps.store.users.findByCanonicalEmail('newcomer@example.com'), undefined, 'no account made');

    const browser = new TestClient(service.url);
    const form = await browser.get('/register');
    const refused = await browser.postForm('/register', {
      _csrf: form.csrfToken(),
      email: 'form@example.com',
      password: BREACHED,
      password_confirm: BREACHED,
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /appeared in a data breach/);

    assert.equal((await apiClient(service).postJson('/api/register', { email: 'newcomer@example.com', password: FINE })).status, 202);
    await service.smtp.waitForMail('newcomer@example.com', { subject: /Welcome/ });

    const { prefix, suffix } = rangeKey(BREACHED);
    const sent = range.requests.slice(before);
    assert.equal(sent.length, 3, 'one range request per new password');
    assert.equal(sent[0]?.path, `/range/${prefix}`);
    for (const request of sent) {
      assert.match(request.path, /^\/range\/[0-9A-F]{5}$/, 'only 5 hex characters leave the server');
      assert.equal(request.addPadding, 'true');
      assert.ok(!request.path.includes(suffix));
    }
  });

  it('answers a breached password alike for a new and a taken address', async () => {
    range.mode = 'normal';
    await registerUser(service, 'taken@example.com', PASSWORD);
    const taken = await apiClient(service).postJson('/api/register', { email: 'taken@example.com', password: BREACHED });
    const free = await apiClient(service).postJson('/api/register', { email: 'free@example.com', password: BREACHED });
    assertBreached(taken, 'taken');
    assertBreached(free, 'free');
    assert.deepEqual(taken.json(), free.json());
  });

  it('does not count padding entries (count 0) as breached', async () => {
    range.mode = 'normal';
    const { prefix } = rangeKey(PADDED);
    const response = await apiClient(service).postJson('/api/register', { email: 'padded@example.com', password: PADDED });
    assert.equal(response.status, 202, response.text);
    assert.equal(range.requests.at(-1)?.path, `/range/${prefix}`, 'the server was asked and listed it with count 0');
  });

  it('refuses a breached password at a reset by link and by code; the link and the code still work afterwards', async () => {
    range.mode = 'normal';
    await registerUser(service, 'ada@example.com', PASSWORD);
    const token = await requestResetToken(service, 'ada@example.com');
    assertBreached(await apiClient(service).postJson('/api/password/reset', { token, password: BREACHED }), 'link');
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token, password: FINE })).status, 200);

    const code = await requestResetCode(service, 'ada@example.com');
    const byCode = { email: 'ada@example.com', code };
    assertBreached(await apiClient(service).postJson('/api/password/reset', { ...byCode, password: BREACHED }), 'code');
    const done = await apiClient(service).postJson('/api/password/reset', { ...byCode, password: PASSWORD });
    assert.equal(done.status, 200, done.text);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'ada@example.com', password: PASSWORD })).status, 200);
  });

  it('refuses a breached password at a password change, and the password stays the old one', async () => {
    range.mode = 'normal';
    await registerUser(service, 'grace@example.com', PASSWORD);
    const api = await signedInClient(service, 'grace@example.com', PASSWORD);
    assertBreached(await api.postJson('/api/password/change', { current_password: PASSWORD, new_password: BREACHED }), 'change');
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'grace@example.com', password: BREACHED })).status, 401);
    const changed = await api.postJson('/api/password/change', { current_password: PASSWORD, new_password: FINE });
    assert.equal(changed.status, 200, changed.text);
  });

  for (const mode of ['slow', 'error-500', 'reset'] as const) {
    it(`fails open when the range API is ${mode === 'slow' ? 'slower than HIBP_TIMEOUT_MS' : mode === 'reset' ? 'unreachable' : 'answering 500'}: accepted, one warning`, async () => {
      range.mode = mode;
      range.slowMs = 5000;
      const warnings = () => logs.entries.filter((e) => e.level === 40 && WARN.test(e.msg)).length;
      const before = warnings();
      const asked = range.requests.length;
      const started = Date.now();
      const response = await apiClient(service).postJson('/api/register', { email: `${mode}@example.com`, password: BREACHED });
      const elapsed = Date.now() - started;
      range.mode = 'normal';
      assert.equal(response.status, 202, response.text);
      assert.equal(range.requests.length, asked + 1, 'the server was asked');
      assert.equal(warnings(), before + 1, 'one warning line');
      if (mode === 'slow') assert.ok(elapsed < TIMEOUT_MS + 2500, `waited ${elapsed} ms, not the server's 5000`);
      const warning = logs.entries.filter((e) => WARN.test(e.msg)).at(-1);
      assert.equal(warning?.reason, mode === 'slow' ? 'timed out' : mode === 'reset' ? 'unreachable' : 'answered 500');
    });
  }

  it('never logs the password nor its hash', () => {
    const hash = createHash('sha1').update(BREACHED).digest('hex');
    const all = logs.lines.join('\n');
    assert.ok(logs.lines.length > 0, 'warnings were captured');
    for (const secret of [BREACHED, hash, hash.toUpperCase(), rangeKey(BREACHED).suffix]) assert.ok(!all.includes(secret), secret);
  });
});

describe('breached-password check off (the default)', () => {
  const range = new HibpRangeServer({ [BREACHED]: 3861493 });
  let service: TestService;
  before(async () => {
    service = await startTestService({ HIBP_URL: await range.start() });
  });
  after(async () => {
    await service.close();
    await range.stop();
  });

  it('never calls the range API: a breached password is accepted at registration and change', async () => {
    assert.equal((await apiClient(service).postJson('/api/register', { email: 'off@example.com', password: BREACHED })).status, 202);
    await registerUser(service, 'ada@example.com', PASSWORD);
    const api = await signedInClient(service, 'ada@example.com', PASSWORD);
    assert.equal((await api.postJson('/api/password/change', { current_password: PASSWORD, new_password: BREACHED })).status, 200);
    assert.equal(range.requests.length, 0);
  });
});
