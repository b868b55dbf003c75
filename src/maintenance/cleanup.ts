import type { Clock } from '../kernel/clock.ts';
import type { Store } from '../store/store.ts';

export interface CleanupOptions {
  tokenRetentionSeconds: number;
  outboxRetentionSeconds: number;
  /** Security events are kept this many days (AUDIT_RETENTION); 365 unless given. */
  auditRetentionDays?: number;
  batchSize?: number;
}

/** What cleanup purges; `oidc` is what the OpenID Connect provider stores (codes, tokens, sessions, grants...). */
export type CleanupTable = 'tokens' | 'sessions' | 'outbox' | 'oidc' | 'audit';

const TABLES = { tokens: 'tokens', sessions: 'sessions', outbox: 'outbox', oidc: 'oidc_payloads', audit: 'audit_events' } as const;

export interface CleanupProgress {
  table: CleanupTable;
  deleted: number;
  total: number;
}

/**
 * Deletes tokens that expired or were used/revoked, and sessions that expired, more than
 * `tokenRetentionSeconds` ago, and outbox messages finished more than `outboxRetentionSeconds`
 * ago, OpenID Connect codes, tokens, sessions and grants as soon as they expire (nothing
 * reads an expired one), and security events older than `auditRetentionDays`; in batches, reporting progress after each batch.
 */
export async function runCleanup(
  store: Store,
  clock: Clock,
  options: CleanupOptions,
  onProgress: (progress: CleanupProgress) => void = () => {},
): Promise<Record<CleanupTable, number>> {
  const nowMs = clock.nowMs();
  const cutoffs: Record<CleanupTable, number> = {
    tokens: nowMs - options.tokenRetentionSeconds * 1000,
    sessions: nowMs - options.tokenRetentionSeconds * 1000,
    outbox: nowMs - options.outboxRetentionSeconds * 1000,
    oidc: nowMs,
    audit: nowMs - (options.auditRetentionDays ?? 365) * 86_400_000,
  };
  const deleted: Record<CleanupTable, number> = { tokens: 0, sessions: 0, outbox: 0, oidc: 0, audit: 0 };
  for (const table of Object.keys(cutoffs) as CleanupTable[]) {
    const total = await store.cleanup.count(TABLES[table], cutoffs[table]);
    onProgress({ table, deleted: 0, total });
    while (deleted[table] < total) {
      const n = await store.cleanup.deleteBatch(TABLES[table], cutoffs[table], options.batchSize ?? 500);
      if (n === 0) break;
      deleted[table] += n;
      onProgress({ table, deleted: deleted[table], total: Math.max(total, deleted[table]) });
    }
  }
  // Sign-in slow-down state is forgotten after a failure-free hour anyway (flows/login/throttle.ts).
  await store.loginThrottles.deleteOlderThan(nowMs - 3_600_000);
  // Pending second steps (minutes) and remembered devices (days) are useless once expired.
  await store.pendingLogins.deleteExpired(nowMs);
  // WebAuthn challenges live 5 minutes and are single use: nothing reads one once used or expired.
  while ((await store.cleanup.deleteBatch('webauthn_challenges', nowMs, options.batchSize ?? 500)) > 0) {}
  return deleted;
}
