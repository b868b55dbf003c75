import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const PHONE = '+33612345678';

describe('reset by a code sent by SMS through a real local HTTP provider (issue 8, section 4)', () => {
  let service: TestService;
  const provider = new TestSmsServer();
  before(async () => {
    service = await startTestService({ SMS_URL: `${await provider.start()}/send`, RECOVERY_METHODS: 'link,code,sms' });
    await registerUser(service, 'ada@example.com', PASSWORD);
    await registerUser(service, 'nophone@example.com', PASSWORD);
    const ada = await service.deps.store.users.findByCanonicalEmail('ada@example.com');
    await service.deps.store.users.setPhone(ada!.id, PHONE, Date.now());
  });
  after(async () => {
    await service.close();
    await provider.stop();
  });

  it('the page offers "text message to my phone"; the code arrives by SMS (no link), resets the password, ends the sessions', async () => {
    const page = await new TestClient(service.url).get('/forgot-password');
    assert.match(page.text, /value="sms"> A code by text message to my phone/);
    const old = await signedInClient(service, 'ada@example.com', PASSWORD);
    const asked = await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com', method: 'sms' });
    assert.equal(asked.status, 202);
    const sms = await provider.waitFor(PHONE);
    const code = /^(\d{8}) is your Latchkey code\./.exec(sms.body)?.[1];
    assert.ok(code, sms.body);
    assert.doesNotMatch(sms.body, /https?:\/\//, 'no link in the SMS');
    assert.match(sms.body, new RegExp(`@${service.config.publicUrl.hostname} #${code}$`), 'the WebOTP line');

    const reset = await apiClient(service).postJson('/api/password/reset', { email: 'ada@example.com', code, password: NEW_PASSWORD });
    assert.equal(reset.status, 200, reset.text);
    assert.equal((await old.get('/api/session')).status, 401);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'ada@example.com', password: NEW_PASSWORD })).status, 200);
    const again = await apiClient(service).postJson('/api/password/reset', {
      email: 'ada@example.com',
      code,
      password: 'another passphrase',
    });
    assert.equal(again.json().error.code, 'CODE_INVALID');
  });

  it('an account without a verified phone gets nothing, with the same answer', async () => {
    const before = provider.received.length;
    const known = await apiClient(service).postJson('/api/password/forgot', { email: 'nophone@example.com', method: 'sms' });
    const unknown = await apiClient(service).postJson('/api/password/forgot', { email: 'nobody@example.com', method: 'sms' });
    assert.deepEqual(
      { status: unknown.status, headers: headersWithoutDate(unknown), body: unknown.text },
      { status: known.status, headers: headersWithoutDate(known), body: known.text },
    );
    // A later SMS request for ada shows the courier has handled the two jobs before it.
    await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com', method: 'sms' });
    await provider.waitFor(PHONE, { after: 1 });
    assert.equal(provider.received.length, before + 1, 'only ada got an SMS');
    assert.equal(service.smtp.mailsTo('nophone@example.com').filter((m) => /reset/i.test(m.parsed.subject ?? '')).length, 0);
  });
});
