import { newId } from '../../src/kernel/random.ts';
import type { Store } from '../../src/store/store.ts';
import { insertUser } from './database.ts';

const DAY_MS = 86_400_000;

/**
 * Rows on both sides of the default retention periods (7 days for tokens and sessions, 30 for
 * finished mail; OpenID Connect rows on both sides of their expiry). Returns the ids that
 * cleanup must keep and how many rows it must delete.
 */
export async function seedCleanupRows(store: Store, nowMs: number) {
  const userId = newId();
  await insertUser(store, { id: userId, email: `cleanup-${userId.slice(0, 8)}@example.com`, nowMs: nowMs - 90 * DAY_MS });
  const keep = { tokens: [] as string[], sessions: [] as string[], outbox: [] as string[], oidc: [] as string[] };
  const ago = (days: number) => nowMs - days * DAY_MS;

  const token = async (label: string, o: { expires: number; used?: number; revoked?: number }, kept: boolean) => {
    const id = newId();
    await store.db
      .insertInto('tokens')
      .values({
        id,
        purpose: 'password-reset',
        digest: `digest-${label}-${id}`,
        user_id: userId,
        created_at: o.expires - 3_600_000,
        expires_at: o.expires,
        used_at: o.used ?? null,
        revoked_at: o.revoked ?? null,
        requested_ip: null,
      })
      .execute();
    if (kept) keep.tokens.push(id);
  };
  await token('expired-long-ago', { expires: ago(8) }, false);
  await token('used-long-ago', { expires: ago(-1), used: ago(8) }, false);
  await token('revoked-long-ago', { expires: ago(-1), revoked: ago(9) }, false);
  await token('expired-recently', { expires: ago(1) }, true);
  await token('used-recently', { expires: ago(-1), used: ago(1) }, true);
  await token('live', { expires: ago(-1) }, true);

  const session = async (expires: number, kept: boolean) => {
    const id = newId();
    await store.sessions.create({
      id,
      digest: `session-${id}`,
      userId,
      nowMs: expires - 14 * DAY_MS,
      expiresAtMs: expires,
      ip: null,
      userAgent: null,
    });
    if (kept) keep.sessions.push(id);
  };
  for (const days of [8, 10, 30]) await session(ago(days), false);
  await session(ago(1), true);
  await session(ago(-10), true);

  const message = async (
    status: 'sent' | 'dead' | 'pending' | 'failed',
    createdDaysAgo: number,
    finishedDaysAgo: number | null,
    kept: boolean,
  ) => {
    const id = newId();
    await store.db
      .insertInto('outbox')
      .values({
        id,
        topic: 'mail',
        payload: status === 'pending' || status === 'failed' ? 'v1.sealed' : null,
        status,
        attempts: 1,
        next_attempt_at: ago(createdDaysAgo),
        locked_until: null,
        created_at: ago(createdDaysAgo),
        finished_at: finishedDaysAgo === null ? null : ago(finishedDaysAgo),
        last_error: null,
      })
      .execute();
    if (kept) keep.outbox.push(id);
  };
  await message('sent', 40, 31, false);
  await message('dead', 40, 35, false);
  await message('sent', 2, 1, true);
  await message('pending', 40, null, true);
  await message('failed', 40, null, true);

  const oidcRow = async (expiresAt: number | null, kept: boolean) => {
    const key = `oidc-${newId()}`;
    await store.db
      .insertInto('oidc_payloads')
      .values({
        key,
        model: 'AccessToken',
        grant_id: null,
        user_id: userId,
        client_id: null,
        uid_digest: null,
        user_code_digest: null,
        payload: 'v1.sealed',
        consumed_at: null,
        expires_at: expiresAt,
      })
      .execute();
    if (kept) keep.oidc.push(key);
  };
  await oidcRow(ago(1), false);
  await oidcRow(nowMs - 60_000, false);
  await oidcRow(nowMs + 3_600_000, true);
  await oidcRow(null, true);

  return { keep, deleted: { tokens: 3, sessions: 3, outbox: 2, oidc: 2 } };
}

export async function remainingIds(store: Store) {
  const ids = async (table: 'tokens' | 'sessions' | 'outbox') =>
    (await store.db.selectFrom(table).select('id').execute()).map((r) => r.id).sort();
  const oidc = (await store.db.selectFrom('oidc_payloads').select('key').execute()).map((r) => r.key).sort();
  return { tokens: await ids('tokens'), sessions: await ids('sessions'), outbox: await ids('outbox'), oidc };
}
