import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RateLimits as RateLimitSettings } from '../../../src/config/config.ts';
import type { SmsSettings } from '../../../src/config/sms-config.ts';
import { Outbox } from '../../../src/courier/outbox.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { SmsSender } from '../../../src/flows/sms/sender.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import { createRateLimits } from '../../../src/rate-limits/rate-limits.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { openTestDatabase, testKeyring } from '../../support/database.ts';
import { generousLimitSettings } from '../../support/limits.ts';

const generous = { points: 1000, durationSeconds: 900 };
const context = { publicUrl: new URL('https://auth.example.com'), productName: 'Latchkey' };
const DEV: SmsSettings = { provider: undefined, devBox: true, available: true, countries: [], defaultCountry: undefined };

function limits(sms: { smsPerNumber?: typeof generous; smsPerAccount?: typeof generous } = {}) {
  const settings: RateLimitSettings = generousLimitSettings({
    smsPerNumber: sms.smsPerNumber ?? generous,
    smsPerAccount: sms.smsPerAccount ?? generous,
  });
  return createRateLimits(settings, testKeyring());
}

describe('SmsSender against a real SQLite outbox', () => {
  let database: DatabaseHandle;
  let store: Store;
  const keyring = testKeyring();
  const outbox = new Outbox(new SecretBox(keyring), new ManualClock());
  const queued = async () => {
    const rows = await store.db.selectFrom('outbox').selectAll().where('topic', '=', 'sms').execute();
    return rows.map((row) => outbox.open('sms', row.payload as string));
  };

  before(async () => {
    ({ database, store } = await openTestDatabase());
  });
  after(() => database.close());
  beforeEach(() => store.db.deleteFrom('outbox').execute());

  it('queues the code SMS, sealed, in the caller’s transaction', async () => {
    const sender = new SmsSender({ outbox, limits: limits(), settings: DEV, context });
    const sent = await store.transaction((tx) => sender.sendCode(tx, { userId: 'u1', to: '+33612345678', code: '123456' }));
    assert.deepEqual(sent, { ok: true, value: undefined });
    assert.deepEqual(await queued(), [{ to: '+33612345678', body: '123456 is your Latchkey code.\n\n@auth.example.com #123456' }]);
    const row = await store.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.ok(!(row.payload ?? '').includes('123456') && !(row.payload ?? '').includes('+33612345678'), 'sealed at rest');

    await assert.rejects(
      store.transaction(async (tx) => {
        await sender.sendCode(tx, { userId: 'u1', to: '+33612345678', code: '654321' });
        throw new Error('the caller fails');
      }),
    );
    assert.equal((await queued()).length, 1, 'rolled back with the caller');
  });

  it('refuses numbers outside SMS_COUNTRIES and numbers that cannot take an SMS, taking no point', async () => {
    const one = { points: 1, durationSeconds: 3600 };
    const sender = new SmsSender({ outbox, limits: limits({ smsPerAccount: one }), settings: { ...DEV, countries: ['FR'] }, context });
    assert.deepEqual(await sender.sendCode(store, { userId: 'u2', to: '+14155552671', code: '123456' }), {
      ok: false,
      code: 'PHONE_COUNTRY_NOT_ALLOWED',
    });
    assert.deepEqual(await sender.sendCode(store, { userId: 'u2', to: '+33142685300', code: '123456' }), {
      ok: false,
      code: 'PHONE_NOT_MOBILE',
    });
    assert.deepEqual(await sender.sendCode(store, { userId: 'u2', to: 'nope', code: '123456' }), { ok: false, code: 'PHONE_INVALID' });
    assert.equal(
      (await sender.sendCode(store, { userId: 'u2', to: '+33612345678', code: '123456' })).ok,
      true,
      'the point was still there',
    );
    assert.equal((await queued()).length, 1);
  });

  it('limits SMS per number whoever asks, and per account whatever the number', async () => {
    const sender = new SmsSender({
      outbox,
      limits: limits({ smsPerNumber: { points: 2, durationSeconds: 3600 }, smsPerAccount: { points: 3, durationSeconds: 3600 } }),
      settings: DEV,
      context,
    });
    const send = (userId: string, to: string) => sender.sendCode(store, { userId, to, code: '123456' });
    assert.equal((await send('a', '+33612345678')).ok, true);
    assert.equal((await send('b', '+33612345678')).ok, true);
    const perNumber = await send('c', '+33612345678');
    assert.equal(perNumber.ok, false);
    assert.equal(!perNumber.ok && perNumber.code, 'RATE_LIMITED');
    assert.ok(!perNumber.ok && (perNumber.retryAfterSeconds ?? 0) > 0);
    // Account c was refused by the number's limit: its point was given back.
    assert.equal((await send('c', '+33612345679')).ok, true);
    assert.equal((await send('c', '+33612345670')).ok, true);
    assert.equal((await send('c', '+33612345671')).ok, true);
    assert.deepEqual(await send('c', '+33612345672'), { ok: false, code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
    assert.equal((await queued()).length, 5);
  });

  it('queues nothing when SMS is unavailable (production without SMS_URL)', async () => {
    const sender = new SmsSender({ outbox, limits: limits(), settings: { ...DEV, devBox: false, available: false }, context });
    assert.equal(sender.available, false);
    assert.deepEqual(await sender.sendCode(store, { userId: 'u', to: '+33612345678', code: '123456' }), {
      ok: false,
      code: 'SMS_UNAVAILABLE',
    });
    assert.equal((await queued()).length, 0);
  });

  it('parses typed numbers under DEFAULT_PHONE_COUNTRY and SMS_COUNTRIES', () => {
    const sender = new SmsSender({ outbox, limits: limits(), settings: { ...DEV, defaultCountry: 'FR', countries: ['FR'] }, context });
    assert.deepEqual(sender.parse('06 12 34 56 78'), { ok: true, value: { e164: '+33612345678', country: 'FR' } });
    assert.deepEqual(sender.parse('+1 415 555 2671'), { ok: false, code: 'PHONE_COUNTRY_NOT_ALLOWED' });
  });
});
