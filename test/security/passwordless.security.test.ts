import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { outboxSettled } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';
import { requestSignInMail, sessionAmrs, signInTokenRows } from '../support/passwordless.ts';
import { wrongCode } from '../support/reset-codes.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

/** Status, every header but Date (Set-Cookie included), and body: what an observer can compare. */
function observable(response: TestResponse) {
  return { status: response.status, headers: headersWithoutDate(response), body: response.text };
}

describe('sign-in by mailed link or code: enumeration, guessing, races, revocation, secrecy', () => {
  let service: TestService;
  const lines: string[] = [];
  let n = 0;
  before(async () => {
    service = await startTestService(
      { RATE_LIMIT_TOKEN_IP: '1000/900', RATE_LIMIT_FORGOT_IP: '1000/3600' },
      {},
      { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) },
    );
  });
  after(() => service.close());

  async function account() {
    const email = `user${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    return email;
  }

  it('known, unknown, disabled and rate-limited addresses get byte-identical answers; only the known enabled one gets mail', async () => {
    const known = await account();
    const disabled = await account();
    assert.ok((await service.deps.admin.disable(disabled)).ok);
    const api = apiClient(service);
    const first = await api.postJson('/api/login/email', { email: known });
    assert.equal(first.status, 202);
    assert.match(first.json().message, /If an account uses that address/);
    // The known address passes its 5-a-hour mail budget (RATE_LIMIT_FORGOT_EMAIL) on the way.
    const addresses = [
      known,
      'nobody@example.com',
      disabled,
      ` ${known.toUpperCase()} `,
      known,
      known,
      known,
      known,
      known,
      'x@example.org',
    ];
    for (const email of addresses) {
      const answer = await api.postJson('/api/login/email', { email, return_to: '/account/sessions' });
      assert.deepEqual(observable(answer), observable(first), email);
    }
    assert.equal(api.cookies.size, 0, 'no cookie');

    // Pages: the same redirect for every address (but the address it carries) and no cookie but CSRF.
    const browser = new TestClient(service.url);
    const form = await browser.get('/login/email');
    const post = (email: string) => browser.postForm('/login/email', { _csrf: form.csrfToken(), email });
    const knownPage = await post(known);
    assert.equal(knownPage.status, 303);
    for (const email of ['nobody@example.com', disabled]) {
      const other = await post(email);
      assert.deepEqual(observable(other), {
        ...observable(knownPage),
        headers: observable(knownPage).headers.map(([k, v]) => [
          k,
          k === 'location' ? v.replace(encodeURIComponent(known), encodeURIComponent(email)) : v,
        ]),
      });
    }
    const inboxKnown = await browser.get(`/login/email/code?email=${encodeURIComponent(known)}`);
    const inboxUnknown = await browser.get(`/login/email/code?email=${encodeURIComponent('nobody@example.com')}`);
    assert.equal(inboxUnknown.text.replaceAll('nobody@example.com', known), inboxKnown.text);

    await outboxSettled(service);
    const to = (email: string) =>
      service.smtp.mails.filter((m) => m.envelopeTo.includes(email) && /^Sign in to/.test(m.parsed.subject ?? ''));
    assert.equal(to(known).length, 4, 'the per-address mail budget (5 an hour, the welcome mail included) holds');
    assert.equal(to(disabled).length, 0, 'a disabled account gets no mail');
    assert.equal(to('nobody@example.com').length, 0);
    for (let i = 0; i < 4; i++) await service.smtp.waitForMail(known, { subject: /^Sign in to/ });
  });

  it('a malformed address is EMAIL_INVALID, and bad input of every shape is a clear 400, never a 500', async () => {
    const api = apiClient(service);
    const bad = await api.postJson('/api/login/email', { email: 'ada@example.com,eve@evil.example' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().error.code, 'EMAIL_INVALID');
    for (const body of [
      { email: ['ada@example.com'] },
      { email: { $ne: null } },
      { email: 'ada@example.com', extra: 1 },
      {},
      'not json',
      { email: 'a'.repeat(400) },
    ]) {
      const answer = await api.postJson('/api/login/email', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.ok(['VALIDATION_FAILED', 'INVALID_JSON'].includes(answer.json().error.code), answer.text);
    }
    for (const body of [
      {},
      { token: 'x'.repeat(43), email: 'ada@example.com', code: '12345678' },
      { email: 'ada@example.com' },
      { code: '12345678' },
      { token: ['x'] },
      { email: 'ada@example.com', code: 12345678 },
      { token: 'x'.repeat(300) },
      { token: 'x'.repeat(43), remember: 'yes' },
    ]) {
      const answer = await api.postJson('/api/login/email/verify', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json().error.code, 'VALIDATION_FAILED', answer.text);
    }
    const notShaped = await api.postJson('/api/login/email/verify', { token: 'not a token' });
    assert.equal(notShaped.json().error.code, 'TOKEN_INVALID');
    const form = await new TestClient(service.url).get('/login/email');
    const dup = await new TestClient(service.url).request('POST', '/login/email', {
      body: `_csrf=${form.csrfToken()}&email=a%40example.com&email=b%40example.com`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(dup.status, 400);
  });

  it('unknown address, disabled account, wrong, used and spent codes all answer the same CODE_INVALID', async () => {
    const email = await account();
    const disabled = await account();
    const { code } = await requestSignInMail(service, email);
    const disabledMail = await requestSignInMail(service, disabled);
    assert.ok((await service.deps.admin.disable(disabled)).ok);
    const attempt = (address: string, guess: string) =>
      apiClient(service).postJson('/api/login/email/verify', { email: address, code: guess });
    const wrong = await attempt(email, wrongCode(code));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().error.code, 'CODE_INVALID');
    assert.equal(wrong.headers.getSetCookie().length, 0);
    for (const [address, guess] of [
      ['nobody@example.com', code],
      [disabled, disabledMail.code],
      [email, 'not digits'],
      [email, wrongCode(code, 2)],
    ] as const) {
      assert.deepEqual(observable(await attempt(address, guess)), observable(wrong), `${address} ${guess}`);
    }
    const user = await service.deps.store.users.findByCanonicalEmail(email);
    const failures = (await service.deps.store.audit.listForUser(user!.id)).filter((e) => e.type === 'login.failed');
    assert.equal(failures.length, 3, 'each wrong code of the account is in its audit trail (S24)');
    assert.ok(failures.every((e) => String(e.detail).includes('"method":"signin-code"')));
    assert.equal((await attempt(email, code)).status, 200, 'the right code still works after 3 wrong ones');
    assert.deepEqual(observable(await attempt(email, code)), observable(wrong), 'a used code answers like a wrong one');
    // The disabled account's link does not work either.
    const link = await new TestClient(service.url).get(`/login/link/${disabledMail.token}`);
    assert.equal(link.status, 400);
  });

  it('20 parallel wrong codes: at most 5 are compared, then even the right code is refused', async () => {
    const email = await account();
    const { code } = await requestSignInMail(service, email);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => apiClient(service).postJson('/api/login/email/verify', { email, code: wrongCode(code, i + 1) })),
    );
    for (const answer of answers) assert.deepEqual(observable(answer), observable(answers[0] as TestResponse));
    assert.equal(answers[0]?.json().error.code, 'CODE_INVALID');
    const codeRow = (await signInTokenRows(service, email)).find((r) => r.purpose === 'signin-code');
    assert.equal(Number(codeRow?.attempts), 5, 'exactly 5 attempts counted');
    const right = await apiClient(service).postJson('/api/login/email/verify', { email, code });
    assert.deepEqual(observable(right), observable(answers[0] as TestResponse));
    assert.deepEqual(await sessionAmrs(service, email), []);
  });

  it('parallel uses of one link, and of one code, give exactly one session', async () => {
    const email = await account();
    const { token } = await requestSignInMail(service, email);
    const answers = await Promise.all(Array.from({ length: 10 }, () => apiClient(service).postJson('/api/login/email/verify', { token })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array(9).fill(400)]);
    for (const answer of answers.filter((a) => a.status === 400)) assert.equal(answer.json().error.code, 'TOKEN_USED');
    assert.deepEqual(await sessionAmrs(service, email), ['email']);

    // The page form of the link, raced from several browsers that all opened it.
    const second = await requestSignInMail(service, email);
    const browsers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const browser = new TestClient(service.url);
        assert.equal((await browser.get(`/login/link/${second.token}`)).status, 303);
        return { browser, csrf: (await browser.get('/login/link')).csrfToken() };
      }),
    );
    const pressed = await Promise.all(browsers.map(({ browser, csrf }) => browser.postForm('/login/link', { _csrf: csrf })));
    assert.deepEqual(pressed.map((p) => p.status).sort(), [303, 400, 400, 400, 400, 400]);
    assert.equal((await sessionAmrs(service, email)).length, 2);

    const third = await requestSignInMail(service, email);
    const byCode = await Promise.all(
      Array.from({ length: 8 }, () => apiClient(service).postJson('/api/login/email/verify', { email, code: third.code })),
    );
    assert.deepEqual(byCode.map((a) => a.status).sort(), [200, ...Array(7).fill(400)]);
    assert.equal((await sessionAmrs(service, email)).length, 3);
  });

  it('a password change, "sign out everywhere", a reset and an email change revoke live links and codes', async () => {
    const verify = (body: Record<string, string>) => apiClient(service).postJson('/api/login/email/verify', body);
    const dead = async (email: string, proofs: { token: string; code: string }, why: string) => {
      assert.equal((await verify({ token: proofs.token })).json().error.code, 'TOKEN_REVOKED', why);
      assert.equal((await verify({ email, code: proofs.code })).json().error.code, 'CODE_INVALID', why);
      const rows = await signInTokenRows(service, email);
      assert.ok(
        rows.every((r) => r.used_at !== null || r.revoked_at !== null),
        `${why}: every sign-in token revoked`,
      );
    };

    const a = await account();
    const client = await signedInClient(service, a, PASSWORD);
    const mailA = await requestSignInMail(service, a);
    const changed = await client.postJson('/api/password/change', { current_password: PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(changed.status, 200, changed.text);
    await dead(a, mailA, 'password change');

    const b = await account();
    const other = await signedInClient(service, b, PASSWORD);
    const mailB = await requestSignInMail(service, b);
    assert.equal((await other.postJson('/api/sessions/revoke-others', {})).status, 200);
    await dead(b, mailB, 'sign out everywhere');

    const c = await account();
    const mailC = await requestSignInMail(service, c);
    assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: c })).status, 202);
    const reset = await service.smtp.waitForMail(c, { subject: /Reset your password/ });
    const resetToken = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(reset.parsed.text ?? '')?.[1] as string;
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token: resetToken, password: NEW_PASSWORD })).status, 200);
    await dead(c, mailC, 'reset');

    const d = await account();
    const moving = await signedInClient(service, d, PASSWORD);
    const mailD = await requestSignInMail(service, d);
    const change = await moving.postJson('/api/email/change', { email: `moved-${d}`, password: PASSWORD });
    assert.equal(change.status, 202, change.text);
    const confirm = await service.smtp.waitForMail(`moved-${d}`, { subject: /Confirm your new email address/ });
    const changeToken = /\/email-change\/confirm\/([A-Za-z0-9_-]+)/.exec(confirm.parsed.text ?? '')?.[1] as string;
    assert.equal((await apiClient(service).postJson('/api/email/change/confirm', { token: changeToken })).status, 200);
    assert.equal((await verify({ token: mailD.token })).json().error.code, 'TOKEN_REVOKED', 'email change');
  });

  it('no link token or code reaches a log line or the database', async () => {
    const email = await account();
    const secrets: string[] = [];
    const first = await requestSignInMail(service, email);
    secrets.push(first.token, first.code);
    const browser = new TestClient(service.url);
    assert.equal((await browser.get(`/login/link/${first.token}`)).status, 303);
    const page = await browser.get('/login/link');
    assert.equal((await browser.postForm('/login/link', { _csrf: page.csrfToken() })).status, 303);
    const second = await requestSignInMail(service, email);
    secrets.push(second.token, second.code);
    const inbox = await browser.get(`/login/email/code?email=${encodeURIComponent(email)}`);
    const wrong = wrongCode(second.code);
    secrets.push(wrong);
    assert.equal((await browser.postForm('/login/email/code', { _csrf: inbox.csrfToken(), email, code: wrong })).status, 400);
    assert.equal((await apiClient(service).postJson('/api/login/email/verify', { email, code: second.code })).status, 200);
    await outboxSettled(service);

    const log = lines.join('');
    assert.ok(lines.length > 20, 'trace logging captured the requests');
    const dump: string[] = [];
    const db = service.deps.store.db;
    for (const table of await db.introspection.getTables()) {
      if (table.isView) continue;
      dump.push(
        JSON.stringify(
          await db
            .selectFrom(table.name as never)
            .selectAll()
            .execute(),
        ),
      );
    }
    assert.ok(dump.join('').includes('signin-code'), 'the dump holds the code rows');
    for (const secret of secrets) {
      const alone = new RegExp(`(?<![\\dA-Za-z_-])${secret}(?![\\dA-Za-z_-])`);
      assert.doesNotMatch(log, alone, `${secret} in the logs`);
      assert.doesNotMatch(dump.join(''), alone, `${secret} in the database`);
    }
  });
});
