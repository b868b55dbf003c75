import type { Kysely, Selectable } from 'kysely';
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
