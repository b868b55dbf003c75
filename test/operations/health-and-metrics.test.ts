import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient } from '../support/flows.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('health, readiness and metrics', () => {
  let service: TestService;
  let client: TestClient;
  before(async () => {
    service = await startTestService({ METRICS_TOKEN });
    client = new TestClient(service.url);
  });
  after(() => service.close());

  it('GET /healthz answers 200 while the process runs', async () => {
    const response = await client.get('/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('GET /readyz answers 200 when the database answers and the schema is current, 503 SCHEMA_OUTDATED when behind', async () => {
    const db = service.deps.store.db;
    const applied = await db
      .selectFrom('kysely_migration' as never)
      .selectAll()
      .execute();
    await db.deleteFrom('kysely_migration' as never).execute();
    const behind = await client.get('/readyz');
    assert.equal(behind.status, 503);
    assert.equal(behind.json().error.code, 'SCHEMA_OUTDATED');
    assert.match(behind.json().error.message, /latchkey migrate/);
    assert.ok(behind.headers.get('retry-after'));
    await db
      .insertInto('kysely_migration' as never)
      .values(applied as never)
      .execute();

    const ready = await client.get('/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.json().status, 'ready');
    assert.equal(ready.json().database, service.deps.database.dialect);
  });

  it('GET /metrics requires the bearer token', async () => {
    assert.equal((await client.get('/metrics')).status, 401);
    const wrong = await new TestClient(service.url, { authorization: `Bearer ${METRICS_TOKEN}x` }).get('/metrics');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    assert.ok(!wrong.text.includes('latchkey_http'));
  });

  it('exposes requests by route and status, latency, outbox depth and oldest age, send latency and failures, the hash queue', async () => {
    await apiClient(service).postJson('/api/password/forgot', { email: 'metrics@example.com' });
    const token = 'A'.repeat(43);
    await new TestClient(service.url).get(`/reset-password/${token}`);
    await client.get('/no-such-page');
    const response = await new TestClient(service.url, { authorization: `Bearer ${METRICS_TOKEN}` }).get('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = response.text;
    assert.match(text, /latchkey_http_requests_total\{method="POST",route="\/api\/password\/forgot",status="202"\} 1/);
    assert.match(text, /latchkey_http_requests_total\{method="GET",route="\/reset-password\/:token",status="\d+"\} 1/);
    assert.match(text, /latchkey_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    assert.match(text, /latchkey_http_request_duration_seconds_bucket\{le="0\.05",method="POST",route="\/api\/password\/forgot"\}/);
    assert.match(text, /^latchkey_outbox_queue_depth -?\d+$/m);
    assert.match(text, /^latchkey_outbox_oldest_queued_age_seconds \d+(\.\d+)?$/m);
    assert.match(text, /# TYPE latchkey_courier_send_duration_seconds histogram/);
    assert.match(text, /^latchkey_password_hash_queue_length 0$/m);
    assert.match(text, /# TYPE latchkey_courier_send_failures_total counter/);
    assert.match(text, /latchkey_process_/);
    assert.ok(!text.includes(token), 'a token in a URL never becomes a label');
    assert.ok(!text.includes('metrics@example.com'));
  });
});

describe('metrics without METRICS_TOKEN', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  it('are off: /metrics is not found', async () => {
    const response = await new TestClient(service.url, { authorization: 'Bearer anything-at-all-here' }).get('/metrics');
    assert.equal(response.status, 404);
  });
});
