import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { storageFault } from '../../src/store/database.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { openTestDatabase } from '../support/database.ts';
import { apiClient } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';
import { ImmutableFiles, SmallFilesystem } from '../support/storage-faults.ts';

const PASSWORD = 'storage fault horse battery';

/**
 * Registers new accounts one by one until the database refuses a write (at most `attempts`).
 * Every answer must be the usual 202 or a 503 DATABASE_NOT_WRITABLE: never a 500, never a hang.
 * (SQLite may still fit a few writes into space its WAL file already holds.)
 */
async function registerUntilRefused(service: TestService, prefix: string, attempts = 300): Promise<TestResponse> {
  const api = apiClient(service);
  for (let i = 0; i < attempts; i++) {
    const response = await api.postJson('/api/register', { email: `${prefix}-${i}@example.com`, password: PASSWORD });
    if (response.status === 503) return response;
    assert.equal(response.status, 202, `registration ${i} answered ${response.status}: ${response.text}`);
  }
  assert.fail(`the database accepted ${attempts} registrations although it cannot be written`);
}

function assertNotWritableAnswer(response: TestResponse): void {
  assert.equal(response.status, 503, response.text);
  assert.equal(response.json().error.code, 'DATABASE_NOT_WRITABLE');
  assert.equal(response.headers.get('retry-after'), '5');
  assert.ok(!/SQLITE|disk|I\/O|stack|latchkey\.db/i.test(response.text), `no internals in the answer: ${response.text}`);
}

/** The log names the cause once per refused request, as a warning, and logs no stack trace or 500. */
function assertLogged(logs: LogCapture, causes: string[], refused: number): void {
  const named = logs.entries.filter((e) => /^database cannot be written/.test(e.msg));
  assert.equal(named.length, refused, `one line per refused request: ${JSON.stringify(named.map((e) => e.msg))}`);
  for (const entry of named) {
    assert.equal(entry.level, 40, 'a warning');
    const cause = String(entry.cause);
    assert.ok(causes.includes(cause), `the cause ${cause} is one of ${causes.join(', ')}`);
    assert.ok(entry.msg.includes(`(${cause}: `), `the message itself names the cause: ${entry.msg}`);
  }
  assert.deepEqual(
    logs.entries.filter((e) => e.msg === 'request failed').map((e) => e.msg),
    [],
    'no request ended as an internal error',
  );
}

/** /readyz is not ready while writes are refused: the database answers, but takes no write. */
async function assertNotReady(service: TestService): Promise<void> {
  const ready = await new TestClient(service.url).get('/readyz');
  assert.equal(ready.status, 503, ready.text);
  assert.equal(ready.json().error.code, 'DATABASE_NOT_WRITABLE');
}

async function assertRecovers(service: TestService, email: string): Promise<void> {
  const api = apiClient(service);
  const back = await api.postJson('/api/register', { email, password: PASSWORD });
  assert.equal(back.status, 202, back.text);
  // The courier, whose polls failed meanwhile, delivers the new account's mail.
  await service.smtp.waitForMail(email, { subject: /Welcome/, timeoutMs: 15_000 });
  // Its mark "sent", a write the database took, makes the service ready again (not 30 s later).
  let ready = await new TestClient(service.url).get('/readyz');
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ready = await new TestClient(service.url).get('/readyz');
  }
  assert.equal(ready.status, 200, ready.text);
}

