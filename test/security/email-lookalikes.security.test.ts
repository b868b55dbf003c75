import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, eventually, registerUser } from '../support/flows.ts';

const STORED = 'Ada.Lovelace@example.com';

describe('mail goes to the stored address, never the one typed (S21)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
    await registerUser(service, STORED, 'correct horse battery');
  });
  after(() => service.close());

  const resetMailsTo = (address: string) => service.smtp.mailsTo(address).filter((m) => /Reset your password/.test(m.parsed.subject ?? ''));

  it('case and width variants reach the account, and the mail goes to the address as stored', async () => {
    for (const typed of [' ADA.LOVELACE@EXAMPLE.COM ', 'ada.lovelace@ＥＸＡＭＰＬＥ.com', 'ada.lovelace@Example.Com']) {
      const before = resetMailsTo(STORED).length;
      assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: typed })).status, 202);
      await eventually(async () => (resetMailsTo(STORED).length > before ? true : undefined), `a reset mail for ${typed}`);
    }
    for (const mail of resetMailsTo(STORED)) {
      assert.deepEqual(mail.envelopeTo, [STORED]);
      assert.equal(mail.parsed.to?.[0]?.address, STORED);
    }
    assert.equal(service.smtp.mails.filter((m) => m.envelopeTo.some((to) => to !== STORED)).length, 0, 'nothing to the typed forms');
  });

  it('lookalike addresses are other addresses or refused, and reach no one', async () => {
    const before = service.smtp.mails.length;
    const lookalikes = ['ada.lovelace@exam\u0131ple.com', 'ada.lovelace@examp1e.com', 'ada.lovelace@example.com.evil.example'];
    for (const email of lookalikes) assert.equal((await apiClient(service).postJson('/api/password/forgot', { email })).status, 202, email);
    for (const email of ['ada.lovel\u0430ce@example.com', 'ad\u0251.lovelace@example.com', 'ADA.LOVELACE\u212A@example.com']) {
      const response = await apiClient(service).postJson('/api/password/forgot', { email });
      assert.equal(response.status, 400, email);
      assert.equal(response.json().error.code, 'EMAIL_INVALID');
    }
    await eventually(async () => {
      const counts = await service.deps.store.outbox.countByStatus();
      return (counts.pending ?? 0) + (counts.sending ?? 0) === 0 ? true : undefined;
    }, 'the courier to go idle');
    assert.equal(service.smtp.mails.length, before, 'no mail for a lookalike');
  });

  it('a lookalike cannot register a second account for the same canonical address', async () => {
    const api = apiClient(service);
    assert.equal(
      (await api.postJson('/api/register', { email: 'ADA.LOVELACE@ｅｘａｍｐｌｅ.COM', password: 'mallory passphrase' })).status,
      202,
    );
    await service.smtp.waitForMail(STORED, { subject: /You already have an account/ });
    const users = await service.deps.store.db.selectFrom('users').select('email').execute();
    assert.deepEqual(users, [{ email: STORED }]);
  });
});
