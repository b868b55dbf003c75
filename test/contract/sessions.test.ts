import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS, randomDigest } from './support/fixtures.ts';

const DAY = 86_400_000;
/** An idle timeout long enough never to end a session in these tests. */
const IDLE_MS = 365 * DAY;

describeEachDatabase('sessions store contract', (database) => {
  async function newSession(store: Store, userId: string, expiresAtMs = NOW_MS + DAY) {
    const session = {
      id: randomUUID(),
      digest: randomDigest(),
      userId,
      nowMs: NOW_MS,
      expiresAtMs,
      ip: '198.51.100.7',
      userAgent: 'test/1.0',
    };
    await store.sessions.create(session);
    return session;
  }

  it('finds a live session with its user, by exact digest only', async () => {
    const { store } = database();
    const user = await createUser(store);
    const session = await newSession(store, user.id);
    const active = await store.sessions.findActive(session.digest, NOW_MS + 1, IDLE_MS);
    assert.equal(active?.session.id, session.id);
    assert.equal(active?.session.expires_at, NOW_MS + DAY);
    assert.deepEqual(active?.user, { id: user.id, email: user.email, name: null, username: null, disabled_at: null, locale: null });
    // The account's language comes with it (what the session loader compares with the request's).
    await store.users.setLocale(user.id, 'pt-BR');
    assert.equal((await store.sessions.findActive(session.digest, NOW_MS + 1, IDLE_MS))?.user.locale, 'pt-BR');
    assert.equal(
      await store.sessions.findActive(
        session.digest.toLowerCase() === session.digest ? `${session.digest}x` : session.digest.toLowerCase(),
        NOW_MS,
        IDLE_MS,
      ),
      undefined,
    );
  });

  it('does not find an expired session or one of a disabled account', async () => {
    const { store } = database();
    const user = await createUser(store);
    const short = await newSession(store, user.id, NOW_MS + 10);
    assert.equal(await store.sessions.findActive(short.digest, NOW_MS + 10, IDLE_MS), undefined);
    const long = await newSession(store, user.id);
    await store.users.setDisabled(user.id, true, NOW_MS);
    assert.equal(await store.sessions.findActive(long.digest, NOW_MS + 1, IDLE_MS), undefined);
  });

  it('touches, counts and ends sessions (all, or all but one)', async () => {
    const { store } = database();
    const user = await createUser(store);
    const [a, b, c] = [await newSession(store, user.id), await newSession(store, user.id), await newSession(store, user.id)];
    await store.sessions.touch(a.id, NOW_MS + 500);
    assert.equal((await store.sessions.findActive(a.digest, NOW_MS + 600, IDLE_MS))?.session.last_seen_at, NOW_MS + 500);
    assert.equal(await store.sessions.countForUser(user.id, NOW_MS), 3);
    await store.sessions.deleteByDigest(c.digest);
    assert.equal(await store.sessions.deleteAllForUser(user.id, a.id), 1);
    assert.equal(await store.sessions.findActive(b.digest, NOW_MS, IDLE_MS), undefined);
    assert.ok(await store.sessions.findActive(a.digest, NOW_MS, IDLE_MS));
    assert.equal(await store.sessions.deleteAllForUser(user.id), 1);
    assert.equal(await store.sessions.countForUser(user.id, NOW_MS), 0);
  });
});
