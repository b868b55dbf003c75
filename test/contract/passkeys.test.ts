import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { runCleanup } from '../../src/maintenance/cleanup.ts';
import type { NewPasskey } from '../../src/store/passkeys-repository.ts';
import type { WebauthnCeremony } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS, randomDigest } from './support/fixtures.ts';

function newPasskey(userId: string, o: Partial<NewPasskey> = {}): NewPasskey {
  return {
    id: randomUUID(),
    userId,
    // Real credential IDs run up to 1,023 bytes: a long one checks the column and the digest lookup.
    credentialId: randomBytes(600).toString('base64url'),
    publicKey: randomBytes(77).toString('base64url'),
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'singleDevice',
    backedUp: false,
    aaguid: '00000000-0000-0000-0000-000000000000',
    name: 'Laptop',
    nowMs: NOW_MS,
    ...o,
  };
}

async function challenge(store: Store, purpose: WebauthnCeremony, o: { nowMs?: number; userId?: string | null } = {}) {
  const digest = randomDigest();
  const nowMs = o.nowMs ?? NOW_MS;
  await store.passkeys.createChallenge({
    id: randomUUID(),
    digest,
    purpose,
    userId: o.userId ?? null,
    sessionId: null,
    pendingLoginId: null,
    nowMs,
    expiresAtMs: nowMs + 300_000,
  });
  return digest;
}

