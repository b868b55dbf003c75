import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import { ManualClock } from '../../src/kernel/clock.ts';
import { Store } from '../../src/store/store.ts';
import { TEST_SECRET } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { NOW_MS } from './support/fixtures.ts';
import { dumpOidcTables, oidcId, oidcStores } from './support/oidc.ts';

const MODELS = ['Session', 'Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'Interaction', 'ClientCredentials'];

describeEachDatabase('OIDC storage contract', (database) => {
  const clock = new ManualClock(NOW_MS);
  const storage = () => oidcStores(database().store, clock).storage;

  /** A grant with a code, an access token and a refresh token, as oidc-provider would write them. */
  async function issueGrant(accountId: string, clientId = 'client-a') {
    const s = storage();
    const ids = { grant: oidcId(), code: oidcId(), access: oidcId(), refresh: oidcId() };
    await s.adapter('Grant').upsert(ids.grant, { jti: ids.grant, accountId, clientId, kind: 'Grant' } as AdapterPayload, 3600);
    for (const [model, id] of [
      ['AuthorizationCode', ids.code],
      ['AccessToken', ids.access],
      ['RefreshToken', ids.refresh],
    ] as const) {
      await s.adapter(model).upsert(id, { jti: id, accountId, clientId, grantId: ids.grant, kind: model }, 600);
    }
    return ids;
  }

  it('round-trips a payload of every model, keeping models apart and overwriting on upsert', async () => {
    const s = storage();
    for (const model of MODELS) {
      const id = oidcId();
      const payload = { jti: id, kind: model, accountId: 'user-1', scope: 'openid email', nested: { amr: ['pwd'], n: 1.5 } };
      await s.adapter(model).upsert(id, payload as AdapterPayload, 60);
      assert.deepEqual(await s.adapter(model).find(id), payload, model);
      const other = MODELS.find((m) => m !== model) as string;
      assert.equal(await s.adapter(other).find(id), undefined, `${model} id found as ${other}`);
      await s.adapter(model).upsert(id, { ...payload, scope: 'openid' } as AdapterPayload, 60);
      assert.equal((await s.adapter(model).find(id))?.scope, 'openid');
      await s.adapter(model).destroy(id);
      assert.equal(await s.adapter(model).find(id), undefined);
    }
  });

  it('finds nothing once a row has expired; rows without expiry stay', async () => {
    const s = storage();
    const short = oidcId();
    const forever = oidcId();
    await s.adapter('AccessToken').upsert(short, { jti: short }, 30);
    await s.adapter('Session').upsert(forever, { jti: forever, uid: oidcId() });
    clock.advanceSeconds(29);
    assert.ok(await s.adapter('AccessToken').find(short));
    clock.advanceSeconds(1);
    assert.equal(await s.adapter('AccessToken').find(short), undefined);
    assert.ok(await s.adapter('Session').find(forever));
  });

  it('finds a session by its uid and a device code by its user code, and nothing by another model', async () => {
    const s = storage();
    const id = oidcId();
    const uid = oidcId();
    await s.adapter('Session').upsert(id, { jti: id, uid, accountId: 'user-2' }, 600);
    assert.equal((await s.adapter('Session').findByUid(uid))?.jti, id);
    assert.equal(await s.adapter('Session').findByUid(oidcId()), undefined);
    assert.equal(await s.adapter('Interaction').findByUid(uid), undefined);
    const device = oidcId();
    await s.adapter('DeviceCode').upsert(device, { jti: device, userCode: 'BCDF-GHJK' }, 600);
    assert.equal((await s.adapter('DeviceCode').findByUserCode('BCDF-GHJK'))?.jti, device);
    assert.equal(await s.adapter('DeviceCode').findByUserCode('bcdf-ghjk'), undefined);
  });

  it('consume sets `consumed` (epoch seconds) in the payload; a second consume fails with invalid_grant and revokes the grant', async () => {
    const s = storage();
    const ids = await issueGrant('user-3');
    const codes = s.adapter('AuthorizationCode');
    assert.equal((await codes.find(ids.code))?.consumed, undefined);
    await codes.consume(ids.code);
    assert.equal((await codes.find(ids.code))?.consumed, Math.floor(clock.nowMs() / 1000));
    await assert.rejects(codes.consume(ids.code), (error: Error & { error?: string }) => error.error === 'invalid_grant');
    for (const [model, id] of [
      ['Grant', ids.grant],
      ['AccessToken', ids.access],
      ['RefreshToken', ids.refresh],
      ['AuthorizationCode', ids.code],
    ] as const) {
      assert.equal(await s.adapter(model).find(id), undefined, `${model} survived the reuse`);
    }
  });

  it('of 40 concurrent redemptions of one refresh token over two pools exactly one consumes it', async () => {
    const db = database();
    const other = oidcStores(new Store(db.open(10).db, db.handle.capabilities), clock).storage;
    const ids = await issueGrant('user-4');
    const attempts = Array.from({ length: 40 }, (_, i) =>
      (i % 2 === 0 ? storage() : other)
        .adapter('RefreshToken')
        .consume(ids.refresh)
        .then(
          () => true,
          (error: Error & { error?: string }) => {
            assert.equal(error.error, 'invalid_grant');
            return false;
          },
        ),
    );
    assert.equal((await Promise.all(attempts)).filter(Boolean).length, 1);
  });

  it('revokeByGrantId removes that model of that grant only', async () => {
    const s = storage();
    const ids = await issueGrant('user-5');
    const kept = await issueGrant('user-5');
    await s.adapter('AccessToken').revokeByGrantId(ids.grant);
    assert.equal(await s.adapter('AccessToken').find(ids.access), undefined);
    assert.ok(await s.adapter('RefreshToken').find(ids.refresh), 'another model of the grant stays');
    assert.ok(await s.adapter('AccessToken').find(kept.access), 'another grant stays');
  });

  it("endEverythingForUser ends their sessions, interactions, grants, codes and tokens, and no one else's", async () => {
    const s = storage();
    const mine = await issueGrant('user-6');
    const theirs = await issueGrant('user-7');
    const session = oidcId();
    const interaction = oidcId();
    await s.adapter('Session').upsert(session, { jti: session, uid: oidcId(), accountId: 'user-6' }, 600);
    await s
      .adapter('Interaction')
      .upsert(interaction, { jti: interaction, result: { login: { accountId: 'user-6' } } } as AdapterPayload, 600);
    // A token without accountId still goes with its grant.
    const orphan = oidcId();
    await s.adapter('AccessToken').upsert(orphan, { jti: orphan, grantId: mine.grant }, 600);
    assert.equal(await s.endEverythingForUser('user-6'), 7);
    for (const [model, id] of [
      ['Session', session],
      ['Interaction', interaction],
      ['Grant', mine.grant],
      ['AccessToken', orphan],
      ['RefreshToken', mine.refresh],
    ] as const) {
      assert.equal(await s.adapter(model).find(id), undefined, model);
    }
    assert.ok(await s.adapter('RefreshToken').find(theirs.refresh));
    assert.equal(await database().store.transaction((tx) => tx.oidc.deleteForUser('user-7')), 4, 'also inside a transaction');
  });

  it('purgeExpired deletes expired rows only', async () => {
    const s = storage();
    const db = database().store.db;
    const count = async () =>
      Number(
        (
          await db
            .selectFrom('oidc_payloads')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 0; i < 12; i++) {
      const id = oidcId();
      await s.adapter('AccessToken').upsert(id, { jti: id }, 10);
    }
    const live = oidcId();
    await s.adapter('AccessToken').upsert(live, { jti: live }, 7200);
    clock.advanceSeconds(3600);
    const rowsBefore = await count();
    const purged = await s.purgeExpired(clock.nowMs());
    assert.ok(purged >= 12, `${purged} purged`);
    assert.equal(await count(), rowsBefore - purged);
    const expiredLeft = await db.selectFrom('oidc_payloads').select('key').where('expires_at', '<', clock.nowMs()).execute();
    assert.deepEqual(expiredLeft, []);
    assert.ok(await s.adapter('AccessToken').find(live));
    assert.equal(await s.purgeExpired(clock.nowMs()), 0);
  });

  it('keeps working across a SECRET_KEYS rotation: rows written under the old key are found and replaced', async () => {
    const store = database().store;
    const old = oidcStores(store, clock, ['the-old-secret-key-0123456789abcdef0123']).storage;
    const rotated = oidcStores(store, clock, [TEST_SECRET, 'the-old-secret-key-0123456789abcdef0123']).storage;
    const id = oidcId();
    const uid = oidcId();
    await old.adapter('Session').upsert(id, { jti: id, uid, accountId: 'user-8' }, 600);
    assert.equal((await rotated.adapter('Session').find(id))?.jti, id);
    assert.equal((await rotated.adapter('Session').findByUid(uid))?.jti, id);
    await rotated.adapter('Session').upsert(id, { jti: id, uid, accountId: 'user-8', amr: ['pwd'] }, 600);
    const rows = await store.db.selectFrom('oidc_payloads').select('key').where('user_id', '=', 'user-8').execute();
    assert.equal(rows.length, 1, 'one row, not one per key');
    assert.equal(await rotated.endEverythingForUser('user-8'), 1);
  });

  it('a database dump holds no usable id, uid, grant id or payload value', async () => {
    const s = storage();
    const secret = { email: 'grace@example.com', nonce: oidcId(), scope: 'openid email' };
    const ids = await issueGrant('user-9');
    const session = oidcId();
    const uid = oidcId();
    await s.adapter('Session').upsert(session, { jti: session, uid, accountId: 'user-9' }, 600);
    const interaction = oidcId();
    await s.adapter('Interaction').upsert(interaction, { jti: interaction, params: secret } as AdapterPayload, 600);
    const dump = await dumpOidcTables(database().store);
    for (const value of [...Object.values(ids), session, uid, interaction, secret.email, secret.nonce, secret.scope]) {
      assert.ok(!dump.includes(value), `the dump holds ${value}`);
    }
  });
});
