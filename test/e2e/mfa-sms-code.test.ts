import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';
import { enrolSecondFactor } from '../support/second-step.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const PASSWORD = 'correct horse battery';

describe('the second step by a code texted to the verified phone, through a real local SMS webhook', () => {
  const provider = new TestSmsServer();
  const clock = new ManualClock(Date.now());
  let service: TestService;
  let n = 0;

  before(async () => {
    const baseUrl = await provider.start();
    // Two texts per number an hour: the third send is refused by the SMS limit, not by the pending sign-in.
    service = await startTestService({ SMS_URL: `${baseUrl}/sms`, RATE_LIMIT_SMS_NUMBER: '2/3600' }, { clock });
  });
  after(async () => {
    await service.close();
    await provider.stop();
  });

  /** An enrolled account whose verified phone is `phone`, past its password step. */
  async function pendingSignIn(phone: string) {
    const email = `texted${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    const { userId } = await enrolSecondFactor(service, email);
    await service.deps.store.users.setPhone(userId, phone, clock.nowMs());
    clock.advanceSeconds(30);
    return { client: await passwordStep(email), userId, email };
  }

  async function passwordStep(email: string) {
    const client = apiClient(service);
    const first = await client.postJson('/api/login', { email, password: PASSWORD });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json().methods, ['totp', 'recovery_code', 'email_code', 'sms_code']);
    return client;
  }

  /** The code of the `index`-th SMS to `phone`, checking it carries the code and the WebOTP line only. */
  async function textedCode(phone: string, index: number): Promise<string> {
    const sms = await provider.waitFor(phone, { after: index });
    const match = /^(\d{6}) is your Latchkey code\.\n\n@(\S+) #(\d{6})$/.exec(sms.body);
    assert.ok(match, `unexpected SMS body: ${JSON.stringify(sms.body)}`);
    assert.equal(match[2], service.config.publicUrl.hostname);
    assert.equal(match[3], match[1]);
    assert.doesNotMatch(sms.body, /https?:/, 'no link in an SMS');
    return match[1] as string;
  }

  it('texts a 6-digit code that finishes the sign-in once, with amr "pwd otp"', async () => {
    const phone = '+33612345601';
    const { client, userId } = await pendingSignIn(phone);
    const sent = await client.postJson('/api/login/second-factor/send', { method: 'sms_code' });
    assert.equal(sent.status, 200, sent.text);
    const code = await textedCode(phone, 0);

    const signedIn = await client.postJson('/api/login/second-factor', { method: 'sms_code', code });
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.equal((await client.get('/api/session')).status, 200);
    const session = await service.deps.store.db.selectFrom('sessions').select('amr').where('user_id', '=', userId).executeTakeFirst();
    assert.equal(session?.amr, 'pwd otp');

    const again = await pendingSignIn('+33612345602');
    const reused = await again.client.postJson('/api/login/second-factor', { method: 'sms_code', code });
    assert.equal(reused.status, 400, 'a texted code is bound to its account and used once');
  });

  it('a text the SMS limit refuses answers 429 and rolls its code back: the code texted before still works', async () => {
    const phone = '+33612345603';
    // Each send from its own pending sign-in (one send per 30 s each), all to the one number.
    const { client: first, email } = await pendingSignIn(phone);
    assert.equal((await first.postJson('/api/login/second-factor/send', { method: 'sms_code' })).status, 200);
    const firstCode = await textedCode(phone, 0);
    const second = await passwordStep(email);
    assert.equal((await second.postJson('/api/login/second-factor/send', { method: 'sms_code' })).status, 200);
    const secondCode = await textedCode(phone, 1);
    const client = await passwordStep(email);
    const refused = await client.postJson('/api/login/second-factor/send', { method: 'sms_code' });
    assert.equal(refused.status, 429, refused.text);
    assert.equal(provider.received.filter((sms) => sms.to === phone).length, 2, 'no third text');

    if (firstCode !== secondCode) {
      const replaced = await client.postJson('/api/login/second-factor', { method: 'sms_code', code: firstCode });
      assert.equal(replaced.status, 400, 'a newer code replaces the older one');
    }
    const signedIn = await client.postJson('/api/login/second-factor', { method: 'sms_code', code: secondCode });
    assert.equal(signedIn.status, 200, signedIn.text);
  });
});