describe('a full disk under the SQLite database', () => {
  const filesystem = new SmallFilesystem(1024);
  const logs = new LogCapture();
  let service: TestService;
  before(async () => {
    if (filesystem.skipReason) return;
    service = await startTestService(
      { DATABASE_URL: `sqlite:${join(filesystem.dir, 'latchkey.db')}`, LOG_LEVEL: 'warn' },
      {},
      { logDestination: logs },
    );
  });
  after(async () => {
    await service?.close();
    filesystem.dispose();
  });

  it('answers 503 DATABASE_NOT_WRITABLE with Retry-After, logs SQLITE_FULL, stays up and recovers when space is freed', {
    skip: filesystem.skipReason,
  }, async () => {
    assert.equal((await apiClient(service).postJson('/api/register', { email: 'before@example.com', password: PASSWORD })).status, 202);
    assert.ok(filesystem.fill() > 0, 'the filler took the space that was left');

    const refused = await registerUntilRefused(service, 'full');
    assertNotWritableAnswer(refused);
    // The same request once more: still a clean 503 (the connection is not left broken).
    const again = await apiClient(service).postJson('/api/register', { email: 'again@example.com', password: PASSWORD });
    assertNotWritableAnswer(again);
    await assertNotReady(service);
    // A form post gets the same status as an HTML page.
    const page = await new TestClient(service.url).submitForm('/register', '/register', {
      email: 'form@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assert.equal(page.status, 503, page.text);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal((await new TestClient(service.url).get('/healthz')).status, 200, 'the process is alive');
    assertLogged(logs, ['SQLITE_FULL'], 3);
    assert.ok(logs.entries.some((e) => /the disk holding the database is full/.test(e.msg)));

    filesystem.free();
    await assertRecovers(service, 'after-full@example.com');
  });
});

describe('a SQLite database file that turns read-only under the running service', () => {
  const immutable = new ImmutableFiles();
  const logs = new LogCapture();
  let service: TestService;
  before(async () => {
    if (immutable.skipReason) return;
    service = await startTestService({ LOG_LEVEL: 'warn' }, {}, { logDestination: logs });
  });
  after(async () => {
    immutable.unlockAll();
    await service?.close();
  });

  it('answers 503 DATABASE_NOT_WRITABLE with Retry-After, logs the cause, stays up and recovers when writable again', {
    skip: immutable.skipReason,
  }, async () => {
    assert.equal((await apiClient(service).postJson('/api/register', { email: 'before@example.com', password: PASSWORD })).status, 202);
    const file = join(service.dataDir, 'latchkey.db');
    // The database file and its write-ahead log; not the -shm index, which SQLite maps into
    // memory (a write fault on an immutable mapping is SIGBUS, which no service can answer).
    immutable.lock(file, `${file}-wal`);

    const refused = await registerUntilRefused(service, 'readonly', 1);
    assertNotWritableAnswer(refused);
    await assertNotReady(service);
    // Reading still works: the login page renders and a sign-in attempt is answered.
    assert.equal((await new TestClient(service.url).get('/login')).status, 200);
    assert.equal((await new TestClient(service.url).get('/healthz')).status, 200, 'the process is alive');
    // The kernel refuses the write on the open file (EPERM), which SQLite reports as an I/O
    // write error; a file opened read-only from the start reports SQLITE_READONLY instead.
    assertLogged(logs, ['SQLITE_IOERR_WRITE', 'SQLITE_READONLY'], 1);

    immutable.unlockAll();
    await assertRecovers(service, 'after-readonly@example.com');
  });
});

describe('a SQLite transaction that fills the database', () => {
  it('fails with SQLITE_FULL, recognised as a storage fault, not with the ROLLBACK that SQLite made needless', async () => {
    // SQLite's own size cap (max_page_count) gives the same SQLITE_FULL as a full disk, without a
    // mount: this runs everywhere. SQLite rolls the transaction back itself when a statement fails
    // this way; the error must still name the cause.
    const { database, store } = await openTestDatabase();
    try {
      const pages = await sql<{ page_count: number }>`PRAGMA page_count`.execute(database.db);
      await sql.raw(`PRAGMA max_page_count = ${(pages.rows[0]?.page_count ?? 0) + 1}`).execute(database.db);
      const error = await store
        .transaction(async (tx) => {
          for (let i = 0; i < 200; i++) {
            await tx.db
              .insertInto('users')
              .values({
                id: `full-${i}`,
                email: `full-${i}@example.com`,
                email_canonical: `full-${i}@example.com`,
                name: 'n'.repeat(100),
                password_hash: null,
                created_at: 1,
                updated_at: 1,
              } as never)
              .execute();
          }
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.equal((error as { code?: string } | undefined)?.code, 'SQLITE_FULL', String(error));
      assert.equal(storageFault(error), 'SQLITE_FULL');
      assert.ok(database.capabilities.isUnavailable(error), 'answered 503, not 500');
      // Nothing of the transaction stayed, and the connection works on.
      const left = await database.db.selectFrom('users').select('id').where('id', 'like', 'full-%').execute();
      assert.deepEqual(left, []);
      await sql.raw('PRAGMA max_page_count = 1073741823').execute(database.db);
      await store.transaction((tx) =>
        tx.db
          .insertInto('users')
          .values({
            id: 'after-full',
            email: 'after@example.com',
            email_canonical: 'after@example.com',
            created_at: 1,
            updated_at: 1,
          } as never)
          .execute(),
      );
      assert.ok(await database.db.selectFrom('users').select('id').where('id', '=', 'after-full').executeTakeFirst(), 'writes work again');
    } finally {
      await database.close();
    }
  });
});
