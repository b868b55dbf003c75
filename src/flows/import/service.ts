import type { Outbox } from '../../courier/outbox.ts';
import type { ImportedHashes } from '../../crypto/passwords/legacy/dispatch.ts';
import { isLegacyHash } from '../../crypto/passwords/legacy/dispatch.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/random.ts';
import type { Store } from '../../store/store.ts';
import type { ImportedUser, UserRecord } from '../../store/users-repository.ts';
import { COLUMNS, checkRow, type ImportRow } from './row.ts';
import type { ImportSource } from './sources.ts';

export interface ImportOptions {
  /** Existing addresses get the row's values instead of being skipped. */
  update: boolean;
  /** Check everything, write nothing. */
  dryRun: boolean;
  /** Queue an "your account has moved" mail to each new account, through the outbox. */
  notify: boolean;
  batchSize: number;
}

export interface Refusal {
  line: number;
  reason: string;
}

export interface ImportSummary {
  read: number;
  imported: number;
  updated: number;
  skipped: number;
  refused: Refusal[];
  /** Columns of the source that are not import columns (ignored). */
  ignoredColumns: string[];
}

interface Pending {
  line: number;
  row: ImportRow;
}

/**
 * `latchkey import`: accounts from another system, with their password hashes. Each row is checked
 * and canonicalised as at registration (two rows with one canonical address or username: the later
 * is refused, never merged); unknown or over-bounded hashes are refused per row and never stored.
 * Rows are written in batches, one transaction each; an address that has an account already is
 * skipped (or updated with `update`), so a second run changes nothing.
 */
export class ImportService {
  constructor(private readonly deps: { store: Store; outbox: Outbox; clock: Clock }) {}

  async run(
    source: ImportSource,
    hashes: ImportedHashes,
    options: ImportOptions,
    onProgress: (done: number) => void,
  ): Promise<ImportSummary> {
    const summary: ImportSummary = { read: 0, imported: 0, updated: 0, skipped: 0, refused: [], ignoredColumns: [] };
    const ignored = new Set<string>();
    const seenEmails = new Map<string, number>();
    const seenUsernames = new Map<string, number>();
    let batch: Pending[] = [];
    const flush = async () => {
      if (batch.length > 0) await this.writeBatch(batch, options, summary);
      onProgress(summary.read);
      batch = [];
    };
    for await (const source_row of source.rows) {
      summary.read++;
      if ('problem' in source_row) {
        summary.refused.push({ line: source_row.line, reason: source_row.problem });
        continue;
      }
      for (const key of Object.keys(source_row.values)) if (!(COLUMNS as readonly string[]).includes(key)) ignored.add(key);
      const checked = checkRow(source_row.values, hashes, this.deps.clock.nowMs());
      if (!checked.ok) {
        summary.refused.push({ line: source_row.line, reason: checked.reason });
        continue;
      }
      const { row } = checked;
      const earlier = seenEmails.get(row.address.canonical);
      if (earlier !== undefined) {
        summary.refused.push({
          line: source_row.line,
          reason: `${row.address.display} is the same address as ${source.unit} ${earlier} once canonicalised`,
        });
        continue;
      }
      const earlierName = row.username ? seenUsernames.get(row.username.canonical) : undefined;
      if (earlierName !== undefined) {
        summary.refused.push({
          line: source_row.line,
          reason: `username ${row.username?.display} is the same as on ${source.unit} ${earlierName}`,
        });
        continue;
      }
      seenEmails.set(row.address.canonical, source_row.line);
      if (row.username) seenUsernames.set(row.username.canonical, source_row.line);
      batch.push({ line: source_row.line, row });
      if (batch.length >= options.batchSize) await flush();
      else if (summary.read % 1000 === 0) onProgress(summary.read);
    }
    await flush();
    summary.ignoredColumns = [...ignored].sort();
    summary.refused.sort((a, b) => a.line - b.line);
    if (!options.dryRun && (summary.imported > 0 || summary.updated > 0)) {
      const nowMs = this.deps.clock.nowMs();
      const detail = {
        source: source.describe,
        imported: summary.imported,
        updated: summary.updated,
        skipped: summary.skipped,
        refused: summary.refused.length,
      };
      await this.deps.store.audit.record({ type: 'users.imported', userId: null, ip: null, userAgent: 'latchkey-cli', nowMs, detail });
      if (options.notify) this.deps.outbox.wake();
    }
    return summary;
  }

