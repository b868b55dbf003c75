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
  /** NULL until the address was confirmed (link, or a completed reset). */
  email_confirmed_at: number | null;
  username: string | null;
  /** The language the user last used (`pt-BR`): mails and SMS go out in it; NULL: DEFAULT_LOCALE. */
  locale: string | null;
  /** NFKC, case-folded: what is compared and unique-indexed. */
  username_canonical: string | null;
  current_login_at: number | null;
  current_login_ip: string | null;
  /** The sign-in before the current one: what the account page shows. */
  last_login_at: number | null;
  last_login_ip: string | null;
  login_count: Generated<number>;
  /** Failed sign-ins since the last successful one. */
  failed_login_count: Generated<number>;
  last_failed_login_at: number | null;
  /** E.164; set once a code sent to it was entered (phone_verified_at). */
  phone: string | null;
  phone_verified_at: number | null;
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
  /** The address an email-change token is about: the new one (confirm) or the old one (undo). */
  target_email: string | null;
  /** Wrong entries of a one-time code, counted before comparing (S4); unused by link tokens. */
  attempts: Generated<number>;
  /** The number a phone-verification code was sent to. */
  target_phone: string | null;
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
  /** When the password was last given in this session ("recent authentication"). */
  authenticated_at: number | null;
  /** 1 with "remember me" (long-lived cookie), 0 for a browser-session cookie. */
  persistent: number;
  /** The factors that signed this session in, space-separated (OIDC amr): "pwd", "pwd otp"; NULL: "pwd". */
  amr: string | null;
}

/** Password attempts per throttle key (a keyed hash of the identifier typed), for the sign-in slow-down. */
export interface LoginThrottlesTable {
  key: string;
  failures: number;
  last_failed_at: number;
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

/**
 * What oidc-provider stores (Session, Grant, AuthorizationCode, AccessToken, RefreshToken,
 * Interaction, ...). `key` is a keyed digest of the model and id; uid, user code and grant id are
 * keyed digests too; `payload` is sealed JSON (src/flows/oidc/oidc-storage.ts).
 */
export interface OidcPayloadsTable {
  key: string;
  model: string;
  grant_id: string | null;
  /** The account (user id) the row belongs to, for ending everything of a user. */
  user_id: string | null;
  client_id: string | null;
  uid_digest: string | null;
  user_code_digest: string | null;
  payload: string;
  consumed_at: number | null;
  /** NULL: never expires on its own. */
  expires_at: number | null;
}

export interface OidcSigningKeysTable {
  kid: string;
  /** 1 for the first key, one more per rotation (unique): the highest signs. */
  generation: number;
  alg: string;
  /** Sealed private JWK. */
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
}

export interface OidcClientsTable {
  client_id: string;
  name: string;
  /** JSON array of exact strings. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  is_public: number;
  skip_consent: number;
  /** Keyed digest of the client secret; NULL for public clients. */
  secret_digest: string | null;
  created_at: number;
}

/** An authenticator app (TOTP, RFC 6238). `secret` is sealed; NULL confirmed_at: set up, not yet confirmed. */
export interface MfaTotpTable {
  user_id: string;
  secret: string;
  created_at: number;
  confirmed_at: number | null;
  /** The last accepted time step: codes of that step or older are refused (no replay). */
  last_step: number | null;
}

/** Single-use recovery codes, keyed digests only. */
export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  digest: string;
  created_at: number;
  used_at: number | null;
}

/** A sign-in whose first factor passed and whose second is awaited; the cookie holds a token, this its digest. */
export interface PendingLoginsTable {
  id: string;
  digest: string;
  user_id: string;
  /** What proved the first factor: 'pwd' (password) or 'email' (an emailed link or code). */
  first_factor: string;
  /** 1 when "remember me" was asked at the first step. */
  persistent: Generated<number>;
  /** Wrong second-factor codes, counted before comparing (at most 5). */
  failures: Generated<number>;
  created_at: number;
  expires_at: number;
  /** Set when the pending sign-in completed or died. */
  ended_at: number | null;
}

/** "Remember this device": browsers that skip the second factor; the cookie holds a token, this its digest. */
export interface RememberedDevicesTable {
  id: string;
  digest: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
}

/** A passkey (WebAuthn credential). The credential ID is public; its SHA-256 is unique across accounts. */
export interface PasskeysTable {
  id: string;
  user_id: string;
  /** base64url, as the browser reports it. */
  credential_id: string;
  /** SHA-256 (hex) of credential_id: the unique index, so one credential belongs to one account. */
  credential_digest: string;
  /** base64url COSE public key. */
  public_key: string;
  /** The authenticator's signature counter as last seen (0 for authenticators that keep none). */
  counter: number;
  /** Comma-separated transports the browser reported (internal, hybrid, usb, ...). */
  transports: string | null;
  /** 'singleDevice' or 'multiDevice' (a synced passkey). */
  device_type: string | null;
  backed_up: Generated<number>;
  aaguid: string | null;
  /** The user's name for it ("Work laptop"). */
  name: string;
  created_at: number;
  last_used_at: number | null;
}

/** What a WebAuthn challenge was issued for. */
export type WebauthnCeremony = 'register' | 'login' | 'second-factor' | 'reauth';

/** A WebAuthn challenge: keyed digest only, single use, 5 minutes, bound to its ceremony. */
export interface WebauthnChallengesTable {
  id: string;
  digest: string;
  purpose: WebauthnCeremony;
  /** The account the ceremony is for; NULL for a sign-in with a discoverable passkey (no account named yet). */
  user_id: string | null;
  /** The session that asked (registration, re-authentication). */
  session_id: string | null;
  /** The pending sign-in that asked (a passkey as second factor). */
  pending_login_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  audit_events: AuditEventsTable;
  login_throttles: LoginThrottlesTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_clients: OidcClientsTable;
  mfa_totp: MfaTotpTable;
  recovery_codes: RecoveryCodesTable;
  pending_logins: PendingLoginsTable;
  remembered_devices: RememberedDevicesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
}
