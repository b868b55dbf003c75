import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';
import { assertNoMissingMessages, assertNoUntranslatedText, LOCALES, PSEUDO_ENV, PSEUDO_LOCALE } from '../support/i18n.ts';
import { enrolSecondFactor, totpCode } from '../support/second-step.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const PASSWORD = 'correct horse battery';
const RECENT_AUTH_TTL = 600;
/** Every walk makes new accounts and sends codes: limits that a test of pages does not reach. */
const ROOMY_LIMITS = {
  RATE_LIMIT_REGISTER_IP: '1000/3600',
  RATE_LIMIT_FORGOT_IP: '1000/3600',
  RATE_LIMIT_TOKEN_IP: '1000/900',
  RATE_LIMIT_LOGIN_IP: '1000/900',
};

/** What a walk does with each page it reaches: `where` names it, `data` is what the test typed or was given. */
type Visit = (where: string, page: TestResponse, data?: readonly string[]) => void;

/** The recovery codes a page shows. */
const codesOn = (page: TestResponse) => [...page.text.matchAll(/<li><code>([0-9a-z-]{14})<\/code><\/li>/g)].map((m) => m[1] as string);

describe('two-step sign-in and phone pages in every language: nothing outside the catalogues, no key missing', () => {
  const provider = new TestSmsServer();
  const clock = new ManualClock(Date.now());
  let service: TestService;
  /** The same service without an SMS channel: the phone page that says so. */
  let withoutSms: TestService;
  let walkNumber = 0;

  before(async () => {
    const smsUrl = `${await provider.start()}/sms`;
    service = await startTestService({ ...PSEUDO_ENV, ...ROOMY_LIMITS, SMS_URL: smsUrl }, { clock });
    withoutSms = await startTestService({ ...PSEUDO_ENV });
  });
  after(async () => {
    await service.close();
    await withoutSms.close();
    await provider.stop();
  });

  /** A browser speaking `lang` (the lk_lang cookie set by `?lang=`), signed in as a new account when `signIn`. */
  async function browserIn(lang: string, on: TestService, email?: string): Promise<TestClient> {
    const browser = new TestClient(on.url);
    assert.equal((await browser.get(`/login?lang=${lang}`)).status, 200);
    if (email) {
      await registerUser(on, email, PASSWORD);
      assert.equal((await browser.submitForm('/login', '/login', { email, password: PASSWORD })).status, 303);
    }
    return browser;
  }

  const expectStatus = (page: TestResponse, status: number, where: string) =>
    assert.equal(page.status, status, `${where}: ${page.location ?? page.text.slice(0, 300)}`);

  /** Set-up, QR page, recovery codes and their file, new codes, turning off: each state once. */
  async function walkSettings(lang: string, visit: Visit): Promise<void> {
    const email = `settings${++walkNumber}@example.com`;
    const browser = await browserIn(lang, service, email);
    const see = async (where: string, path: string, status = 200, data: string[] = []) => {
      const page = await browser.get(path);
      expectStatus(page, status, where);
      visit(where, page, [email, ...data]);
      return page;
    };
    const post = async (
      where: string,
      from: string,
      action: string,
      fields: Record<string, string>,
      status: number,
      data: string[] = [],
    ) => {
      const page = await browser.submitForm(from, action, fields);
      expectStatus(page, status, where);
      if (status !== 303) visit(where, page, [email, ...codesOn(page), ...data]);
      return page;
    };
    await see('two-step off', '/account/two-factor');
    await see('set-up not started', '/account/two-factor/setup');
    const forged = await browser.postForm('/account/two-factor/setup', { _csrf: 'forged' });
    expectStatus(forged, 403, 'two-step: expired form');
    visit('two-step: expired form', forged, [email]);
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    await see('two-step off, password asked', '/account/two-factor');
    await post('two-step: empty password', '/account/two-factor', '/account/two-factor/setup', { password: '' }, 400);
    await post('two-step: wrong password', '/account/two-factor', '/account/two-factor/setup', { password: 'not it' }, 400);
    await post('two-step: start', '/account/two-factor', '/account/two-factor/setup', { password: PASSWORD }, 303);

    const setup = await browser.get('/account/two-factor/setup');
    const grouped = /<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.text)?.[1] as string;
    assert.ok(grouped, 'the secret on the set-up page');
    visit('set-up page', setup, [email, grouped]);
    const right = totpCode(grouped.replace(/ /g, ''), clock.nowMs());
    const wrong = right === '000000' ? '111111' : '000000';
    await post('set-up: wrong code', '/account/two-factor/setup', '/account/two-factor/confirm', { code: wrong }, 400, [grouped]);
    await post('set-up: empty code', '/account/two-factor/setup', '/account/two-factor/confirm', { code: '' }, 400, [grouped]);
    const on = await post('recovery codes (on)', '/account/two-factor/setup', '/account/two-factor/confirm', { code: right }, 200);
    const codes = codesOn(on);
    assert.equal(codes.length, 10);
    const file = await browser.postForm('/account/two-factor/recovery-codes.txt', { _csrf: on.csrfToken(), codes: codes.join(' ') });
    expectStatus(file, 200, 'recovery codes file');
    visit('recovery codes file', file, [email, ...codes, service.at('/login')]);

    await see('two-step on (10 codes)', '/account/two-factor');
    await see('set-up when already on', '/account/two-factor/setup', 409);
    await see('new codes (10 left)', '/account/two-factor/recovery-codes');
    const userId = (await service.deps.store.users.findByCanonicalEmail(email))?.id as string;
    for (const code of codes.slice(0, 9)) assert.ok(await service.deps.mfa.recoveryCodes.use(service.deps.store, userId, code));
    await see('two-step on (one code)', '/account/two-factor');
    await see('new codes (one left)', '/account/two-factor/recovery-codes');
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    const path = '/account/two-factor/recovery-codes';
    await post('new codes: no password', path, path, {}, 403);
    const replaced = await post('recovery codes (new)', path, path, { password: PASSWORD }, 200);
    const newCodes = codesOn(replaced);

    const off = '/account/two-factor/disable';
    await see('turn off', off);
    await post('turn off: wrong code', off, off, { code: 'abcd-efgh-jkmn' }, 400, ['abcd-efgh-jkmn']);
    await post('turn off: empty code', off, off, { code: '' }, 400);
    await post('turn off', off, off, { code: newCodes[0] as string }, 303);
    await see('two-step turned off', '/account/two-factor?notice=off');
    await see('turn off when off', off, 409);
    await see('new codes when off', path, 409);
  }

  /** The second step by app, recovery code, email and SMS: each way, sent notices, refusals, timed out. */
  async function walkSecondStep(lang: string, visit: Visit): Promise<void> {
    const email = `second${++walkNumber}@example.com`;
    const phone = `+336123457${String(walkNumber).padStart(2, '0')}`;
    await registerUser(service, email, PASSWORD);
    const { userId, secret } = await enrolSecondFactor(service, email);
    /** A browser past the password step (a new pending sign-in: sending a code is limited to one per 30 s of each). */
    const pendingBrowser = async () => {
      const browser = await browserIn(lang, service);
      const signIn = await browser.submitForm('/login', '/login', { email, password: PASSWORD });
      assert.equal(signIn.location, '/login/second-factor');
      return browser;
    };
    let browser = await pendingBrowser();
    const see = async (where: string, path: string, status = 200) => {
      const page = await browser.get(path);
      expectStatus(page, status, where);
      visit(where, page, [email]);
    };
    const post = async (where: string, action: string, fields: Record<string, string>, status: number) => {
      const page = await browser.submitForm('/login/second-factor', action, fields);
      expectStatus(page, status, where);
      if (status === 303) return see(where, page.location as string);
      visit(where, page, [email]);
    };
    await see('second step: app', '/login/second-factor');
    await see('second step: recovery code', '/login/second-factor?method=recovery_code');
    await see('second step: email', '/login/second-factor?method=email_code');
    await post('second step: no phone to text', '/login/second-factor/send', { method: 'sms_code' }, 400);
    await service.deps.store.users.setPhone(userId, phone, clock.nowMs());
    await see('second step: SMS', '/login/second-factor?method=sms_code');
    await post('second step: code emailed', '/login/second-factor/send', { method: 'email_code' }, 303);
    await post('second step: sent too soon', '/login/second-factor/send', { method: 'email_code' }, 429);
    browser = await pendingBrowser();
    await post('second step: code texted', '/login/second-factor/send', { method: 'sms_code' }, 303);
    const wrong = totpCode(secret, clock.nowMs()) === '000000' ? '111111' : '000000';
    await post('second step: wrong code', '/login/second-factor', { method: 'totp', code: wrong, remember_device: 'on' }, 400);
    await post('second step: empty code', '/login/second-factor', { method: 'recovery_code', code: '' }, 400);
    await post('second step: unknown way', '/login/second-factor', { method: 'pigeon', code: '1' }, 400);
    const forged = await browser.postForm('/login/second-factor', { _csrf: 'forged', method: 'totp', code: '123456' });
    expectStatus(forged, 403, 'second step: expired form');
    visit('second step: expired form', forged, [email]);
    const timedOut = await (await browserIn(lang, service)).get('/login/second-factor');
    expectStatus(timedOut, 400, 'second step: timed out');
    visit('second step: timed out', timedOut);
  }

  /** The phone pages: none, refusals, the code page and its refusals, added, removed, no SMS channel. */
  async function walkPhone(lang: string, visit: Visit): Promise<void> {
    const email = `phone${++walkNumber}@example.com`;
    const phone = `+336123458${String(walkNumber).padStart(2, '0')}`;
    const browser = await browserIn(lang, service, email);
    const see = async (where: string, path: string, status = 200) => {
      const page = await browser.get(path);
      expectStatus(page, status, where);
      visit(where, page, [email]);
    };
    const post = async (where: string, from: string, action: string, fields: Record<string, string>, status: number) => {
      const page = await browser.submitForm(from, action, fields);
      expectStatus(page, status, where);
      if (status !== 303) visit(where, page, [email]);
    };
    await see('phone: none', '/account/phone');
    await post('phone: not a number', '/account/phone', '/account/phone', { phone: '12', password: '' }, 400);
    await post('phone: empty number', '/account/phone', '/account/phone', { phone: '', password: '' }, 400);
    await post('phone: wrong password', '/account/phone', '/account/phone', { phone, password: 'not it' }, 400);
    const forged = await browser.postForm('/account/phone', { _csrf: 'forged', phone });
    expectStatus(forged, 403, 'phone: expired form');
    visit('phone: expired form', forged, [email]);
    await post('phone: send', '/account/phone', '/account/phone', { phone, password: '' }, 303);
    const code = /(?<!\d)(\d{6})(?!\d)/.exec((await provider.waitFor(phone)).body)?.[1] as string;
    const wrong = code === '000000' ? '000001' : '000000';
    const verify = '/account/phone/verify';
    await see('phone: enter the code', verify);
    await post('phone: empty code', verify, verify, { code: '' }, 400);
    for (let i = 1; i <= 4; i++) await post(`phone: wrong code ${i}`, verify, verify, { code: wrong }, 400);
    await post('phone: code spent', verify, verify, { code: wrong }, 400);
    await see('phone: no code waiting', verify);
    clock.advanceSeconds(60);
    await post('phone: send again', '/account/phone', '/account/phone', { phone, password: '' }, 303);
    const fresh = /(?<!\d)(\d{6})(?!\d)/.exec((await provider.waitFor(phone, { after: 1 })).body)?.[1] as string;
    await post('phone: verified', verify, verify, { code: fresh }, 303);
    await see('phone: added', '/account/phone?notice=added');
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    await post('phone: remove, wrong password', '/account/phone', '/account/phone/remove', { password: 'not it' }, 400);
    await post('phone: remove, no password', '/account/phone', '/account/phone/remove', { password: '' }, 403);
    await post('phone: remove', '/account/phone', '/account/phone/remove', { password: PASSWORD }, 303);
    await see('phone: removed', '/account/phone?notice=removed');
    const noSms = await browserIn(lang, withoutSms, `nosms${walkNumber}@example.com`);
    const unavailable = await noSms.get('/account/phone');
    expectStatus(unavailable, 200, 'phone: no SMS channel');
    visit('phone: no SMS channel', unavailable, [`nosms${walkNumber}@example.com`]);
  }

  async function walkAll(lang: string, visit: Visit): Promise<void> {
    await walkSettings(lang, visit);
    await walkSecondStep(lang, visit);
    await walkPhone(lang, visit);
  }

  /** The page is in `lang` (the text file of the codes has no `<html>`). */
  function inLanguage(lang: string, where: string, page: TestResponse): void {
    if (!(page.headers.get('content-type') ?? '').startsWith('text/html')) return;
    assert.ok(page.text.includes(`<html lang="${lang}"`), `${where}: <html lang="${lang}">`);
  }

  it('in the pseudo-locale, every text of every page and state comes from a catalogue', async () => {
    let visited = 0;
    await walkAll(PSEUDO_LOCALE, (where, page, data = []) => {
      inLanguage(PSEUDO_LOCALE, where, page);
      assertNoUntranslatedText(page.text, where, data);
      visited++;
    });
    assert.ok(visited > 50, `${visited} pages`);
  });

  for (const locale of LOCALES) {
    it(`in ${locale}, the same pages find every message in the catalogue`, async () => {
      await walkAll(locale, (where, page) => inLanguage(locale, where, page));
      assertNoMissingMessages([locale]);
    });
  }
});