  /** One batch: look its addresses and usernames up, then (unless a dry run) write it in one transaction. */
  private async writeBatch(batch: Pending[], options: ImportOptions, summary: ImportSummary): Promise<void> {
    const { store, outbox, clock } = this.deps;
    const write = async (tx: Store) => {
      const nowMs = clock.nowMs();
      const existing = await tx.users.findForImport(
        batch.map((p) => p.row.address.canonical),
        batch.flatMap((p) => (p.row.username ? [p.row.username.canonical] : [])),
      );
      const byEmail = new Map(existing.map((u) => [u.email_canonical, u]));
      const byUsername = new Map(existing.flatMap((u) => (u.username_canonical ? [[u.username_canonical, u] as const] : [])));
      const fresh: Array<{ pending: Pending; user: ImportedUser }> = [];
      const counts = { imported: 0, updated: 0, skipped: 0, refused: [] as Refusal[] };
      for (const pending of batch) {
        const { row } = pending;
        const account = byEmail.get(row.address.canonical);
        const holder = row.username ? byUsername.get(row.username.canonical) : undefined;
        if (holder && holder.id !== account?.id) {
          counts.refused.push({ line: pending.line, reason: `username ${row.username?.display} belongs to another account` });
        } else if (account) {
          if (!options.update) counts.skipped++;
          else if (await this.update(tx, account, row, options.dryRun, nowMs)) counts.updated++;
          else counts.skipped++;
        } else {
          fresh.push({ pending, user: newUser(row, nowMs) });
        }
      }
      if (options.dryRun) {
        counts.imported += fresh.length;
        return counts;
      }
      const inserted = await tx.users.insertImported(fresh.map((f) => f.user));
      for (const { pending, user } of fresh) {
        if (!inserted.has(user.id)) {
          counts.skipped++;
          continue;
        }
        counts.imported++;
        if (options.notify) {
          const { row } = pending;
          await outbox.enqueue(tx.outbox, 'mail', {
            template: 'account-imported',
            to: user.email,
            // A name is only used to greet once the address is known to be the owner's. An imported
            // account has no language yet (users.locale): the mail is in DEFAULT_LOCALE.
            data: { name: row.emailConfirmedAtMs === null ? null : user.name, hasPassword: user.passwordHash !== null },
          });
        }
      }
      return counts;
    };
    const counts = options.dryRun ? await write(store) : await store.transaction(write);
    summary.imported += counts.imported;
    summary.updated += counts.updated;
    summary.skipped += counts.skipped;
    summary.refused.push(...counts.refused);
  }

  /**
   * `--update`: the row's values for an existing account, only what differs. A password set in
   * Latchkey (Argon2id, after a sign-in, reset or change) is never replaced by an imported hash.
   */
  private async update(tx: Store, account: UserRecord, row: ImportRow, dryRun: boolean, nowMs: number): Promise<boolean> {
    const change: Parameters<Store['users']['updateImported']>[1] = {};
    if (row.name !== undefined && row.name !== account.name) change.name = row.name;
    const current = account.password_hash;
    const replaceable = current === null || isLegacyHash(current);
    const sameHash =
      current !== null && row.originalHash != null && (current === row.originalHash || current.endsWith(`$${row.originalHash}`));
    if (row.passwordHash !== undefined && replaceable && !sameHash && !(current === null && row.passwordHash === null)) {
      change.passwordHash = row.passwordHash;
    }
    if (row.emailConfirmedAtMs !== null && account.email_confirmed_at === null) change.emailConfirmedAtMs = row.emailConfirmedAtMs;
    if (row.disabled !== undefined && row.disabled !== (account.disabled_at !== null)) change.disabledAtMs = row.disabled ? nowMs : null;
    if (Object.keys(change).length === 0) return false;
    return dryRun ? true : tx.users.updateImported(account.id, change, nowMs);
  }
}

function newUser(row: ImportRow, nowMs: number): ImportedUser {
  return {
    id: newId(),
    email: row.address.display,
    emailCanonical: row.address.canonical,
    name: row.name ?? null,
    username: row.username,
    passwordHash: row.passwordHash ?? null,
    createdAtMs: row.createdAtMs ?? nowMs,
    emailConfirmedAtMs: row.emailConfirmedAtMs,
    disabledAtMs: row.disabled ? nowMs : null,
    nowMs,
  };
}
