import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { apiClient } from '../support/flows.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

async function eventually<T>(attempt: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (accept(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

for (const engine of ENGINES.filter((e) => e.name !== 'sqlite')) {
  describe(`a database outage on ${engine.name}`, { skip: engine.skipReason }, () => {
    let database: TestDatabase;
    let proxy: TcpProxy;
    let service: TestService;
    before(async () => {
      database = await createTestDatabase(engine.name);
      const url = new URL(database.url);
      proxy = new TcpProxy(url.hostname, Number(url.port || (engine.name === 'postgres' ? 5432 : 3306)));
      await proxy.start();
      url.host = `127.0.0.1:${proxy.port}`;
      service = await startTestService({ DATABASE_URL: url.href, LOG_LEVEL: 'silent' });
    });
    after(async () => {
      await service?.close();
      await proxy?.stop();
      await database?.drop();
    });

    it('answers 503 DATABASE_UNAVAILABLE while the database is gone and recovers by itself, without a restart', async () => {
      const api = apiClient(service);
      const probe = new TestClient(service.url);
      assert.equal((await api.postJson('/api/password/forgot', { email: 'outage@example.com' })).status, 202);
      assert.equal((await probe.get('/readyz')).status, 200);

      await proxy.stop();
      const started = Date.now();
      const down = await api.postJson('/api/password/forgot', { email: 'outage@example.com' });
      assert.ok(Date.now() - started < 8_000, 'the answer does not hang');
      assert.equal(down.status, 503, down.text);
      assert.equal(down.json().error.code, 'DATABASE_UNAVAILABLE');
      assert.equal(down.headers.get('retry-after'), '5');
      assert.ok(!/ECONNREFUSED|postgres|mysql|stack/i.test(down.text), 'no internals in the answer');
      // A page whose request needs the database (the session cookie is looked up) gets an HTML 503.
      const page = await new TestClient(service.url).get('/login', {
        cookie: `${service.deps.config.publicUrl.protocol === 'https:' ? '__Host-' : ''}lk_session=${'s'.repeat(43)}`,
      });
      assert.equal(page.status, 503, page.text);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.text, /cannot reach its database/);
      const ready = await probe.get('/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.json().error.code, 'DATABASE_UNAVAILABLE');
      assert.equal((await probe.get('/healthz')).status, 200, 'the process itself is alive');

      await proxy.start();
      const back = await eventually(
        () => api.postJson('/api/password/forgot', { email: 'outage@example.com' }),
        (r) => r.status === 202,
      );
      assert.equal(back.status, 202, back.text);
      assert.equal((await probe.get('/readyz')).status, 200);
    });
  });
}
