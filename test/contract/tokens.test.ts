import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { Store } from '../../src/store/store.ts';
import type { TokenPurpose } from '../../src/store/tokens-repository.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS, randomDigest } from './support/fixtures.ts';

const HOUR = 3_600_000;

describeEachDatabase('tokens store contract', (database) => {
  async function newToken(
    store: Store,
    userId: string,
    options: { expiresAtMs?: number; digest?: string; purpose?: TokenPurpose; createdAtMs?: number } = {},
  ) {
    const digest = options.digest ?? randomDigest();
    await store.tokens.create({
      id: randomUUID(),
      purpose: options.purpose ?? 'password-reset',
      digest,
      userId,
      nowMs: options.createdAtMs ?? NOW_MS,
      expiresAtMs: options.expiresAtMs ?? NOW_MS + HOUR,
      requestedIp: '203.0.113.9',
    });
    return digest;
  }

  it('finds a token by any candidate digest and reads its times exactly', async () => {
    const { store } = database();
    const user = await createUser(store);
    const digest = await newToken(store, user.id);
    const found = await store.tokens.findByDigests('password-reset', [randomDigest(), digest]);
    assert.equal(found?.user_id, user.id);
    assert.equal(found?.expires_at, NOW_MS + HOUR);
    assert.equal(found?.used_at, null);
    assert.equal(found?.requested_ip, '203.0.113.9');
  });

  it('tells digests apart by case (base64url): a case-changed digest finds nothing and redeems nothing', async () => {
    const { store } = database();
    const user = await createUser(store);
    const digest = `A${randomDigest().slice(1)}`;
    await newToken(store, user.id, { digest });
    const twin = `a${digest.slice(1)}`;
    assert.equal(await store.tokens.findByDigests('password-reset', [twin]), undefined);
    assert.equal(await store.tokens.consume('password-reset', [twin], NOW_MS), false);
    await newToken(store, user.id, { digest: twin });
    assert.equal(await store.tokens.consume('password-reset', [digest], NOW_MS), true);
    assert.equal((await store.tokens.findByDigests('password-reset', [twin]))?.used_at, null);
  });

  it('redeems a token once, never after expiry, never after revocation', async () => {
    const { store } = database();
    const user = await createUser(store);
    const live = await newToken(store, user.id);
    assert.equal(await store.tokens.consume('password-reset', [live], NOW_MS + 1), true);
    assert.equal(await store.tokens.consume('password-reset', [live], NOW_MS + 2), false);
    assert.equal((await store.tokens.findByDigests('password-reset', [live]))?.used_at, NOW_MS + 1);

    const expired = await newToken(store, user.id, { expiresAtMs: NOW_MS + 10 });
    assert.equal(await store.tokens.consume('password-reset', [expired], NOW_MS + 10), false);

    const revoked = await newToken(store, user.id);
    assert.equal(await store.tokens.revokeAllForUser(user.id, NOW_MS + 3), 2, 'the expired and the live unused token');
    assert.equal(await store.tokens.consume('password-reset', [revoked], NOW_MS + 4), false);
    assert.equal((await store.tokens.findByDigests('password-reset', [revoked]))?.revoked_at, NOW_MS + 3);
  });

  it('revokes the live tokens of one purpose issued at a time or later, and only those', async () => {
    const { store } = database();
    const user = await createUser(store);
    const other = await createUser(store);
    const undo = (createdAtMs: number, userId = user.id) =>
      newToken(store, userId, { purpose: 'email-change-undo', createdAtMs, expiresAtMs: NOW_MS + HOUR });
    const older = await undo(NOW_MS - 1);
    const same = await undo(NOW_MS);
    const newer = await undo(NOW_MS + 5);
    const used = await undo(NOW_MS + 6);
    assert.equal(await store.tokens.consume('email-change-undo', [used], NOW_MS + 7), true);
    const reset = await newToken(store, user.id, { createdAtMs: NOW_MS + 8 });
    const othersUndo = await undo(NOW_MS + 9, other.id);
    assert.equal(await store.tokens.revokeIssuedSince(user.id, 'email-change-undo', NOW_MS, NOW_MS + 10), 2);
    const revokedAt = async (purpose: TokenPurpose, digest: string) => (await store.tokens.findByDigests(purpose, [digest]))?.revoked_at;
    assert.equal(await revokedAt('email-change-undo', older), null, 'an older one stays');
    assert.equal(await revokedAt('email-change-undo', same), NOW_MS + 10);
    assert.equal(await revokedAt('email-change-undo', newer), NOW_MS + 10);
    assert.equal(await revokedAt('email-change-undo', used), null, 'a used one is left as it is');
    assert.equal(await revokedAt('password-reset', reset), null, 'another purpose is untouched');
    assert.equal(await revokedAt('email-change-undo', othersUndo), null, "another user's is untouched");
  });

  it('100 parallel redemptions of one token over two connection pools: exactly one succeeds', async () => {
    const db = database();
    const other = new Store(db.open(10).db, db.handle.capabilities);
    const user = await createUser(db.store);
    for (let round = 0; round < 3; round++) {
      const digest = await newToken(db.store, user.id);
      const attempts = Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? db.store : other).transaction((tx) => tx.tokens.consume('password-reset', [digest], NOW_MS + 1)),
      );
      const results = await Promise.all(attempts);
      assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results.filter(Boolean).length} redemptions succeeded`);
    }
  });
});
