import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Outbox } from '../../../src/courier/outbox.ts';
import { Argon2Hasher } from '../../../src/crypto/passwords/hasher.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { generateToken, TokenDigester } from '../../../src/crypto/tokens.ts';
import { OneTimeCodes } from '../../../src/flows/codes/one-time-codes.ts';
import { LinkTokens } from '../../../src/flows/link-tokens.ts';
import { DeviceCookies } from '../../../src/flows/login/device-cookies.ts';
import { SessionService } from '../../../src/flows/login/session-service.ts';
import { LoginThrottle } from '../../../src/flows/login/throttle.ts';
import { LinkRecoveryMethod } from '../../../src/flows/recovery/methods.ts';
import { RecoveryService } from '../../../src/flows/recovery/service.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import { cryptoRandom, newId } from '../../../src/kernel/random.ts';
import { createRateLimits } from '../../../src/rate-limits/rate-limits.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { TEST_SECRET } from '../../support/app.ts';
import { insertUser, openTestDatabase, testKeyring } from '../../support/database.ts';
import { generousLimitSettings } from '../../support/limits.ts';

const CONTEXT = { ip: '203.0.113.7', userAgent: 'unit-test' };
const OLD_PASSWORD = 'the old passphrase';
const keyring = testKeyring();
const hasher = new Argon2Hasher({ concurrency: 2, queueLimit: 100 });
const outbox = new Outbox(new SecretBox(keyring), new ManualClock());
const generous = { points: 1000, durationSeconds: 3600 };
const oldHash = await hasher.hashPassword(OLD_PASSWORD);

