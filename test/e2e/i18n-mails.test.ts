import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, tokenOf } from '../support/flows.ts';
import { TestSmsServer } from '../support/sms-server.ts';
import type { ReceivedMail } from '../support/smtp.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const PHONE = '+33612345678';

/** A mail's subject, its text and the language its HTML part declares. */
function read(mail: ReceivedMail): { subject: string; text: string; lang: string | undefined } {
  return {
    subject: mail.parsed.subject ?? '',
    text: mail.parsed.text ?? '',
    lang: /<html lang="([^"]+)"/.exec(mail.parsed.html ?? '')?.[1],
  };
}

describe('mails and SMS go out in the language the recipient account last used, not the requester’s', () => {
  let service: TestService;
  const provider = new TestSmsServer();
  before(async () => {
    service = await startTestService({
      SMS_URL: `${await provider.start()}/send`,
      RECOVERY_METHODS: 'link,code,sms',
      USERNAMES: 'optional',
      RATE_LIMIT_FORGOT_EMAIL: '100/3600',
    });
  });
  after(async () => {
    await service.close();
    await provider.stop();
  });

  it('an account registered with Accept-Language: de gets its confirmation mail in German and keeps the language', async () => {
    const registered = await apiClient(service, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' }).postJson('/api/register', {
      email: EMAIL,
      password: PASSWORD,
      username: 'ada_l',
    });
    assert.equal(registered.status, 202, registered.text);
    const mail = read(await service.smtp.waitForMail(EMAIL));
    assert.equal(mail.subject, 'Willkommen bei Latchkey: Bestätigen Sie Ihre E-Mail-Adresse');
    assert.match(mail.text, /^Hallo,\n\nIhr Konto wurde erstellt\./);
    assert.match(mail.text, /Der Link läuft in \d+ (Stunden?|Tagen?) ab und funktioniert nur einmal\./);
    assert.equal(mail.lang, 'de');
    const link = /https?:\/\/\S+\/confirm-email\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    assert.ok(link, mail.text);
    assert.equal((await apiClient(service).postJson('/api/confirm', { token: tokenOf(link) })).status, 200);
    const user = await service.deps.store.users.findByCanonicalEmail(EMAIL);
    assert.equal(user?.locale, 'de');
    await service.deps.store.users.setPhone(user?.id as string, PHONE, Date.now());
  });

  it('a forgot-password request in French, by ?lang=fr or in no language mails the German account in German', async () => {
    const requests: Array<[string, Record<string, string>]> = [
      ['/api/password/forgot', { 'accept-language': 'fr' }],
      ['/api/password/forgot?lang=fr', {}],
      ['/api/password/forgot', {}],
    ];
    for (const [path, headers] of requests) {
      assert.equal((await apiClient(service, headers).postJson(path, { email: EMAIL })).status, 202);
      const mail = read(await service.smtp.waitForMail(EMAIL));
      assert.equal(mail.subject, 'Passwort zurücksetzen', `${path} ${JSON.stringify(headers)}`);
      assert.match(mail.text, /Jemand \(hoffentlich Sie\) hat angefordert, das Passwort Ihres Kontos zurückzusetzen\./);
      assert.doesNotMatch(mail.text, /Quelqu’un|Someone/);
      assert.equal(mail.lang, 'de');
    }
  });

  it('the reset code by SMS, asked for in French, is texted in German', async () => {
    const asked = await apiClient(service, { 'accept-language': 'fr' }).postJson('/api/password/forgot', { email: EMAIL, method: 'sms' });
    assert.equal(asked.status, 202);
    const sms = await provider.waitFor(PHONE);
    assert.match(sms.body, /^\d{8} ist Ihr Code für Latchkey\.\n\n@[^ ]+ #\d{8}$/);
  });

  it('a registration attempt in Japanese on the taken address tells the owner in German; one for a free address in DEFAULT_LOCALE', async () => {
    const japanese = apiClient(service, { 'accept-language': 'ja' });
    assert.equal((await japanese.postJson('/api/register', { email: EMAIL, password: PASSWORD })).status, 202);
    const exists = read(await service.smtp.waitForMail(EMAIL));
    assert.equal(exists.subject, 'Sie haben bereits ein Konto');
    assert.equal(exists.lang, 'de');
    // A free address with a taken username: no account, so no language of its own.
    assert.equal(
      (await japanese.postJson('/api/register', { email: 'other@example.com', password: PASSWORD, username: 'ada_l' })).status,
      202,
    );
    const unavailable = read(await service.smtp.waitForMail('other@example.com'));
    assert.equal(unavailable.subject, 'Choose another username');
    assert.equal(unavailable.lang, 'en');
  });

  it('once the user signs in with ?lang=es, the account speaks Spanish: the next notice mail is Spanish', async () => {
    const client = apiClient(service);
    const signedIn = await client.postJson('/api/login?lang=es', { email: EMAIL, password: PASSWORD });
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.equal(client.cookies.get('lk_lang'), 'es');
    const changed = await client.postJson('/api/password/change', { current_password: PASSWORD, new_password: 'a brand new passphrase' });
    assert.equal(changed.status, 200, changed.text);
    const mail = read(await service.smtp.waitForMail(EMAIL));
    assert.equal(mail.subject, 'Se cambió su contraseña');
    assert.match(mail.text, /La contraseña de su cuenta se cambió el \d+ de \p{L}+ de \d{4}.* UTC\./u);
    assert.equal(mail.lang, 'es');
    assert.equal((await service.deps.store.users.findByCanonicalEmail(EMAIL))?.locale, 'es');
  });
});
