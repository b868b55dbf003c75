import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hash } from '@node-rs/argon2';
import { Argon2Hasher } from '../../../src/crypto/passwords/hasher.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { sha256 } from '../../../src/crypto/tokens.ts';
import { DeviceCookies } from '../../../src/flows/login/device-cookies.ts';
import { noSecondFactors } from '../../../src/flows/login/second-factor.ts';
import { LoginService, needsSecondStep } from '../../../src/flows/login/service.ts';
import { SessionService } from '../../../src/flows/login/session-service.ts';
import { LoginThrottle } from '../../../src/flows/login/throttle.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import { cryptoRandom, newId } from '../../../src/kernel/random.ts';
import { createRateLimits } from '../../../src/rate-limits/rate-limits.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { insertUser, openTestDatabase, testKeyring } from '../../support/database.ts';
import { generousLimitSettings } from '../../support/limits.ts';

const CONTEXT = { ip: '203.0.113.7', userAgent: 'unit-test' };
const PASSWORD = 'correct horse battery';

describe('LoginService against a real SQLite database', () => {
  let database: DatabaseHandle;
  let store: Store;
  let login: LoginService;
  const clock = new ManualClock();
  const hasher = new Argon2Hasher({ concurrency: 2, queueLimit: 10 });
  const ids = { current: newId(), legacy: newId(), disabled: newId(), passwordless: newId() };

  before(async () => {
    ({ database, store } = await openTestDatabase());
    const limits = createRateLimits(generousLimitSettings({ loginPerAccount: { points: 3, durationSeconds: 900 } }), testKeyring());
    const sessions = new SessionService({
      store,
      clock,
      random: cryptoRandom,
      settings: { sessionTtlSeconds: 3600, browserSessionTtlSeconds: 3600, sessionIdleTimeoutSeconds: 3600, recentAuthSeconds: 600 },
    });
    const devices = new DeviceCookies({ box: new SecretBox(testKeyring()), clock, random: cryptoRandom });
    const throttle = new LoginThrottle({ store, clock, limits, devices, settings: { after: 5, maxDelaySeconds: 60 } });
    login = new LoginService({
      store,
      hasher,
      sessions,
      limits,
      clock,
      throttle,
      secondFactors: noSecondFactors,
      confirmEmail: 'required',
      usernames: 'off',
    });
    const nowMs = clock.nowMs();
    await insertUser(store, { id: ids.current, email: 'current@example.com', passwordHash: await hasher.hashPassword(PASSWORD), nowMs });
    const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await insertUser(store, { id: ids.legacy, email: 'legacy@example.com', passwordHash: weak, nowMs });
    await insertUser(store, { id: ids.disabled, email: 'disabled@example.com', passwordHash: await hasher.hashPassword(PASSWORD), nowMs });
    await store.users.setDisabled(ids.disabled, true, nowMs);
    await insertUser(store, { id: ids.passwordless, email: 'invited@example.com', passwordHash: null, nowMs });
  });
  after(() => database.close());

  it('signs in with a fresh 256-bit session token whose SHA-256 alone is stored', async () => {
    const first = await login.login(' CURRENT@example.com', PASSWORD, CONTEXT);
    const second = await login.login('current@example.com', PASSWORD, CONTEXT);
    assert.ok(first.ok && second.ok && !needsSecondStep(first.value) && !needsSecondStep(second.value));
    assert.match(first.value.session.token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first.value.session.token, second.value.session.token);
    assert.deepEqual(first.value.user, { id: ids.current, email: 'current@example.com', name: null, username: null });
    const stored = (await store.db.selectFrom('sessions').select('digest').execute()).map((r) => r.digest);
    assert.ok(stored.includes(sha256(first.value.session.token)));
    assert.ok(!stored.includes(first.value.session.token));
    const events = await store.audit.listForUser(ids.current);
    assert.equal(events[0]?.type, 'login.succeeded');
  });

  it('upgrades a hash made with weaker parameters on the next successful login (S14)', async () => {
    assert.ok((await login.login('legacy@example.com', PASSWORD, CONTEXT)).ok);
    const upgraded = (await store.users.findById(ids.legacy))?.password_hash ?? '';
    assert.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await hasher.verifyPassword(upgraded, PASSWORD), true);
  });

  it('refuses wrong passwords, unknown, disabled and password-less accounts with the same code', async () => {
    for (const [email, password] of [
      ['current@example.com', 'wrong'],
      ['nobody@example.com', PASSWORD],
      ['disabled@example.com', PASSWORD],
      ['invited@example.com', PASSWORD],
      ['not an address', PASSWORD],
    ]) {
      assert.deepEqual(await login.login(email as string, password as string, CONTEXT), { ok: false, code: 'INVALID_CREDENTIALS' }, email);
    }
    const failures = await store.db.selectFrom('audit_events').select('user_id').where('type', '=', 'login.failed').execute();
    assert.ok(failures.some((f) => f.user_id === ids.disabled) && failures.some((f) => f.user_id === null));
  });

  it('counts failures per account, and a success resets the count', async () => {
    await login.login('current@example.com', 'wrong', CONTEXT); // second failure (one in the test above)
    assert.ok((await login.login('current@example.com', PASSWORD, CONTEXT)).ok, 'under the limit of 3');
    for (let i = 0; i < 3; i++) await login.login('current@example.com', 'wrong', CONTEXT);
    const limited = await login.login('current@example.com', PASSWORD, CONTEXT);
    assert.equal(limited.ok, false);
    assert.equal(!limited.ok && limited.code, 'RATE_LIMITED');
    assert.ok((limited.retryAfterSeconds ?? 0) > 0);
  });
});