describe('RecoveryService against a real SQLite database, with a manual clock', () => {
  let database: DatabaseHandle;
  let store: Store;
  let clock: ManualClock;
  let recovery: RecoveryService;
  let userId: string;

  function service(tokenPerIp = generous, digester = new TokenDigester(keyring)): RecoveryService {
    const limits = createRateLimits(generousLimitSettings({ tokenPerIp }), keyring);
    const links = new LinkTokens({ digester, random: cryptoRandom, clock, limits });
    return new RecoveryService({
      store,
      outbox,
      hasher,
      clock,
      limits,
      links,
      passwordPolicy: { minLength: 8, maxLength: 128 },
      methods: { link: new LinkRecoveryMethod({ links, outbox, clock, ttlSeconds: 3600 }) },
      enabledMethods: ['link'],
      codes: new OneTimeCodes({ digester, random: cryptoRandom, clock, ttlSeconds: 600 }),
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

  /** The tokens of every queued reset mail, read back from the sealed outbox. */
  async function queuedTokens(): Promise<string[]> {
    const rows = await store.db.selectFrom('outbox').select('payload').where('topic', '=', 'mail').execute();
    return rows
      .map((r) => outbox.open('mail', r.payload as string))
      .flatMap((m) => (m.template === 'password-reset' ? [m.data.token] : []));
  }

  /** Issues a link and returns its token. */
  async function issue(): Promise<string> {
    const before = new Set(await queuedTokens());
    await recovery.issueResetLink(userId, CONTEXT);
    const fresh = (await queuedTokens()).filter((t) => !before.has(t));
    assert.equal(fresh.length, 1);
    return fresh[0] as string;
  }

  beforeEach(async () => {
    await database?.close();
    ({ database, store } = await openTestDatabase());
    clock = new ManualClock();
    recovery = service();
    userId = newId();
    await insertUser(store, { id: userId, email: 'Ada@Example.com', passwordHash: oldHash, nowMs: clock.nowMs() });
  });
  after(() => database.close());

  it('stores only the digest of an issued token, with its expiry, and queues a sealed mail to the stored address', async () => {
    const token = await issue();
    const [row] = await store.db.selectFrom('tokens').selectAll().execute();
    assert.equal(row?.digest, new TokenDigester(keyring).digest(token));
    assert.equal(row?.expires_at, clock.nowMs() + 3600_000);
    assert.equal(row?.requested_ip, CONTEXT.ip);
    const mail = await store.db.selectFrom('outbox').selectAll().where('topic', '=', 'mail').executeTakeFirstOrThrow();
    assert.ok(mail.payload?.startsWith('v1.'));
    assert.ok(!mail.payload?.includes(token));
    assert.equal(outbox.open('mail', mail.payload as string).to, 'Ada@Example.com');
  });

  it('resets with a valid token: new hash, token used, sessions ended, mail queued, audit written', async () => {
    const token = await issue();
    await store.sessions.create({
      id: newId(),
      digest: 'd1',
      userId,
      nowMs: clock.nowMs(),
      expiresAtMs: clock.nowMs() + 1e6,
      ip: null,
      userAgent: null,
    });
    clock.advanceSeconds(60);
    const result = await recovery.resetPassword(token, 'a brand new passphrase', CONTEXT);
    assert.deepEqual(result, { ok: true, value: { userId } });
    const user = await store.users.findById(userId);
    assert.equal(await hasher.verifyPassword(user!.password_hash!, 'a brand new passphrase'), true);
    assert.equal(user?.password_changed_at, clock.nowMs());
    const row = await store.db.selectFrom('tokens').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.used_at, clock.nowMs());
    assert.equal(await store.sessions.countForUser(userId, clock.nowMs()), 0);
    const mails = (await store.db.selectFrom('outbox').select('payload').where('topic', '=', 'mail').execute()).map((r) =>
      outbox.open('mail', r.payload!),
    );
    assert.deepEqual(mails.map((m) => m.template).sort(), ['password-changed', 'password-reset']);
    const events = await store.audit.listForUser(userId);
    assert.equal(events[0]?.type, 'password_reset.completed');
    assert.equal(events[0]?.ip, CONTEXT.ip);
  });

  it('changes nothing at all when one step of the reset transaction fails (S16)', async () => {
    const token = await issue();
    await store.sessions.create({
      id: newId(),
      digest: 'd1',
      userId,
      nowMs: clock.nowMs(),
      expiresAtMs: clock.nowMs() + 1e6,
      ip: null,
      userAgent: null,
    });
    await issue(); // a second outstanding link, which a completed reset would revoke
    const outboxBefore = await store.db.selectFrom('outbox').selectAll().execute();
    await sql`DROP TABLE audit_events`.execute(store.db); // the last write of the transaction will fail
    await assert.rejects(recovery.resetPassword(token, 'a brand new passphrase', CONTEXT));
    assert.equal((await store.users.findById(userId))?.password_hash, oldHash);
    const tokens = await store.db.selectFrom('tokens').select(['used_at', 'revoked_at']).execute();
    assert.deepEqual(tokens, [
      { used_at: null, revoked_at: null },
      { used_at: null, revoked_at: null },
    ]);
    assert.equal(await store.sessions.countForUser(userId, clock.nowMs()), 1);
    assert.deepEqual(await store.db.selectFrom('outbox').selectAll().execute(), outboxBefore);
  });

  it('answers TOKEN_EXPIRED once the TTL has passed, and not a moment before', async () => {
    const token = await issue();
    clock.advanceSeconds(3599);
    assert.equal((await recovery.checkToken(token, CONTEXT)).ok, true);
    clock.advanceSeconds(1);
    assert.deepEqual(await recovery.checkToken(token, CONTEXT), { ok: false, code: 'TOKEN_EXPIRED' });
    assert.deepEqual(await recovery.resetPassword(token, 'a brand new passphrase', CONTEXT), { ok: false, code: 'TOKEN_EXPIRED' });
    const user = await store.users.findById(userId);
    assert.equal(user?.password_hash, oldHash, 'nothing changed');
  });

  it('answers TOKEN_USED for a token already redeemed', async () => {
    const token = await issue();
    assert.equal((await recovery.resetPassword(token, 'a brand new passphrase', CONTEXT)).ok, true);
    assert.deepEqual(await recovery.resetPassword(token, 'another new passphrase', CONTEXT), { ok: false, code: 'TOKEN_USED' });
    assert.deepEqual(await recovery.checkToken(token, CONTEXT), { ok: false, code: 'TOKEN_USED' });
  });

  it('answers TOKEN_REVOKED for every other outstanding token after a reset', async () => {
    const older = await issue();
    clock.advanceSeconds(1);
    const newer = await issue();
    assert.notEqual(older, newer);
    assert.equal((await recovery.resetPassword(newer, 'a brand new passphrase', CONTEXT)).ok, true);
    assert.deepEqual(await recovery.checkToken(older, CONTEXT), { ok: false, code: 'TOKEN_REVOKED' });
    assert.deepEqual(await recovery.resetPassword(older, 'another new passphrase', CONTEXT), { ok: false, code: 'TOKEN_REVOKED' });
  });

  it('answers TOKEN_INVALID for unknown, malformed and foreign-key tokens', async () => {
    await issue();
    for (const token of [generateToken(cryptoRandom), 'short', '', 'x'.repeat(200)]) {
      assert.deepEqual(await recovery.resetPassword(token, 'a brand new passphrase', CONTEXT), { ok: false, code: 'TOKEN_INVALID' }, token);
    }
  });

  it('accepts tokens issued under a key that has since been rotated out of first place', async () => {
    const token = await issue();
    const rotated = service(generous, new TokenDigester(testKeyring('a-brand-new-key-0123456789abcdef0123456789', TEST_SECRET)));
    assert.equal((await rotated.resetPassword(token, 'a brand new passphrase', CONTEXT)).ok, true);
  });

  it('refuses weak and unchanged passwords without using up the token', async () => {
    const token = await issue();
    assert.deepEqual(await recovery.resetPassword(token, 'short', CONTEXT), { ok: false, code: 'PASSWORD_TOO_SHORT' });
    assert.deepEqual(await recovery.resetPassword(token, 'password1', CONTEXT), { ok: false, code: 'PASSWORD_TOO_COMMON' });
    assert.deepEqual(await recovery.resetPassword(token, 'ada@example.com!', CONTEXT), { ok: false, code: 'PASSWORD_CONTAINS_EMAIL' });
    assert.deepEqual(await recovery.resetPassword(token, OLD_PASSWORD, CONTEXT), { ok: false, code: 'PASSWORD_SAME_AS_CURRENT' });
    assert.equal((await recovery.checkToken(token, CONTEXT)).ok, true);
  });

  it('limits failed token lookups per client IP, never a token that verifies', async () => {
    recovery = service({ points: 3, durationSeconds: 900 });
    const token = await issue();
    for (let i = 0; i < 3; i++) assert.equal((await recovery.checkToken(generateToken(cryptoRandom), CONTEXT)).ok, false);
    assert.deepEqual(await recovery.checkToken(generateToken(cryptoRandom), CONTEXT), {
      ok: false,
      code: 'RATE_LIMITED',
      retryAfterSeconds: 900,
    });
    assert.equal((await recovery.checkToken(token, CONTEXT)).ok, true, 'the token is the proof');
    assert.deepEqual(
      await recovery.checkToken(generateToken(cryptoRandom), { ...CONTEXT, ip: '198.51.100.1' }),
      { ok: false, code: 'TOKEN_INVALID' },
      'other clients are not affected',
    );
  });

  it('queues the same sealed job for known and unknown addresses (nothing for a malformed one), and creates tokens only for enabled accounts', async () => {
    for (const email of [' ADA@example.com', 'nobody@example.com'])
      assert.deepEqual(await recovery.requestReset(email, CONTEXT), { ok: true, value: undefined });
    assert.deepEqual(await recovery.requestReset('ada@example.com,eve@evil.example', CONTEXT), { ok: false, code: 'EMAIL_INVALID' });
    const jobs = await store.db.selectFrom('outbox').selectAll().where('topic', '=', 'password-reset-request').execute();
    assert.equal(jobs.length, 2);
    const payloads = jobs.map((j) => outbox.open('password-reset-request', j.payload!));
    assert.deepEqual(
      payloads.map((p) => p.emailCanonical),
      ['ada@example.com', 'nobody@example.com'],
    );
    for (const payload of payloads) await recovery.handleResetRequest(payload);
    assert.equal((await store.db.selectFrom('tokens').selectAll().execute()).length, 1, 'only the existing account gets a token');
    await store.users.setDisabled(userId, true, clock.nowMs());
    await recovery.handleResetRequest(payloads[0]!);
    assert.equal((await store.db.selectFrom('tokens').selectAll().execute()).length, 1, 'a disabled account gets none');
  });
});
