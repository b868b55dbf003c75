import type { Generated } from 'kysely';

/** Every `*_at` column holds milliseconds since the Unix epoch (BIGINT), the same on every engine. */
export interface UsersTable {
  id: string;
  email: string;
  email_canonical: string;
  name: string | null;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  password_changed_at: number | null;
}

/** One-time link tokens of every purpose (password reset, later email confirmation...). Digest only (S2). */
export interface TokensTable {
  id: string;
  purpose: string;
  digest: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Set when a credential change killed the token before use (S6). */
  revoked_at: number | null;
  requested_ip: string | null;
}

export interface SessionsTable {
  id: string;
  digest: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

export type OutboxStatus = 'pending' | 'sending' | 'failed' | 'sent' | 'dead';

export interface OutboxTable {
  id: string;
  topic: string;
  /** AES-256-GCM sealed JSON; NULL once the message is sent or dead. */
  payload: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  created_at: number;
  finished_at: number | null;
  last_error: string | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  type: string;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  detail: string | null;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  audit_events: AuditEventsTable;
}
