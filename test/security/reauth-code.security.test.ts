import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const ROOMY = { RATE_LIMIT_REAUTH_SESSION: '1000/900', RATE_LIMIT_REAUTH_ACCOUNT: '1000/900', RATE_LIMIT_FORGOT_EMAIL: '1000/3600' };

/** Status, every header but Date (Set-Cookie included) and body, response by response. */
function assertSameAnswers(responses: Array<[string, TestResponse]>): void {
  const [[, first], ...rest] = responses as [[string, TestResponse], ...Array<[string, TestResponse]>];
  for (const [what, response] of rest) {
    assert.equal(response.status, first.status, `${what}: status`);
    assert.deepEqual(headersWithoutDate(response), headersWithoutDate(first), `${what}: headers and cookies`);
    assert.equal(response.text, first.text, `${what}: body`);
  }
}

describe('"confirm it is you" by emailed code, and accounts without a password', () => {
  let service: TestService;
  const lines: string[] = [];
  const codes: string[] = [];

  before(async () => {
    service = await startTestService(
      { PASSWORD_OPTIONAL: 'true', ...ROOMY },
      {},
      {
        logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }),
      },
    );
  });
  after(() => service.close());

  const mailedCode = async (email: string): Promise<string> => {
    const mail = await service.smtp.waitForMail(email, { subject: /confirmation code/ });
    const code = /Your code is: (\d{8})\b/.exec(mail.parsed.text ?? '')?.[1];
    assert.ok(code);
    codes.push(code);
    return code;
  };
  const userIdOf = async (email: string) => {
    const user = await service.deps.store.users.findByCanonicalEmail(email);
    assert.ok(user);
    return user.id;
  };
  /** A fresh session of the account, made through the service, in a client of its own. */
  const sessionFor = async (email: string): Promise<TestClient> => {
    const { token } = await service.deps.sessions.create(
      await userIdOf(email),
      { ip: '127.0.0.1', userAgent: 'test' },
      { persistent: false },
    );
    const client = apiClient(service);
    client.cookies.set('lk_session', token);
    return client;
  };
  const register = async (email: string, body: Record<string, string> = {}) => {
    const response = await apiClient(service).postJson('/api/register', { email, ...body });
    assert.equal(response.status, 202);
    await service.smtp.waitForMail(email, { subject: /Welcome/ });
  };
  const liveCodeRow = async (email: string) =>
    service.deps.store.db
      .selectFrom('tokens')
      .selectAll()
      .where('user_id', '=', await userIdOf(email))
      .where('purpose', '=', 'reauth-code')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();

  it('registration without a password answers a taken address exactly as one with a password, and as a new address', async () => {
    await register('taken@example.com');
    const api = apiClient(service);
    const responses: Array<[string, TestResponse]> = [
      ['taken, no password', await api.postJson('/api/register', { email: 'taken@example.com' })],
      ['taken, empty password', await api.postJson('/api/register', { email: 'taken@example.com', password: '' })],
      ['taken, a password', await api.postJson('/api/register', { email: 'taken@example.com', password: PASSWORD })],
      ['new, no password', await api.postJson('/api/register', { email: 'fresh1@example.com' })],
      ['new, a password', await api.postJson('/api/register', { email: 'fresh2@example.com', password: PASSWORD })],
    ];
    assertSameAnswers(responses);
    assert.equal(responses[0]![1].status, 202);
    const browser = new TestClient(service.url);
    const form = await browser.get('/register');
    const submit = (email: string, password: string) =>
      browser.postForm('/register', { _csrf: form.csrfToken(), email, password, password_confirm: password });
    assertSameAnswers([
      ['form: taken, no password', await submit('taken@example.com', '')],
      ['form: taken, a password', await submit('taken@example.com', PASSWORD)],
      ['form: new, no password', await submit('fresh3@example.com', '')],
    ]);
    // The taken account is left as it was: still no password.
    assert.equal((await service.deps.store.users.findByCanonicalEmail('taken@example.com'))?.password_hash, null);
  });

  it('counts parallel wrong codes before comparing: of 20 at once at most 5 are compared, then even the right code fails', async () => {
    await register('guess@example.com');
    const api = await sessionFor('guess@example.com');
    assert.equal((await api.postJson('/api/reauthenticate/code', {})).status, 202);
    const code = await mailedCode('guess@example.com');
    const wrong = code === '00000000' ? '11111111' : '00000000';
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.postJson('/api/reauthenticate', { code: wrong })));
    for (const answer of answers) {
      assert.equal(answer.status, 400);
      assert.equal(answer.json().error.code, 'CODE_INVALID');
    }
    assert.equal((await liveCodeRow('guess@example.com')).attempts, 5, 'exactly 5 attempts were counted');
    assert.equal((await api.postJson('/api/reauthenticate', { code })).json().error.code, 'CODE_INVALID', 'the code is dead');
    const session = await api.get('/api/session');
    assert.equal(session.status, 200);
  });

  it('lets exactly one of parallel right entries through, and only once', async () => {
    await register('race@example.com');
    const api = await sessionFor('race@example.com');
    await api.postJson('/api/reauthenticate/code', {});
    const code = await mailedCode('race@example.com');
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.postJson('/api/reauthenticate', { code })));
    assert.equal(answers.filter((a) => a.status === 204).length, 1);
    assert.equal(answers.filter((a) => a.status === 400).length, 9);
  });

  it('binds a code to the session that asked for it: another session of the same account cannot use it', async () => {
    await register('bound@example.com');
    const asking = await sessionFor('bound@example.com');
    const other = await sessionFor('bound@example.com');
    const userId = await userIdOf('bound@example.com');
    // Both sessions signed in long ago: neither counts as recent.
    await service.deps.store.db.updateTable('sessions').set({ authenticated_at: 1 }).where('user_id', '=', userId).execute();
    assert.equal((await other.postJson('/api/email/change', { email: 'bound.new@example.com' })).json().error.code, 'REAUTH_REQUIRED');
    await asking.postJson('/api/reauthenticate/code', {});
    const code = await mailedCode('bound@example.com');
    const refused = await other.postJson('/api/reauthenticate', { code });
    assert.equal(refused.status, 400);
    assert.equal(refused.json().error.code, 'CODE_INVALID');
    // Another account's session: nothing of this account's code either.
    await register('stranger@example.com');
    const stranger = await sessionFor('stranger@example.com');
    assert.equal((await stranger.postJson('/api/reauthenticate', { code })).json().error.code, 'CODE_INVALID');
    assert.equal((await asking.postJson('/api/reauthenticate', { code })).status, 204, 'the asking session still can');
    assert.equal(
      (await other.postJson('/api/email/change', { email: 'bound.new@example.com' })).json().error.code,
      'REAUTH_REQUIRED',
      'the other session is still not recent',
    );
    assert.equal((await asking.postJson('/api/email/change', { email: 'bound.new@example.com' })).status, 202);
  });

  it('sets a first password once: of parallel requests exactly one wins, the others must give it', async () => {
    await register('racer@example.com');
    const clients = await Promise.all(Array.from({ length: 6 }, () => sessionFor('racer@example.com')));
    const answers = await Promise.all(
      clients.map((client, i) => client.postJson('/api/password/change', { new_password: `first passphrase number ${i}` })),
    );
    const winners = answers.map((a, i) => [a.status, i] as const).filter(([status]) => status === 200);
    assert.equal(winners.length, 1, answers.map((a) => `${a.status} ${a.text}`).join('\n'));
    for (const answer of answers.filter((a) => a.status !== 200)) {
      assert.ok([401, 403].includes(answer.status), answer.text);
    }
    const winner = winners[0]![1];
    const stored = (await service.deps.store.users.findByCanonicalEmail('racer@example.com'))?.password_hash;
    assert.ok(stored);
    for (let i = 0; i < clients.length; i++) {
      assert.equal(await service.deps.hasher.verifyPassword(stored, `first passphrase number ${i}`), i === winner, `password ${i}`);
    }
  });

  it('sends codes only to the stored address, within the session, account and inbox limits', async () => {
    const limited = await startTestService({ PASSWORD_OPTIONAL: 'true' });
    try {
      const response = await apiClient(limited).postJson('/api/register', { email: 'Limits@Example.com' });
      assert.equal(response.status, 202);
      const user = await limited.deps.store.users.findByCanonicalEmail('limits@example.com');
      assert.ok(user);
      const { token } = await limited.deps.sessions.create(user.id, { ip: null, userAgent: null }, { persistent: false });
      const api = apiClient(limited);
      api.cookies.set('lk_session', token);
      const answers: number[] = [];
      for (let i = 0; i < 7; i++) answers.push((await api.postJson('/api/reauthenticate/code', {})).status);
      // RATE_LIMIT_FORGOT_EMAIL (5 an hour) is the inbox's budget, shared with the other "mail me"
      // forms: the registration spent one, so 4 codes go out.
      assert.deepEqual(answers, [202, 202, 202, 202, 429, 429, 429]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let i = 0; i < 4; i++) await limited.smtp.waitForMail('Limits@example.com', { subject: /confirmation code/ });
      assert.equal(limited.smtp.mailsTo('limits@example.com').length, 0, 'never to the address as typed somewhere else');
    } finally {
      await limited.close();
    }
  });

  it('keeps codes out of the database (only keyed digests) and out of every log line', async () => {
    assert.ok(codes.length >= 3);
    const db = service.deps.store.db;
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    let dump = '';
    for (const table of tables) {
      const rows = await (db as any).selectFrom(table).selectAll().execute();
      dump += JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    }
    assert.ok(dump.includes('reauth-code'), 'the dump holds the code rows');
    for (const code of codes) assert.ok(!dump.includes(code), `the database holds code ${code.slice(0, 2)}…`);
    const logged = lines.join('');
    assert.ok(logged.includes('/api/reauthenticate'), 'the requests were logged');
    for (const code of codes) assert.ok(!logged.includes(code), `a log line holds code ${code.slice(0, 2)}…`);
  });

  it('offers the passkey button on the page only to an account with a passkey (hidden until the script shows it)', async () => {
    await register('keyed@example.com');
    const browser = new TestClient(service.url);
    const { token } = await service.deps.sessions.create(
      await userIdOf('keyed@example.com'),
      { ip: null, userAgent: null },
      { persistent: false },
    );
    browser.cookies.set('lk_session', token);
    const withoutPasskey = (await browser.get('/account/confirm')).text;
    assert.doesNotMatch(withoutPasskey, /data-passkey-reauth/);
    assert.doesNotMatch(
      withoutPasskey.replace('<script src="/assets/password-toggle.js" defer></script>', ''),
      /<script/,
      'no script but the "show password" one',
    );
    await service.deps.store.passkeys.create({
      id: randomUUID(),
      userId: await userIdOf('keyed@example.com'),
      credentialId: 'AAECAwQFBgcICQoLDA0ODw',
      publicKey: 'pQECAyYgASFYIA',
      counter: 0,
      transports: ['internal'],
      deviceType: 'multiDevice',
      backedUp: true,
      aaguid: null,
      name: 'Laptop',
      nowMs: Date.now(),
    });
    const page = await browser.get('/account/confirm?next=%2Faccount%2Femail');
    assert.match(page.text, /<button type="button" data-passkey-reauth data-next="\/account\/email" hidden>Use a passkey<\/button>/);
    // Only then does the page load scripts: our two, from our own origin, and no inline script.
    const scripts = [...page.text.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, ['<script src="/assets/simplewebauthn-browser.js" defer>', '<script src="/assets/passkeys.js" defer>']);
    assert.doesNotMatch(page.text, /<script>/);
  });
});
