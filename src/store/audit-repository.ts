import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditEventsTable, Database } from './schema.ts';

export type AuditEventType =
  | 'user.registered'
  | 'registration.duplicate'
  | 'registration.username_taken'
  | 'user.created_by_admin'
  | 'user.disabled'
  | 'user.enabled'
  | 'login.succeeded'
  | 'login.failed'
  | 'logout'
  | 'password_reset.requested'
  | 'password_reset.completed'
  | 'sessions.revoked'
  | 'login.unconfirmed'
  | 'login.after_reset'
  | 'reauthenticated'
  | 'email.confirmed'
  | 'email_change.requested'
  | 'email.changed'
  | 'email_change.refused'
  | 'email_change.undone'
  | 'phone.code_sent'
  | 'phone.added'
  | 'phone.removed'
  | 'password.changed'
  | 'password.set'
  | 'reauth.code_sent'
  | 'user.deleted'
  | 'user.sessions_revoked_by_admin'
  | 'password_reset.requested_by_admin'
  | 'login.second_factor_required'
  | 'login.second_factor_failed'
  | 'login.second_factor_code_sent'
  | 'login.link_requested'
  | 'mfa.totp_enabled'
  | 'mfa.recovery_codes_regenerated'
  | 'mfa.totp_disabled'
  | 'mfa.reset_by_admin'
  | 'users.imported'
  | 'passkey.added'
  | 'passkey.renamed'
  | 'passkey.removed';

export interface AuditEvent {
  type: AuditEventType;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  nowMs: number;
  detail?: Record<string, string | number | boolean>;
}

export interface AuditQuery {
  userId?: string;
  /** A whole type or its beginning: `login.` matches `login.succeeded`, `login.failed`... */
  typePrefix?: string;
  sinceMs?: number;
  limit: number;
  offset: number;
}

/** An event with the account's current address (null once the account is deleted). */
export type AuditListing = Selectable<AuditEventsTable> & { email: string | null };

/** Security events with time, account, IP and user agent (S24). Never secrets. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(event: AuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        type: event.type,
        user_id: event.userId,
        ip: event.ip,
        user_agent: event.userAgent?.slice(0, 512) ?? null,
        created_at: event.nowMs,
        detail: event.detail ? JSON.stringify(event.detail) : null,
      })
      .execute();
  }

  /** Events matching every filter given, newest first. */
  list(query: AuditQuery): Promise<AuditListing[]> {
    let q = this.db
      .selectFrom('audit_events')
      .leftJoin('users', 'users.id', 'audit_events.user_id')
      .selectAll('audit_events')
      .select('users.email as email');
    if (query.userId !== undefined) q = q.where('audit_events.user_id', '=', query.userId);
    if (query.typePrefix) {
      const prefix = query.typePrefix;
      // substr, not LIKE: no wildcard escaping, the same on every engine.
      q = q.where(sql<string>`substr(audit_events.type, 1, ${prefix.length})`, '=', prefix);
    }
    if (query.sinceMs !== undefined) q = q.where('audit_events.created_at', '>=', query.sinceMs);
    return q
      .orderBy('audit_events.created_at', 'desc')
      .orderBy('audit_events.id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
  }

  listForUser(userId: string, limit = 50): Promise<Selectable<AuditEventsTable>[]> {
    return this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
