import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser } from '../support/flows.ts';
import { requestResetCode, resetCodeIn, wrongCode } from '../support/reset-codes.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

/** Status, every header but Date (Set-Cookie included), and body: what an observer can compare. */
function observable(response: TestResponse) {
  return { status: response.status, headers: headersWithoutDate(response), body: response.text };
}

async function liveCodeAttempts(service: TestService, email: string): Promise<number> {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  const rows = await service.deps.store.db
    .selectFrom('tokens')
    .select(['attempts', 'used_at', 'revoked_at'])
    .where('user_id', '=', user!.id)
    .where('purpose', '=', 'reset-code')
    .execute();
  const live = rows.filter((r) => r.used_at === null && r.revoked_at === null);
  assert.equal(live.length, 1, 'one live code');
  return Number(live[0]?.attempts);
}

describe('reset codes cannot be guessed, and say nothing about accounts (S4, S7, S19)', () => {
  let service: TestService;
  const lines: string[] = [];
  before(async () => {
    service = await startTestService(
      {
        RECOVERY_METHODS: 'link,code,sms',
        RATE_LIMIT_TOKEN_IP: '1000/900',
        RATE_LIMIT_FORGOT_EMAIL: '100/3600',
        RATE_LIMIT_FORGOT_IP: '1000/3600',
      },
      {},
      { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) },
    );
    await registerUser(service, 'ada@example.com', PASSWORD);
    await registerUser(service, 'bob@example.com', PASSWORD);
  });
  after(() => service.close());

  it('20 parallel wrong codes: exactly 5 are counted, all get the same answer, then even the right code is refused', async () => {
    const email = 'ada@example.com';
    const code = await requestResetCode(service, email);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        apiClient(service).postJson('/api/password/reset', { email, code: wrongCode(code, i + 1), password: NEW_PASSWORD }),
      ),
    );
    for (const answer of answers) assert.deepEqual(observable(answer), observable(answers[0] as TestResponse));
    assert.equal(answers[0]?.status, 400);
    assert.equal(answers[0]?.json().error.code, 'CODE_INVALID');
    assert.equal(await liveCodeAttempts(service, email), 5, 'exactly 5 attempts counted');
    const right = await apiClient(service).postJson('/api/password/reset', { email, code, password: NEW_PASSWORD });
    assert.deepEqual(observable(right), observable(answers[0] as TestResponse), 'a dead code answers like a wrong one');
    assert.equal((await apiClient(service).postJson('/api/login', { email, password: PASSWORD })).status, 200);
  });

  it('an unknown address, a known one without a code, a wrong code and a spent code get byte-identical answers', async () => {
    const code = await requestResetCode(service, 'bob@example.com');
    const attempt = (email: string, guess: string) =>
      apiClient(service).postJson('/api/password/reset', { email, code: guess, password: NEW_PASSWORD });
    const wrong = await attempt('bob@example.com', wrongCode(code));
    assert.equal(wrong.json().error.code, 'CODE_INVALID');
    assert.equal(wrong.json().error.message, 'The code is not correct. Check it and try again.');
    assert.equal(wrong.headers.getSetCookie().length, 0, 'no cookie');
    for (const [email, guess] of [
      ['nobody@example.com', code],
      ['nobody@example.com', wrongCode(code)],
      ['NOBODY@example.org', '1234 5678'],
      ['ada@example.com', code], // known, its code is dead
      ['ada@example.com', 'not digits'],
      ['bob@example.com', wrongCode(code, 2)],
    ] as const) {
      assert.deepEqual(observable(await attempt(email, guess)), observable(wrong), `${email} / ${guess}`);
    }
    // Pages: the same page for an unknown address and a wrong code (the typed address is shown back).
    const browser = new TestClient(service.url);
    const form = await browser.get('/reset/code');
    const post = (email: string) =>
      browser.postForm('/reset/code', {
        _csrf: form.csrfToken(),
        email,
        code: wrongCode(code),
        password: NEW_PASSWORD,
        password_confirm: NEW_PASSWORD,
      });
    const known = await post('bob@example.com');
    const unknown = await post('bob@example.net');
    assert.equal(known.status, 400);
    assert.deepEqual(observable(unknown), { ...observable(known), body: known.text.replaceAll('bob@example.com', 'bob@example.net') });
    // The right code still works after these (4 wrong attempts were counted on it).
    assert.equal((await attempt('bob@example.com', code)).status, 200);
  });

  it('forgot-password answers the same for known and unknown addresses with every method (link, code, sms)', async () => {
    const api = apiClient(service);
    const first = await api.postJson('/api/password/forgot', { email: 'ada@example.com' });
    assert.equal(first.status, 202);
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      for (const method of ['link', 'code', 'sms']) {
        const response = await api.postJson('/api/password/forgot', { email, method });
        assert.deepEqual(observable(response), observable(first), `${email} by ${method}`);
      }
    }
    assert.equal(api.cookies.size, 0);
    // Pages: asking for a code leads to the code form for any address alike.
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/forgot-password')).csrfToken();
    const known = await browser.postForm('/forgot-password', { _csrf: csrf, email: 'ada@example.com', method: 'code' });
    const unknown = await browser.postForm('/forgot-password', { _csrf: csrf, email: 'nobody@example.com', method: 'code' });
    assert.equal(known.status, 303);
    const withoutAddress = (r: TestResponse) => ({ ...observable(r), headers: observable(r).headers.filter(([n]) => n !== 'location') });
    assert.deepEqual(withoutAddress(unknown), withoutAddress(known));
    assert.equal(unknown.location, '/reset/code?email=nobody%40example.com');
    // The two codes asked for ada here arrive (no SMS: ada has no phone); the next test wants fresh ones.
    for (let i = 0; i < 2; i++) await service.smtp.waitForMail('ada@example.com', { subject: /reset code/ });
  });

  it('no code ever reaches a log line or the database', async () => {
    const email = 'ada@example.com';
    const codes = [await requestResetCode(service, email), await requestResetCode(service, email)];
    const browser = new TestClient(service.url);
    const form = await browser.get(`/reset/code?email=${encodeURIComponent(email)}`);
    const wrongOne = wrongCode(codes[1] as string);
    codes.push(wrongOne);
    assert.equal(
      (
        await browser.postForm('/reset/code', {
          _csrf: form.csrfToken(),
          email,
          code: wrongOne,
          password: NEW_PASSWORD,
          password_confirm: NEW_PASSWORD,
        })
      ).status,
      400,
    );
    const done = await browser.postForm('/reset/code', {
      _csrf: form.csrfToken(),
      email,
      code: codes[1] as string,
      password: NEW_PASSWORD,
      password_confirm: NEW_PASSWORD,
    });
    assert.equal(done.status, 303);
    await service.smtp.waitForMail(email, { subject: /password was changed/ });

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
    assert.ok(dump.join('').includes('reset-code'), 'the dump holds the code rows');
    for (const code of codes) {
      // As a number of its own (a longer number, such as a time in ms, may contain the digits by chance).
      const alone = new RegExp(`(?<!\\d)${code}(?!\\d)`);
      assert.doesNotMatch(log, alone, `code ${code} in the logs`);
      assert.doesNotMatch(dump.join(''), alone, `code ${code} in the database`);
    }
  });
});

