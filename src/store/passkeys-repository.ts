import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Capabilities } from './database.ts';
import type { Database, PasskeysTable, WebauthnCeremony, WebauthnChallengesTable } from './schema.ts';

export type PasskeyRow = Selectable<PasskeysTable>;
export type ChallengeRow = Selectable<WebauthnChallengesTable>;

/** A stored passkey with its numbers as numbers (engines return BIGINT as strings). */
export interface PasskeyRecord {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string | null;
  backedUp: boolean;
  aaguid: string | null;
  name: string;
  createdAtMs: number;
  lastUsedAtMs: number | null;
}

/** A passkey to store: a record without its times, plus when it is added. */
export type NewPasskey = Omit<PasskeyRecord, 'createdAtMs' | 'lastUsedAtMs'> & { nowMs: number };

/** The unique lookup key of a credential ID (public, so a plain SHA-256 is enough and survives key rotation). */
export function credentialDigest(credentialId: string): string {
  return createHash('sha256').update(credentialId, 'utf8').digest('hex');
}

function toRecord(row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: row.transports ? row.transports.split(',').filter(Boolean) : [],
    deviceType: row.device_type,
    backedUp: Number(row.backed_up) === 1,
    aaguid: row.aaguid,
    name: row.name,
    createdAtMs: Number(row.created_at),
    lastUsedAtMs: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** Passkeys (WebAuthn credentials) and the challenges of their ceremonies. */
export class PasskeysRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capabilities: Pick<Capabilities, 'insertIgnoreStyle'>,
  ) {}

  /**
   * Stores a new passkey; false when the credential is already registered (to any account). One
   * insert that skips a conflict on the unique credential digest, so of parallel registrations of
   * one credential exactly one is stored, and a lost race leaves a surrounding transaction usable
   * (PostgreSQL aborts a transaction on a unique violation).
   */
  async create(p: NewPasskey): Promise<boolean> {
    const digest = credentialDigest(p.credentialId);
    const insert = this.db.insertInto('passkeys').values({
      id: p.id,
      user_id: p.userId,
      credential_id: p.credentialId,
      credential_digest: digest,
      public_key: p.publicKey,
      counter: p.counter,
      transports: p.transports.length > 0 ? p.transports.join(',') : null,
      device_type: p.deviceType,
      backed_up: p.backedUp ? 1 : 0,
      aaguid: p.aaguid,
      name: p.name,
      created_at: p.nowMs,
      last_used_at: null,
    });
    const result =
      this.capabilities.insertIgnoreStyle === 'ignore'
        ? await insert.ignore().executeTakeFirst()
        : await insert.onConflict((oc) => oc.column('credential_digest').doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async listForUser(userId: string): Promise<PasskeyRecord[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toRecord);
  }

  async countForUser(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined> {
    const row = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_digest', '=', credentialDigest(credentialId))
      .executeTakeFirst();
    return row && row.credential_id === credentialId ? toRecord(row) : undefined;
  }

  async findForUser(userId: string, id: string): Promise<PasskeyRecord | undefined> {
    const row = await this.db.selectFrom('passkeys').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * Records a verified use: the new signature counter and the time. Conditional on the counter
   * still being the one the verification compared against, so of two parallel assertions with
   * the same counter only one is recorded (the other is refused as a possible clone or replay).
   */
  async recordUse(id: string, expectedCounter: number, newCounter: number, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('passkeys')
      .set({ counter: newCounter, last_used_at: nowMs })
      .where('id', '=', id)
      .where('counter', '=', expectedCounter)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async rename(userId: string, id: string, name: string): Promise<boolean> {
    const result = await this.db
      .updateTable('passkeys')
      .set({ name })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async createChallenge(c: {
    id: string;
    digest: string;
    purpose: WebauthnCeremony;
    userId: string | null;
    sessionId: string | null;
    pendingLoginId: string | null;
    nowMs: number;
    expiresAtMs: number;
  }): Promise<void> {
    await this.db
      .insertInto('webauthn_challenges')
      .values({
        id: c.id,
        digest: c.digest,
        purpose: c.purpose,
        user_id: c.userId,
        session_id: c.sessionId,
        pending_login_id: c.pendingLoginId,
        created_at: c.nowMs,
        expires_at: c.expiresAtMs,
        used_at: null,
      })
      .execute();
  }

  /**
   * Uses a live challenge of this ceremony (one conditional UPDATE: of parallel uses exactly one
   * wins) and returns it; undefined when unknown, of another ceremony, expired or already used.
   */
  async consumeChallenge(digests: string[], purpose: WebauthnCeremony, nowMs: number): Promise<ChallengeRow | undefined> {
    if (digests.length === 0) return undefined;
    const row = await this.db
      .selectFrom('webauthn_challenges')
      .selectAll()
      .where('digest', 'in', digests)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    if (!row) return undefined;
    const result = await this.db
      .updateTable('webauthn_challenges')
      .set({ used_at: nowMs })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? row : undefined;
  }
}
