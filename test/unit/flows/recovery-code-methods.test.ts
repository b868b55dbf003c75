import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/config/parse.ts';
import { Outbox } from '../../../src/courier/outbox.ts';
import { Argon2Hasher } from '../../../src/crypto/passwords/hasher.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { TokenDigester } from '../../../src/crypto/tokens.ts';
import { OneTimeCodes } from '../../../src/flows/codes/one-time-codes.ts';
import { LinkTokens } from '../../../src/flows/link-tokens.ts';
import { DeviceCookies } from '../../../src/flows/login/device-cookies.ts';
import { SessionService } from '../../../src/flows/login/session-service.ts';
import { LoginThrottle } from '../../../src/flows/login/throttle.ts';
import { MailCodeRecoveryMethod, type RecoverySms, SmsCodeRecoveryMethod } from '../../../src/flows/recovery/code-methods.ts';
import { LinkRecoveryMethod } from '../../../src/flows/recovery/methods.ts';
import { RecoveryService } from '../../../src/flows/recovery/service.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import { cryptoRandom, newId } from '../../../src/kernel/random.ts';
import { fail, ok } from '../../../src/kernel/result.ts';
import { createRateLimits } from '../../../src/rate-limits/rate-limits.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { TEST_SECRET } from '../../support/app.ts';
import { insertUser, openTestDatabase, testKeyring } from '../../support/database.ts';
import { generousLimitSettings } from '../../support/limits.ts';

const CONTEXT = { ip: '203.0.113.7', userAgent: 'unit-test' };
const PHONE = '+33612345678';
const keyring = testKeyring();
const digester = new TokenDigester(keyring);

/** An SMS sender as the SMS flow shapes it (src/flows/sms/sender.ts): records what it was asked to send. */
class RecordingSms implements RecoverySms {
  readonly sent: Array<{ userId: string; to: string; code: string }> = [];
  available = true;
  refuse = false;
  async sendCode(_tx: Store, request: { userId: string; to: string; code: string }) {
    if (this.refuse) return fail('RATE_LIMITED');
    this.sent.push(request);
    return ok(undefined);
  }
}

