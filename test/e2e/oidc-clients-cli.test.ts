import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '../../src/crypto/keyring.ts';
import { createOidcStores } from '../../src/flows/oidc/stores.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { TEST_SECRET } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { openTestDatabase } from '../support/database.ts';

describe('latchkey clients add|list|remove and keys rotate', () => {
  const sandbox = new CliSandbox();
  const cli = (...args: string[]) => sandbox.run(args);

  /** Runs `fn` on the sandbox's database with the service's own keys. */
  async function withStores<T>(
    fn: (stores: ReturnType<typeof createOidcStores>, db: Awaited<ReturnType<typeof openTestDatabase>>) => Promise<T>,
  ) {
    const opened = await openTestDatabase(sandbox.databaseFile);
    try {
      const stores = createOidcStores({
        store: opened.store,
        keyring: new Keyring([TEST_SECRET]),
        clock: systemClock,
        maxTokenLifetimeSeconds: 3600,
      });
      return await fn(stores, opened);
    } finally {
      await opened.database.close();
    }
  }

  before(async () => {
    const migrated = await cli('migrate');
    assert.equal(migrated.code, 0, migrated.stderr);
  });
  after(() => sandbox.remove());

  it('add --json prints only {"client_id", "client_secret"} on stdout; the secret works and is stored only as a digest', async () => {
    const added = await cli(
      'clients',
      'add',
      '--name',
      'Notes',
      '--redirect-uri',
      'https://notes.example.com/cb',
      '--redirect-uri',
      'http://127.0.0.1:3000/cb',
      '--skip-consent',
      '--json',
    );
    assert.equal(added.code, 0, added.stderr);
    const printed = JSON.parse(added.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(printed), ['client_id', 'client_secret']);
    assert.match(added.stderr, /shown only this once/);
    await withStores(async (stores, { store }) => {
      assert.equal(await stores.clients.verifySecret(printed.client_id as string, printed.client_secret as string), true);
      const client = await stores.clients.find(printed.client_id as string);
      assert.deepEqual(client?.redirectUris, ['https://notes.example.com/cb', 'http://127.0.0.1:3000/cb']);
      assert.equal(client?.skipConsent, true);
      assert.equal(client?.isPublic, false);
      const rows = JSON.stringify(await store.db.selectFrom('oidc_clients').selectAll().execute());
      assert.ok(!rows.includes(printed.client_secret as string));
    });
  });

  it('add --public --json prints no secret; plain add prints the id and the secret', async () => {
    const pub = await cli('clients', 'add', '--name', 'SPA', '--redirect-uri', 'https://spa.example.com/', '--public', '--json');
    assert.equal(pub.code, 0, pub.stderr);
    assert.deepEqual(Object.keys(JSON.parse(pub.stdout)), ['client_id']);
    assert.equal(pub.stderr, '');
    const plain = await cli(
      'clients',
      'add',
      '--name',
      'Wiki',
      '--redirect-uri',
      'https://wiki.example.com/cb',
      '--post-logout-redirect-uri',
      'https://wiki.example.com/',
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^registered Wiki \(confidential client\)\nclient_id: +[0-9a-f]{32}\nclient_secret: +[A-Za-z0-9_-]{43}\n$/);
  });

  it('refuses a bad redirect URI with a clear message and a non-zero exit, registering nothing', async () => {
    const count = () => withStores(async ({ clients }) => (await clients.list()).length);
    const before = await count();
    for (const [uri, why] of [
      ['http://app.example.com/cb', /http is only allowed for 127\.0\.0\.1/],
      ['https://app.example.com/cb#frag', /fragment/],
    ] as const) {
      const refused = await cli('clients', 'add', '--name', 'Bad', '--redirect-uri', uri, '--json');
      assert.equal(refused.code, 1);
      assert.equal(refused.stdout, '');
      assert.ok(refused.stderr.includes(`"${uri}" is refused`), refused.stderr);
      assert.match(refused.stderr, why);
    }
    const missing = await cli('clients', 'add', '--name', 'Bad');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--redirect-uri/);
    assert.equal(await count(), before);
  });

  it('list shows every client without secrets; remove removes one, and names an unknown id', async () => {
    const listed = await cli('clients', 'list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const clients = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      clients.map((c) => c.name),
      ['Notes', 'SPA', 'Wiki'],
    );
    assert.deepEqual(Object.keys(clients[0] ?? {}).sort(), [
      'client_id',
      'created_at',
      'name',
      'post_logout_redirect_uris',
      'public',
      'redirect_uris',
      'skip_consent',
    ]);
    const plain = await cli('clients', 'list');
    assert.match(plain.stdout, /^[0-9a-f]{32}\tSPA\tpublic\thttps:\/\/spa\.example\.com\/$/m);
    const id = clients[1]?.client_id as string;
    const removed = await cli('clients', 'remove', id);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `removed client ${id}\n`);
    const again = await cli('clients', 'remove', id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`no client has the id ${id}`));
    assert.equal(await withStores(async ({ clients }) => (await clients.list()).length), 2);
  });

  it('keys rotate adds a signing key; the previous one is retired but still published', async () => {
    const first = await withStores(async ({ keys }) => (await keys.privateJwks(Date.now()))[0]?.kid);
    const rotated = await cli('keys', 'rotate');
    assert.equal(rotated.code, 0, rotated.stderr);
    const kid = /^new signing key: ([A-Za-z0-9_-]{22}) \(ES256\)\n$/.exec(rotated.stdout)?.[1];
    assert.ok(kid, rotated.stdout);
    await withStores(async ({ keys }, { store }) => {
      assert.deepEqual(
        (await keys.privateJwks(Date.now())).map((k) => k.kid),
        [kid, first],
      );
      const rows = await store.db.selectFrom('oidc_signing_keys').select(['kid', 'retired_at']).orderBy('generation').execute();
      assert.equal(rows.length, 2);
      assert.ok(rows[0]?.retired_at !== null && rows[1]?.retired_at === null);
    });
  });
});
