import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { type CleanupProgress, runCleanup } from '../../src/maintenance/cleanup.ts';
import { startTestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { openTestDatabase } from '../support/database.ts';
import { eventually } from '../support/flows.ts';
import { remainingIds, seedCleanupRows } from '../support/seed.ts';

const RETENTION = { tokenRetentionSeconds: 7 * 86_400, outboxRetentionSeconds: 30 * 86_400 };
const sorted = (keep: { tokens: string[]; sessions: string[]; outbox: string[]; oidc: string[] }) => ({
  tokens: [...keep.tokens].sort(),
  sessions: [...keep.sessions].sort(),
  outbox: [...keep.outbox].sort(),
  oidc: [...keep.oidc].sort(),
});

describe('cleanup of expired, used and finished rows', () => {
  const sandbox = new CliSandbox();
  after(() => sandbox.remove());

  it('runCleanup deletes only what is past retention, in batches, reporting progress', async () => {
    const { database, store } = await openTestDatabase(join(sandbox.dir, 'direct.db'));
    try {
      const clock = new ManualClock();
      const seeded = await seedCleanupRows(store, clock.nowMs());
      const progress: CleanupProgress[] = [];
      const deleted = await runCleanup(store, clock, { ...RETENTION, batchSize: 2 }, (p) => progress.push({ ...p }));
      assert.deepEqual(deleted, { ...seeded.deleted, audit: 0 });
      assert.deepEqual(await remainingIds(store), sorted(seeded.keep));
      assert.deepEqual(progress, [
        { table: 'tokens', deleted: 0, total: 3 },
        { table: 'tokens', deleted: 2, total: 3 },
        { table: 'tokens', deleted: 3, total: 3 },
        { table: 'sessions', deleted: 0, total: 3 },
        { table: 'sessions', deleted: 2, total: 3 },
        { table: 'sessions', deleted: 3, total: 3 },
        { table: 'outbox', deleted: 0, total: 2 },
        { table: 'outbox', deleted: 2, total: 2 },
        { table: 'oidc', deleted: 0, total: 2 },
        { table: 'oidc', deleted: 2, total: 2 },
        { table: 'audit', deleted: 0, total: 0 },
      ]);
      assert.deepEqual(
        await runCleanup(store, clock, RETENTION),
        { tokens: 0, sessions: 0, outbox: 0, oidc: 0, audit: 0 },
        'a second run finds nothing',
      );
      clock.advanceSeconds(9 * 86_400);
      const later = await runCleanup(store, clock, RETENTION);
      assert.equal(later.tokens, 3, 'the recent tokens age out too');
    } finally {
      await database.close();
    }
  });

  it('deletes security events older than AUDIT_RETENTION days and keeps newer ones', async () => {
    const { database, store } = await openTestDatabase(join(sandbox.dir, 'audit.db'));
    try {
      const clock = new ManualClock();
      const day = 86_400_000;
      const ages = [400, 366, 364, 10, 0];
      for (const [i, age] of ages.entries()) {
        await store.audit.record({
          type: 'login.failed',
          userId: null,
          ip: null,
          userAgent: null,
          nowMs: clock.nowMs() - age * day - 1,
          detail: { i },
        });
      }
      const deleted = await runCleanup(store, clock, { ...RETENTION, batchSize: 1 });
      assert.equal(deleted.audit, 2);
      const left = await store.audit.list({ limit: 50, offset: 0 });
      assert.deepEqual(left.map((e) => JSON.parse(e.detail ?? '{}').i).sort(), [2, 3, 4]);
      const shorter = await runCleanup(store, clock, { ...RETENTION, auditRetentionDays: 7 });
      assert.equal(shorter.audit, 2, 'a shorter AUDIT_RETENTION purges more');
      assert.deepEqual(
        (await store.audit.list({ limit: 50, offset: 0 })).map((e) => JSON.parse(e.detail ?? '{}').i),
        [4],
      );
    } finally {
      await database.close();
    }
  });

  it('the service runs cleanup on its own every CLEANUP_INTERVAL seconds', async () => {
    const file = join(sandbox.dir, 'scheduled.db');
    const { database, store } = await openTestDatabase(file);
    const seeded = await seedCleanupRows(store, Date.now());
    await database.close();
    const service = await startTestService({ DATABASE_URL: `sqlite:${file}`, CLEANUP_INTERVAL: '1' });
    try {
      const remaining = await eventually(async () => {
        const ids = await remainingIds(service.deps.store);
        return ids.tokens.length === seeded.keep.tokens.length &&
          ids.outbox.length === seeded.keep.outbox.length &&
          ids.oidc.length === seeded.keep.oidc.length
          ? ids
          : undefined;
      }, 'the scheduled cleanup');
      assert.deepEqual(remaining, sorted(seeded.keep));
    } finally {
      await service.close();
    }
  });

  describe('latchkey cleanup (CLI)', () => {
    let seeded: Awaited<ReturnType<typeof seedCleanupRows>>;
    before(async () => {
      const { database, store } = await openTestDatabase(sandbox.databaseFile);
      seeded = await seedCleanupRows(store, Date.now());
      await database.close();
    });

    it('deletes the same rows, shows progress and prints a summary', async () => {
      const result = await sandbox.run(['cleanup', '--batch-size', '2']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /deleted: 3 tokens, 3 sessions, 2 outbox messages, 2 OpenID Connect rows, 0 audit events\n/);
      // Not a terminal: one line per table, once, on stderr (stdout holds the summary only).
      assert.equal(
        result.stderr,
        'tokens   deleted 3/3\nsessions deleted 3/3\noutbox   deleted 2/2\noidc     deleted 2/2\naudit    nothing to delete\n',
      );
      const again = await sandbox.run(['cleanup']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(
        again.stderr,
        'tokens   nothing to delete\nsessions nothing to delete\noutbox   nothing to delete\noidc     nothing to delete\naudit    nothing to delete\n',
      );
      assert.equal(again.stdout, 'deleted: 0 tokens, 0 sessions, 0 outbox messages, 0 OpenID Connect rows, 0 audit events\n');
      const { database, store } = await openTestDatabase(sandbox.databaseFile);
      try {
        assert.deepEqual(await remainingIds(store), sorted(seeded.keep));
      } finally {
        await database.close();
      }
    });

    it('refuses a bad --batch-size', async () => {
      const result = await sandbox.run(['cleanup', '--batch-size', 'lots']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /--batch-size must be a whole number/);
    });
  });
});
