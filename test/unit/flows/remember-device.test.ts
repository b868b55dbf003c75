import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { TokenDigester } from '../../../src/crypto/tokens.ts';
import { REMEMBER_DEVICE_SECONDS, RememberedDeviceTokens } from '../../../src/flows/mfa/remember-device.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import { cryptoRandom, newId } from '../../../src/kernel/random.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { insertUser, openTestDatabase, testKeyring } from '../../support/database.ts';

describe('remembered-device cookies', () => {
  let database: DatabaseHandle;
  let store: Store;
  const clock = new ManualClock(1_700_000_000_000);
  const keyring = testKeyring();
  const tokens = new RememberedDeviceTokens({
    box: new SecretBox(keyring),
    digester: new TokenDigester(keyring),
    random: cryptoRandom,
    clock,
  });
  const ada = newId();
  const bob = newId();

  before(async () => {
    ({ database, store } = await openTestDatabase());
    await insertUser(store, { id: ada, email: 'ada@example.com', nowMs: clock.nowMs() });
    await insertUser(store, { id: bob, email: 'bob@example.com', nowMs: clock.nowMs() });
  });
  after(() => database.close());

  it('stores only a keyed digest; the cookie is sealed and names its user only inside the seal', async () => {
    const cookie = await tokens.remember(store, ada);
    const rows = await store.db.selectFrom('remembered_devices').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(!cookie.includes(ada), 'the user id is not readable in the cookie');
    assert.ok(!cookie.includes(rows[0]?.digest as string));
    assert.equal(Number(rows[0]?.expires_at), clock.nowMs() + REMEMBER_DEVICE_SECONDS * 1000);
  });

  it('recognises its own user only, and marks the device used', async () => {
    const cookie = await tokens.remember(store, ada);
    assert.equal(await tokens.recognises(store, ada, cookie), true);
    assert.equal(await tokens.recognises(store, bob, cookie), false, "another user's sign-in");
    assert.equal(await tokens.recognises(store, ada, undefined), false);
    assert.equal(await tokens.recognises(store, ada, 'x'.repeat(600)), false);
    assert.equal(await tokens.recognises(store, ada, `${cookie.slice(0, -3)}abc`), false, 'a tampered seal');
    const sealedElsewhere = new SecretBox(keyring).seal(JSON.stringify({ u: ada, t: 'a'.repeat(43) }), 'outbox:mail');
    assert.equal(await tokens.recognises(store, ada, sealedElsewhere), false, 'a value sealed for another purpose');
    const used = await store.db.selectFrom('remembered_devices').select('last_used_at').where('user_id', '=', ada).execute();
    assert.ok(used.some((r) => Number(r.last_used_at) === clock.nowMs()));
  });

  it('stops working after 30 days and once forgotten', async () => {
    const cookie = await tokens.remember(store, bob);
    clock.advanceSeconds(REMEMBER_DEVICE_SECONDS - 1);
    assert.equal(await tokens.recognises(store, bob, cookie), true);
    clock.advanceSeconds(2);
    assert.equal(await tokens.recognises(store, bob, cookie), false, 'expired');
    const fresh = await tokens.remember(store, bob);
    await store.pendingLogins.forgetDevices(bob);
    assert.equal(await tokens.recognises(store, bob, fresh), false, 'forgotten');
  });
});