describe('recovery methods by code: mail and SMS (RecoveryService on SQLite)', () => {
  let database: DatabaseHandle;
  let store: Store;
  let clock: ManualClock;
  let sms: RecordingSms;
  let recovery: RecoveryService;
  let userId: string;
  const outbox = new Outbox(new SecretBox(keyring), new ManualClock());

  function service(enabledMethods: Array<'link' | 'code' | 'sms'> = ['link', 'code', 'sms']): RecoveryService {
    const limits = createRateLimits(generousLimitSettings(), keyring);
    const links = new LinkTokens({ digester, random: cryptoRandom, clock, limits });
    const codes = new OneTimeCodes({ digester, random: cryptoRandom, clock, ttlSeconds: 600 });
    return new RecoveryService({
      store,
      outbox,
      hasher: new Argon2Hasher({ concurrency: 1, queueLimit: 10 }),
      clock,
      limits,
      links,
      passwordPolicy: { minLength: 8, maxLength: 128 },
      methods: {
        link: new LinkRecoveryMethod({ links, outbox, clock, ttlSeconds: 3600 }),
        code: new MailCodeRecoveryMethod({ codes, outbox, clock }),
        sms: new SmsCodeRecoveryMethod({ codes, clock, sms }),
      },
      enabledMethods,
      codes,
      sessions: new SessionService({
        store,
        clock,
        random: cryptoRandom,
        settings: { sessionTtlSeconds: 3600, browserSessionTtlSeconds: 3600, sessionIdleTimeoutSeconds: 3600, recentAuthSeconds: 600 },
      }),
      loginThrottle: new LoginThrottle({
        store,
        clock,
        limits,
        devices: new DeviceCookies({ box: new SecretBox(keyring), clock, random: cryptoRandom }),
        settings: { after: 5, maxDelaySeconds: 60 },
      }),
    });
  }

  const job = (method: 'code' | 'sms') => ({ emailCanonical: 'ada@example.com', ip: CONTEXT.ip, userAgent: CONTEXT.userAgent, method });

  async function codeRows() {
    return store.db.selectFrom('tokens').selectAll().where('purpose', '=', 'reset-code').orderBy('created_at').execute();
  }

  beforeEach(async () => {
    await database?.close();
    ({ database, store } = await openTestDatabase());
    clock = new ManualClock();
    sms = new RecordingSms();
    recovery = service();
    userId = newId();
    await insertUser(store, { id: userId, email: 'Ada@Example.com', nowMs: clock.nowMs() });
  });
  after(() => database.close());

  it('code: an 8-digit code valid 10 minutes, only its digest stored, mailed (sealed) to the stored address', async () => {
    await recovery.handleResetRequest(job('code'));
    const [row] = await codeRows();
    assert.ok(row);
    assert.equal(Number(row.expires_at) - Number(row.created_at), 600_000);
    assert.equal(row.target_phone, null);
    const [queued] = await store.db.selectFrom('outbox').select('payload').where('topic', '=', 'mail').execute();
    const mail = outbox.open('mail', queued?.payload as string);
    assert.equal(mail.template, 'password-reset-code');
    assert.equal(mail.to, 'Ada@Example.com');
    assert.ok(mail.template === 'password-reset-code' && /^\d{8}$/.test(mail.data.code));
    assert.ok(mail.template === 'password-reset-code' && row.digest !== mail.data.code && !row.digest.includes(mail.data.code));
  });

  it('sms: nothing without a verified phone or without an SMS channel; the code to the verified phone otherwise', async () => {
    await recovery.handleResetRequest(job('sms'));
    assert.equal(sms.sent.length, 0);
    assert.equal((await codeRows()).length, 0, 'no phone: no code');

    await store.users.setPhone(userId, PHONE, clock.nowMs());
    sms.available = false;
    assert.deepEqual(recovery.offeredMethods(), ['link', 'code'], 'pages offer no SMS without a channel');
    await recovery.handleResetRequest(job('sms'));
    assert.equal((await codeRows()).length, 0, 'no channel: no code');

    sms.available = true;
    assert.deepEqual(recovery.offeredMethods(), ['link', 'code', 'sms']);
    await recovery.handleResetRequest(job('sms'));
    assert.equal(sms.sent.length, 1);
    assert.equal(sms.sent[0]?.to, PHONE);
    assert.match(sms.sent[0]?.code ?? '', /^\d{8}$/);
    const [row] = await codeRows();
    assert.equal(row?.target_phone, PHONE);

    // The SMS code resets the password but does not confirm the address (it proved the phone).
    await store.db.updateTable('users').set({ email_confirmed_at: null }).where('id', '=', userId).execute();
    const reset = await recovery.resetWithCode('ada@example.com', sms.sent[0]?.code as string, 'a brand new passphrase', CONTEXT);
    assert.equal(reset.ok, true);
    assert.equal((await store.users.findById(userId))?.email_confirmed_at, null);
  });

  it('sms: a refused SMS (limits, country) rolls its code back, so the code the owner has stays live', async () => {
    await store.users.setPhone(userId, PHONE, clock.nowMs());
    await recovery.handleResetRequest(job('code'));
    const [mailed] = await codeRows();
    sms.refuse = true;
    await recovery.handleResetRequest(job('sms'));
    const rows = await codeRows();
    assert.equal(rows.length, 1, 'no SMS code kept');
    assert.equal(rows[0]?.id, mailed?.id);
    assert.equal(rows[0]?.revoked_at, null, 'the mailed code is still live');
  });

  it('a job whose method RECOVERY_METHODS no longer lists sends nothing', async () => {
    recovery = service(['link']);
    await recovery.handleResetRequest(job('code'));
    assert.equal((await codeRows()).length, 0);
  });
});

describe('RECOVERY_METHODS', () => {
  const base = { NODE_ENV: 'test', SECRET_KEYS: TEST_SECRET, DATABASE_URL: 'sqlite::memory:' };

  it('defaults to link,code and accepts any non-empty list of link, code and sms', () => {
    assert.deepEqual(loadConfig(base).account.recoveryMethods, ['link', 'code']);
    assert.deepEqual(loadConfig({ ...base, RECOVERY_METHODS: 'code, SMS,code' }).account.recoveryMethods, ['code', 'sms']);
  });

  it('stops the start with a message naming the variable for anything else', () => {
    for (const value of ['link,email', ',', 'link,,code', 'magic']) {
      assert.throws(
        () => loadConfig({ ...base, RECOVERY_METHODS: value }),
        (error: unknown) =>
          error instanceof ConfigError && /RECOVERY_METHODS must be a comma-separated list of link, code, sms/.test(error.message),
        value,
      );
    }
  });
});