describe('code attempts are limited per client IP, across accounts (S19)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '3/900' });
    for (const name of ['a', 'b', 'c', 'd']) await registerUser(service, `${name}@example.com`, PASSWORD);
  });
  after(() => service.close());

  it('one client spraying codes over many accounts is stopped; a right code does not count', async () => {
    const code = await requestResetCode(service, 'd@example.com');
    assert.equal(
      (await apiClient(service).postJson('/api/password/reset', { email: 'd@example.com', code, password: NEW_PASSWORD })).status,
      200,
      'a right code gives its point back',
    );
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      const wrong = await apiClient(service).postJson('/api/password/reset', { email, code: '12345678', password: NEW_PASSWORD });
      assert.equal(wrong.json().error.code, 'CODE_INVALID');
    }
    const limited = await apiClient(service).postJson('/api/password/reset', {
      email: 'nobody@example.com',
      code: '12345678',
      password: NEW_PASSWORD,
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    const fresh = resetCodeIn(
      await (async () => {
        await apiClient(service).postJson('/api/password/forgot', { email: 'a@example.com', method: 'code' });
        return service.smtp.waitForMail('a@example.com', { subject: /reset code/ });
      })(),
    );
    const blocked = await apiClient(service).postJson('/api/password/reset', {
      email: 'a@example.com',
      code: fresh,
      password: NEW_PASSWORD,
    });
    assert.equal(blocked.status, 429, 'the limit applies before any code is compared');
  });
});
