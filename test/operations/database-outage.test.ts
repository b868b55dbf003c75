import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { insertUser } from '../support/database.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/databases.ts';
import { apiClient } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const DAY_MS = 86_400_000;
const PASSWORD = 'outage horse battery staple';

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
    const logs = new LogCapture();
    before(async () => {
      database = await createTestDatabase(engine.name);
      const url = new URL(database.url);
      proxy = new TcpProxy(url.hostname, Number(url.port || (engine.name === 'postgres' ? 5432 : 3306)));
      await proxy.start();
      url.host = `127.0.0.1:${proxy.port}`;
      // The cleanup schedule runs every second here, to see it fail during the outage and resume.
      service = await startTestService({ DATABASE_URL: url.href, LOG_LEVEL: 'info', CLEANUP_INTERVAL: '1' }, {}, { logDestination: logs });
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

    it('keeps the courier and the cleanup schedule running through the outage: queued mail is sent and old rows purged afterwards', async () => {
      const api = apiClient(service);
      // A mail queued before the outage that cannot leave yet (the SMTP peer refuses for now).
      service.smtp.failWith = '451 try again later';
      assert.equal((await api.postJson('/api/register', { email: 'queued-before@example.com', password: PASSWORD })).status, 202);
      await eventually(
        () => service.deps.store.outbox.countByStatus(),
        (counts) => (counts.failed ?? 0) > 0,
      );
      const cleanupRunsBefore = await eventually(
        async () => logs.entries.filter((e) => e.msg === 'cleanup finished').length,
        (runs) => runs > 0,
      );
      assert.ok(cleanupRunsBefore > 0, 'the schedule ran before the outage');

      await proxy.stop();
      service.smtp.failWith = undefined;
      const down = Date.now();
      const linesBefore = logs.entries.length;
      await logs.waitFor(/^cleanup failed$/, 10_000);
      await eventually(
        async () => logs.entries.slice(linesBefore).some((e) => e.msg === 'courier: processing the outbox failed'),
        (seen) => seen,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3_000 - (Date.now() - down))));
      await proxy.start();

      // The mail queued before is delivered once its retry is due, by the same running courier.
      await service.smtp.waitForMail('queued-before@example.com', { subject: /Welcome/, timeoutMs: 30_000 });
      // A mail queued after the outage leaves too.
      const after = await eventually(
        () => api.postJson('/api/register', { email: 'queued-after@example.com', password: PASSWORD }),
        (r) => r.status === 202,
      );
      assert.equal(after.status, 202, after.text);
      await service.smtp.waitForMail('queued-after@example.com', { subject: /Welcome/, timeoutMs: 15_000 });
      assert.equal(service.smtp.mailsTo('queued-before@example.com').length, 1, 'sent once');
      // The courier said once that its runs failed (not once per poll) and that they work again.
      await logs.waitFor(/^courier: processing the outbox works again$/, 10_000);
      const courierLines = logs.entries.slice(linesBefore).filter((e) => e.msg.startsWith('courier: processing the outbox'));
      assert.deepEqual(
        courierLines.map((e) => e.msg),
        ['courier: processing the outbox failed', 'courier: processing the outbox works again'],
      );

      // The schedule still runs: a token that expired long ago, written now, is purged by it.
      const userId = newId();
      await insertUser(service.deps.store, { id: userId, email: 'cleanup-after@example.com', nowMs: Date.now() });
      const tokenId = newId();
      await service.deps.store.db
        .insertInto('tokens')
        .values({
          id: tokenId,
          purpose: 'password-reset',
          digest: `digest-outage-${tokenId}`,
          user_id: userId,
          created_at: Date.now() - 30 * DAY_MS,
          expires_at: Date.now() - 29 * DAY_MS,
          used_at: null,
          revoked_at: null,
          requested_ip: null,
        })
        .execute();
      const purged = await eventually(
        () => service.deps.store.db.selectFrom('tokens').select('id').where('id', '=', tokenId).executeTakeFirst(),
        (row) => row === undefined,
      );
      assert.equal(purged, undefined, 'the scheduled cleanup deleted the old token after the outage');
      assert.ok(logs.entries.filter((e) => e.msg === 'cleanup finished').length > cleanupRunsBefore);
    });
  });
}
