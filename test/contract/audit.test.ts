import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS } from './support/fixtures.ts';

describeEachDatabase('audit store contract', (database) => {
  it("records events with auto-numbered ids and lists a user's newest first", async () => {
    const { store } = database();
    const user = await createUser(store);
    await store.audit.record({ type: 'login.failed', userId: user.id, ip: '192.0.2.1', userAgent: 'x'.repeat(600), nowMs: NOW_MS });
    await store.audit.record({ type: 'login.succeeded', userId: user.id, ip: '2001:db8::1', userAgent: null, nowMs: NOW_MS });
    await store.audit.record({
      type: 'password_reset.completed',
      userId: user.id,
      ip: null,
      userAgent: null,
      nowMs: NOW_MS + 1,
      detail: { sessionsEnded: 2, note: 'ok' },
    });
    await store.audit.record({ type: 'registration.duplicate', userId: null, ip: null, userAgent: null, nowMs: NOW_MS + 2 });
    const events = await store.audit.listForUser(user.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['password_reset.completed', 'login.succeeded', 'login.failed'],
    );
    for (const e of events) assert.equal(typeof e.id, 'number');
    const [third, second, first] = events;
    assert.ok(first && second && third && first.id < second.id && second.id < third.id, 'ids grow');
    assert.equal(third?.created_at, NOW_MS + 1);
    assert.deepEqual(JSON.parse(third?.detail ?? 'null'), { sessionsEnded: 2, note: 'ok' });
    assert.equal(first?.user_agent?.length, 512);
    assert.equal(second?.ip, '2001:db8::1');
    assert.equal((await store.audit.listForUser(user.id, 1)).length, 1);
  });
});
