import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { Store } from '../../src/store/store.ts';
import { TEST_SECRET } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { NOW_MS } from './support/fixtures.ts';
import { dumpOidcTables, MAX_TOKEN_LIFETIME_SECONDS, oidcStores } from './support/oidc.ts';

const client = {
  name: 'Notes',
  redirectUris: ['https://notes.example.com/callback', 'http://127.0.0.1:8080/cb'],
  postLogoutRedirectUris: ['https://notes.example.com/'],
  isPublic: false,
  skipConsent: true,
};

describeEachDatabase('OIDC signing keys and clients contract', (database) => {
  const clock = new ManualClock(NOW_MS);

  it('creates the first signing key once when two processes ask at the same moment', async () => {
    const db = database();
    const a = oidcStores(db.store, clock).keys;
    const b = oidcStores(new Store(db.open(3).db, db.handle.capabilities), clock).keys;
    const [fromA, fromB] = await Promise.all([a.privateJwks(clock.nowMs()), b.privateJwks(clock.nowMs())]);
    assert.equal(fromA.length, 1);
    assert.deepEqual(fromA, fromB);
    const key = fromA[0];
    assert.equal(key?.kty, 'EC');
    assert.equal(key?.crv, 'P-256');
    assert.equal(key?.alg, 'ES256');
    assert.ok(typeof key?.d === 'string' && typeof key?.kid === 'string');
    assert.equal((await db.store.db.selectFrom('oidc_signing_keys').selectAll().execute()).length, 1);
    // The private key signs what its stored public half verifies.
    const { d, ...publicJwk } = key as Record<string, string>;
    assert.ok(d);
    const row = await db.store.db.selectFrom('oidc_signing_keys').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.public_jwk), publicJwk);
    const signed = sign('sha256', Buffer.from('hello'), createPrivateKey({ key: key as never, format: 'jwk' }));
    assert.ok(verify('sha256', Buffer.from('hello'), createPublicKey({ key: publicJwk as never, format: 'jwk' }), signed));
  });

  it('rotate signs with a new key and keeps the old one in the JWKS until its tokens have expired', async () => {
    const keys = oidcStores(database().store, clock).keys;
    const [before] = await keys.privateJwks(clock.nowMs());
    clock.advanceSeconds(60);
    const kid = await keys.rotate(clock.nowMs());
    assert.notEqual(kid, before?.kid);
    const after = await keys.privateJwks(clock.nowMs());
    assert.deepEqual(
      after.map((k) => k.kid),
      [kid, before?.kid],
      'the new key signs (first); the old one still verifies',
    );
    clock.advanceSeconds(MAX_TOKEN_LIFETIME_SECONDS - 1);
    assert.equal((await keys.privateJwks(clock.nowMs())).length, 2);
    clock.advanceSeconds(1);
    assert.deepEqual(
      (await keys.privateJwks(clock.nowMs())).map((k) => k.kid),
      [kid],
    );
    assert.deepEqual(
      (await keys.publicKeys(clock.nowMs())).map((k) => k.kid),
      [kid],
    );
  });

  it('two rotations at the same moment both land, one after the other', async () => {
    const db = database();
    const a = oidcStores(db.store, clock).keys;
    const b = oidcStores(new Store(db.open(3).db, db.handle.capabilities), clock).keys;
    const [kidA, kidB] = await Promise.all([a.rotate(clock.nowMs()), b.rotate(clock.nowMs())]);
    assert.notEqual(kidA, kidB);
    const current = (await a.privateJwks(clock.nowMs()))[0]?.kid;
    assert.ok(current === kidA || current === kidB);
    const unretired = await db.store.db.selectFrom('oidc_signing_keys').select('kid').where('retired_at', 'is', null).execute();
    assert.deepEqual(
      unretired.map((r) => r.kid),
      [current],
    );
  });

  it('adds, finds, lists and removes clients; a confidential client gets a 256-bit secret, once', async () => {
    const clients = oidcStores(database().store, clock).clients;
    const added = await clients.add(client, clock.nowMs());
    assert.ok(added.ok);
    assert.match(added.client.clientId, /^[0-9a-f]{32}$/);
    assert.match(added.clientSecret ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(added.client.redirectUris, client.redirectUris);
    assert.deepEqual(await clients.find(added.client.clientId), added.client);
    const pub = await clients.add({ ...client, name: 'CLI', isPublic: true, skipConsent: false }, clock.nowMs() + 1);
    assert.ok(pub.ok);
    assert.equal(pub.clientSecret, undefined);
    assert.equal(pub.client.isPublic, true);
    const listed = (await clients.list()).map((c) => c.clientId);
    assert.ok(listed.indexOf(added.client.clientId) < listed.indexOf(pub.client.clientId), 'oldest first');
    assert.equal(await clients.remove(pub.client.clientId), true);
    assert.equal(await clients.remove(pub.client.clientId), false);
    assert.equal(await clients.find(pub.client.clientId), undefined);
  });

  it('verifies a client secret exactly, for that client only', async () => {
    const clients = oidcStores(database().store, clock).clients;
    const a = await clients.add(client, clock.nowMs());
    const b = await clients.add(client, clock.nowMs());
    assert.ok(a.ok && b.ok && a.clientSecret && b.clientSecret);
    assert.equal(await clients.verifySecret(a.client.clientId, a.clientSecret), true);
    assert.equal(await clients.verifySecret(a.client.clientId, b.clientSecret), false);
    assert.equal(await clients.verifySecret(b.client.clientId, a.clientSecret), false);
    assert.equal(await clients.verifySecret(a.client.clientId, `${a.clientSecret.slice(0, -1)}x`), false);
    assert.equal(await clients.verifySecret(a.client.clientId, ''), false);
    assert.equal(await clients.verifySecret('no-such-client', a.clientSecret), false);
    const pub = await clients.add({ ...client, isPublic: true }, clock.nowMs());
    assert.ok(pub.ok);
    assert.equal(await clients.verifySecret(pub.client.clientId, ''), false);
  });

  it('refuses bad names and redirect URIs, naming the URI, and stores nothing', async () => {
    const clients = oidcStores(database().store, clock).clients;
    const count = async () => (await clients.list()).length;
    const before = await count();
    for (const uri of [
      'http://notes.example.com/cb',
      'https://notes.example.com/cb#x',
      '/callback',
      'javascript:alert(1)',
      'https://a@notes.example.com/',
    ]) {
      const refused = await clients.add({ ...client, redirectUris: [uri] }, clock.nowMs());
      assert.ok(!refused.ok);
      assert.equal(refused.code, 'REDIRECT_URI_INVALID');
      assert.ok(refused.detail.includes(uri));
    }
    const logout = await clients.add({ ...client, postLogoutRedirectUris: ['http://evil.example/'] }, clock.nowMs());
    assert.equal(!logout.ok && logout.code, 'REDIRECT_URI_INVALID');
    assert.equal(!(await clients.add({ ...client, redirectUris: [] }, clock.nowMs())).ok, true);
    const name = await clients.add({ ...client, name: '  ' }, clock.nowMs());
    assert.equal(!name.ok && name.code, 'CLIENT_NAME_INVALID');
    assert.equal(await count(), before);
  });

  it('a database dump holds no client secret and no private signing key', async () => {
    const stores = oidcStores(database().store, clock);
    const added = await stores.clients.add(client, clock.nowMs());
    assert.ok(added.ok && added.clientSecret);
    const jwks = await stores.keys.privateJwks(clock.nowMs());
    const dump = await dumpOidcTables(database().store);
    assert.ok(!dump.includes(added.clientSecret), 'the client secret');
    for (const key of jwks) assert.ok(!dump.includes(key.d as string), `the private part of ${key.kid}`);
  });

  // Last: it leaves the signing keys sealed under a key the other tests do not have.
  it('after a SECRET_KEYS rotation, signing keys and client secrets move to the new key, so the old key can be dropped', async () => {
    const store = database().store;
    const NEW = 'a-brand-new-secret-key-0123456789abcdef';
    const before = oidcStores(store, clock);
    const added = await before.clients.add(client, clock.nowMs());
    assert.ok(added.ok && added.clientSecret);
    const jwks = await before.keys.privateJwks(clock.nowMs());

    const during = oidcStores(store, clock, [NEW, TEST_SECRET]);
    assert.deepEqual(await during.keys.privateJwks(clock.nowMs()), jwks);
    assert.equal(await during.clients.verifySecret(added.client.clientId, added.clientSecret), true);

    const after = oidcStores(store, clock, [NEW]);
    assert.deepEqual(await after.keys.privateJwks(clock.nowMs()), jwks, 'the keys still open with the new key alone');
    assert.equal(await after.clients.verifySecret(added.client.clientId, added.clientSecret), true, 'the secret still verifies');
    assert.equal(await after.clients.verifySecret(added.client.clientId, `${added.clientSecret}x`), false);
  });
});