describeEachDatabase('passkeys store contract', (database) => {
  it('stores a passkey whole (long credential ID, BIGINT times, transports) and lists it for its account only', async () => {
    const { store } = database();
    const owner = await createUser(store);
    const other = await createUser(store);
    const p = newPasskey(owner.id, { counter: 7, backedUp: true, deviceType: 'multiDevice' });
    assert.equal(await store.passkeys.create(p), true);
    const found = await store.passkeys.findByCredentialId(p.credentialId);
    assert.deepEqual(found, {
      id: p.id,
      userId: owner.id,
      credentialId: p.credentialId,
      publicKey: p.publicKey,
      counter: 7,
      transports: ['internal', 'hybrid'],
      deviceType: 'multiDevice',
      backedUp: true,
      aaguid: p.aaguid,
      name: 'Laptop',
      createdAtMs: NOW_MS,
      lastUsedAtMs: null,
    });
    assert.deepEqual(
      (await store.passkeys.listForUser(owner.id)).map((x) => x.id),
      [p.id],
    );
    assert.deepEqual(await store.passkeys.listForUser(other.id), []);
    assert.equal(await store.passkeys.countForUser(owner.id), 1);
    assert.equal(await store.passkeys.findForUser(other.id, p.id), undefined, "not another account's");
    assert.equal(await store.passkeys.findByCredentialId(`${p.credentialId}x`), undefined);
    // Renaming and removing only touch the owner's passkey.
    assert.equal(await store.passkeys.rename(other.id, p.id, 'Mine now'), false);
    assert.equal(await store.passkeys.remove(other.id, p.id), false);
    assert.equal(await store.passkeys.rename(owner.id, p.id, 'Phone'), true);
    assert.equal((await store.passkeys.findForUser(owner.id, p.id))?.name, 'Phone');
    assert.equal(await store.passkeys.remove(owner.id, p.id), true);
    assert.equal(await store.passkeys.remove(owner.id, p.id), false);
    assert.equal(await store.passkeys.countForUser(owner.id), 0);
  });

  it('a credential ID belongs to one account: refused for another, also when ten registrations race', async () => {
    const { store } = database();
    const first = await createUser(store);
    const p = newPasskey(first.id);
    assert.equal(await store.passkeys.create(p), true);
    const second = await createUser(store);
    assert.equal(await store.passkeys.create(newPasskey(second.id, { credentialId: p.credentialId })), false);

    const credentialId = randomBytes(32).toString('base64url');
    const users = await Promise.all(Array.from({ length: 10 }, () => createUser(store)));
    const results = await Promise.all(users.map((u) => store.transaction((tx) => tx.passkeys.create(newPasskey(u.id, { credentialId })))));
    assert.equal(results.filter(Boolean).length, 1, 'exactly one registration wins');
    const owner = await store.passkeys.findByCredentialId(credentialId);
    assert.ok(owner && users.some((u) => u.id === owner.userId));
  });

  it('recordUse moves the counter only from the value it was compared against: of parallel uses one counts', async () => {
    const { store } = database();
    const user = await createUser(store);
    const p = newPasskey(user.id, { counter: 4 });
    await store.passkeys.create(p);
    assert.equal(await store.passkeys.recordUse(p.id, 3, 9, NOW_MS + 1), false, 'a stale expected counter');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.passkeys.recordUse(p.id, 4, 5 + i, NOW_MS + 2)));
    assert.equal(results.filter(Boolean).length, 1);
    const after = await store.passkeys.findForUser(user.id, p.id);
    assert.ok(after && after.counter >= 5 && after.counter <= 14);
    assert.equal(after?.lastUsedAtMs, NOW_MS + 2);
    // A counter past 2^32 survives the BIGINT round trip.
    assert.equal(await store.passkeys.recordUse(p.id, after?.counter as number, 2 ** 32 + 5, NOW_MS + 3), true);
    assert.equal((await store.passkeys.findForUser(user.id, p.id))?.counter, 2 ** 32 + 5);
  });

  it('a challenge is consumed once of twenty parallel tries, only for its ceremony, and never once expired', async () => {
    const { store } = database();
    const user = await createUser(store);
    const digest = await challenge(store, 'second-factor', { userId: user.id });
    assert.equal(await store.passkeys.consumeChallenge([digest], 'login', NOW_MS + 1), undefined, 'another ceremony');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction((tx) => tx.passkeys.consumeChallenge([randomDigest(), digest], 'second-factor', NOW_MS + 1)),
      ),
    );
    const won = results.filter((r) => r !== undefined);
    assert.equal(won.length, 1);
    assert.equal(won[0]?.user_id, user.id);
    assert.equal(won[0]?.purpose, 'second-factor');

    const late = await challenge(store, 'login');
    assert.equal(await store.passkeys.consumeChallenge([late], 'login', NOW_MS + 300_000), undefined, 'expired at 5 minutes');
    const live = await challenge(store, 'login');
    assert.ok(await store.passkeys.consumeChallenge([live], 'login', NOW_MS + 299_999));
    assert.equal(await store.passkeys.consumeChallenge([], 'login', NOW_MS), undefined);
  });

  it('cleanup purges used and expired challenges and keeps live ones and the passkeys', async () => {
    const { store } = database();
    const user = await createUser(store);
    await store.passkeys.create(newPasskey(user.id));
    const used = await challenge(store, 'register', { userId: user.id });
    await store.passkeys.consumeChallenge([used], 'register', NOW_MS + 1);
    const expired = await challenge(store, 'login', { nowMs: NOW_MS - 600_000 });
    const live = await challenge(store, 'login', { nowMs: NOW_MS + 60_000 });
    const clock = new ManualClock(NOW_MS + 1000);
    await runCleanup(store, clock, { tokenRetentionSeconds: 86_400, outboxRetentionSeconds: 86_400 });
    const left = await store.db.selectFrom('webauthn_challenges').select('digest').execute();
    assert.ok(left.some((r) => r.digest === live));
    assert.ok(!left.some((r) => r.digest === used), 'the used challenge is gone');
    assert.ok(!left.some((r) => r.digest === expired), 'the expired challenge is gone');
    assert.equal(await store.passkeys.countForUser(user.id), 1);
  });

  it('deleting an account deletes its passkeys and challenges (foreign keys cascade on every engine)', async () => {
    const { store } = database();
    const user = await createUser(store);
    const p = newPasskey(user.id);
    await store.passkeys.create(p);
    const digest = await challenge(store, 'reauth', { userId: user.id });
    assert.equal(await store.users.delete(user.id), true);
    assert.equal(await store.passkeys.findByCredentialId(p.credentialId), undefined);
    assert.equal(await store.db.selectFrom('webauthn_challenges').select('id').where('digest', '=', digest).executeTakeFirst(), undefined);
  });
});
