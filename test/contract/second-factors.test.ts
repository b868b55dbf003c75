import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { generateHOTP } from '@oslojs/otp';
import { Secret } from 'otpauth';
import { Keyring } from '../../src/crypto/keyring.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { TokenDigester } from '../../src/crypto/tokens.ts';
import { MAX_CODE_ATTEMPTS, OneTimeCodes } from '../../src/flows/codes/one-time-codes.ts';
import { RecoveryCodes } from '../../src/flows/mfa/recovery-codes.ts';
import { TotpAuthenticator } from '../../src/flows/mfa/totp.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { cryptoRandom } from '../../src/kernel/random.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS } from './support/fixtures.ts';

const keyring = new Keyring(['second-factors-contract-key-0123456789abcdef']);
const digester = new TokenDigester(keyring);
const context = { ip: '203.0.113.7', userAgent: 'test' };

/** The code an independent implementation (@oslojs/otp's HOTP over the RFC 6238 step) computes. */
function independentCode(base32: string, atMs: number): string {
  return generateHOTP(new Uint8Array(Secret.fromBase32(base32).buffer), BigInt(Math.floor(atMs / 30_000)), 6);
}

describeEachDatabase('second factors and one-time codes store contract', (database) => {
  it('a one-time code takes at most 5 attempts under 20 parallel wrong guesses, then even the right code is refused', async () => {
    const { store } = database();
    const clock = new ManualClock(NOW_MS);
    const codes = new OneTimeCodes({ digester, random: cryptoRandom, clock });
    const user = await createUser(store);
    const code = await store.transaction((tx) =>
      codes.issue(tx, { purpose: 'reset-code', userId: user.id, digits: 8, ttlSeconds: 600, context }),
    );
    assert.match(code, /^\d{8}$/);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction((tx) => codes.redeem(tx, { purpose: 'reset-code', userId: user.id, code: wrong })),
      ),
    );
    assert.ok(results.every((r) => !r.ok));
    const row = await store.tokens.findLatestLive(user.id, 'reset-code', NOW_MS);
    assert.equal(row?.attempts, MAX_CODE_ATTEMPTS, 'exactly 5 attempts were counted');
    const right = await store.transaction((tx) => codes.redeem(tx, { purpose: 'reset-code', userId: user.id, code }));
    assert.deepEqual(right, { ok: false, code: 'CODE_SPENT' });
  });

  it('a right code is used once of many parallel entries, only for its purpose, and not after it expires', async () => {
    const { store } = database();
    const clock = new ManualClock(NOW_MS);
    const codes = new OneTimeCodes({ digester, random: cryptoRandom, clock });
    const user = await createUser(store);
    const code = await store.transaction((tx) =>
      codes.issue(tx, { purpose: 'login-code', userId: user.id, digits: 6, ttlSeconds: 600, context }),
    );
    assert.equal((await store.transaction((tx) => codes.redeem(tx, { purpose: 'reset-code', userId: user.id, code }))).ok, false);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.transaction((tx) => codes.redeem(tx, { purpose: 'login-code', userId: user.id, code }))),
    );
    assert.equal(results.filter((r) => r.ok).length, 1);

    const late = await store.transaction((tx) =>
      codes.issue(tx, { purpose: 'login-code', userId: user.id, digits: 6, ttlSeconds: 600, context }),
    );
    clock.advanceSeconds(601);
    assert.equal((await store.transaction((tx) => codes.redeem(tx, { purpose: 'login-code', userId: user.id, code: late }))).ok, false);
  });

  it('a new code replaces the older one, and a credential change revokes codes with the links', async () => {
    const { store } = database();
    const clock = new ManualClock(NOW_MS);
    const codes = new OneTimeCodes({ digester, random: cryptoRandom, clock });
    const user = await createUser(store);
    const first = await store.transaction((tx) =>
      codes.issue(tx, { purpose: 'reset-code', userId: user.id, digits: 8, ttlSeconds: 600, context }),
    );
    const second = await store.transaction((tx) =>
      codes.issue(tx, { purpose: 'reset-code', userId: user.id, digits: 8, ttlSeconds: 600, context }),
    );
    if (first !== second)
      assert.equal((await store.transaction((tx) => codes.redeem(tx, { purpose: 'reset-code', userId: user.id, code: first }))).ok, false);
    await store.tokens.revokeAllForUser(user.id, NOW_MS);
    assert.equal((await store.transaction((tx) => codes.redeem(tx, { purpose: 'reset-code', userId: user.id, code: second }))).ok, false);
  });

  it('TOTP: the secret is sealed, codes of an independent implementation verify with ±1 step of drift, and a step is used once', async () => {
    const { store } = database();
    const clock = new ManualClock(NOW_MS);
    const totp = new TotpAuthenticator({ box: new SecretBox(keyring), random: cryptoRandom, clock, issuer: 'Latchkey' });
    const user = await createUser(store);
    const setup = await totp.startSetup(store, user.id, user.email);
    assert.ok(setup);
    assert.match(setup.secret, /^[A-Z2-7]{32}$/, '160-bit base32 secret');
    assert.match(setup.otpauthUrl, /^otpauth:\/\/totp\/Latchkey:.*issuer=Latchkey/);
    const stored = await store.mfa.findTotp(user.id);
    assert.ok(stored && !stored.secret.includes(setup.secret), 'the secret is not stored in the clear');

    assert.equal(await totp.verify(store, user.id, independentCode(setup.secret, NOW_MS)), false, 'not before confirmation');
    assert.equal(await totp.confirm(store, user.id, '000000' === independentCode(setup.secret, NOW_MS) ? '111111' : '000000'), false);
    assert.equal(await totp.confirm(store, user.id, independentCode(setup.secret, NOW_MS)), true);
    assert.equal(await totp.startSetup(store, user.id, user.email), undefined, 'a confirmed authenticator is not replaced');

    assert.equal(await totp.verify(store, user.id, independentCode(setup.secret, NOW_MS)), false, 'the confirming code cannot be replayed');
    clock.advanceSeconds(60);
    const drifted = independentCode(setup.secret, clock.nowMs() + 30_000);
    assert.equal(
      await totp.verify(store, user.id, independentCode(setup.secret, clock.nowMs() + 60_000)),
      false,
      'two steps ahead is refused',
    );
    const parallel = await Promise.all(Array.from({ length: 8 }, () => totp.verify(store, user.id, drifted)));
    assert.equal(parallel.filter(Boolean).length, 1, 'one step ahead is accepted, once');
    assert.equal(
      await totp.verify(store, user.id, independentCode(setup.secret, clock.nowMs())),
      false,
      'an older step after a later one is refused',
    );
    clock.advanceSeconds(120);
    assert.equal(
      await totp.verify(store, user.id, independentCode(setup.secret, clock.nowMs() - 30_000)),
      true,
      'one step behind is accepted',
    );
  });

  it('recovery codes: ten of at least 50 bits, single use under parallel use, old ones die on regeneration', async () => {
    const { store } = database();
    const clock = new ManualClock(NOW_MS);
    const recovery = new RecoveryCodes({ digester, random: cryptoRandom, clock });
    const user = await createUser(store);
    const codes = await store.transaction((tx) => recovery.regenerate(tx, user.id));
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    const results = await Promise.all(Array.from({ length: 8 }, () => recovery.use(store, user.id, (codes[0] as string).toUpperCase())));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await recovery.remaining(store, user.id), 9);
    const other = await createUser(store);
    assert.equal(await recovery.use(store, other.id, codes[1] as string), false, 'bound to its user');
    await store.transaction((tx) => recovery.regenerate(tx, user.id));
    assert.equal(await recovery.use(store, user.id, codes[1] as string), false);
    assert.equal(await recovery.remaining(store, user.id), 10);
  });

  it('a pending sign-in counts at most 5 wrong codes under 20 parallel attempts', async () => {
    const { store } = database();
    const user = await createUser(store);
    const id = randomUUID();
    await store.pendingLogins.create({
      id,
      digest: `d-${id}`,
      userId: user.id,
      firstFactor: 'pwd',
      persistent: false,
      nowMs: NOW_MS,
      expiresAtMs: NOW_MS + 300_000,
    });
    const counted = await Promise.all(Array.from({ length: 20 }, () => store.pendingLogins.countAttempt(id, 5, NOW_MS)));
    assert.equal(counted.filter(Boolean).length, 5);
    assert.equal((await store.pendingLogins.findLive([`d-${id}`], NOW_MS))?.failures, 5);
    assert.equal(await store.pendingLogins.end(id, NOW_MS), true);
    assert.equal(await store.pendingLogins.findLive([`d-${id}`], NOW_MS), undefined);
  });
});
