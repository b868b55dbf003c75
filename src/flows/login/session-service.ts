import { generateToken, isTokenShaped, sha256 } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import { describeUserAgent } from '../../kernel/user-agent.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import type { RequestContext } from '../context.ts';

/** Only touch last_seen_at when it is this stale, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionSettings {
  /** Absolute lifetime of a remembered session (SESSION_TTL); also its cookie's Max-Age. */
  sessionTtlSeconds: number;
  /** Absolute lifetime of a session without "remember me" (its cookie ends with the browser). */
  browserSessionTtlSeconds: number;
  sessionIdleTimeoutSeconds: number;
  /** How long a password entry counts as recent. */
  recentAuthSeconds: number;
}

export interface NewSessionToken {
  token: string;
  /** Cookie Max-Age: set for remembered sessions, absent for browser-session cookies. */
  cookieMaxAgeSeconds: number | undefined;
}

/** One row of the sessions page and GET /api/sessions. */
export interface SessionView {
  id: string;
  browser: string;
  ip: string | null;
  createdAtMs: number;
  lastSeenAtMs: number;
  remembered: boolean;
  current: boolean;
}

/** Why every session of a user ends; hooks may treat "sign out my other sessions" differently. */
export type SessionsEndReason =
  | 'password-reset'
  | 'password-change'
  | 'email-change-undone'
  | 'account-disabled'
  | 'account-deleted'
  | 'admin-revoke'
  | 'user-revoke-others';

/**
 * What else ends when a user's sessions end, in the same transaction: the OpenID Connect
 * module's grants and refresh tokens (S26) plug in here through `onEndAll`.
 */
export type SessionsEndHook = (tx: Store, userId: string, end: { reason: SessionsEndReason; exceptSessionId?: string }) => Promise<void>;

/**
 * Sessions (S22): 256-bit random tokens, only their SHA-256 stored, a new token on every login,
 * an absolute lifetime and an idle timeout; listed and revoked by their owner.
 */
export class SessionService {
  private readonly endHooks: SessionsEndHook[] = [];

  constructor(private readonly deps: { store: Store; clock: Clock; random: RandomSource; settings: SessionSettings }) {}

  /** Registers what must also end whenever every session of a user ends (see `endAllForUser`). */
  onEndAll(hook: SessionsEndHook): void {
    this.endHooks.push(hook);
  }

  /**
   * The one way to end every session of a user (reset, password change, undone email change,
   * admin disable/delete/revoke, "sign out everywhere else"): deletes the sessions, but
   * `exceptSessionId`, and runs every `onEndAll` hook, inside `tx`. Returns how many sessions ended.
   */
  async endAllForUser(tx: Store, userId: string, end: { reason: SessionsEndReason; exceptSessionId?: string }): Promise<number> {
    const ended = await tx.sessions.deleteAllForUser(userId, end.exceptSessionId);
    for (const hook of this.endHooks) await hook(tx, userId, end);
    return ended;
  }

  /**
   * A sign-in that succeeded, inside `tx`: the session (with the factors proven, OIDC amr), the
   * account's sign-in count, time and address, and the audit event with what signed it in.
   * Every way of signing in ends here: password, second step, mailed link or code, passkey.
   */
  async signIn(
    tx: Store,
    userId: string,
    context: RequestContext,
    o: {
      persistent: boolean;
      amr?: readonly string[];
      event?: 'login.succeeded' | 'login.after_reset';
      detail?: Record<string, string | number | boolean>;
    },
  ): Promise<NewSessionToken> {
    const session = await this.create(userId, context, { persistent: o.persistent, ...(o.amr ? { amr: o.amr } : {}) }, tx);
    const nowMs = this.deps.clock.nowMs();
    await tx.users.recordLogin(userId, context.ip, nowMs);
    await tx.audit.record({
      type: o.event ?? 'login.succeeded',
      userId,
      ...context,
      nowMs,
      detail: { remembered: o.persistent, ...o.detail },
    });
    return session;
  }

  /**
   * Creates a session and returns the token for the cookie (never stored). `amr` lists the
   * factors proven for it (OIDC amr: ['pwd'], ['pwd', 'otp']); absent means a password alone.
   */
  async create(
    userId: string,
    context: RequestContext,
    options: { persistent: boolean; amr?: readonly string[] } = { persistent: false },
    store: Store = this.deps.store,
  ): Promise<NewSessionToken> {
    const { settings } = this.deps;
    const token = generateToken(this.deps.random);
    const nowMs = this.deps.clock.nowMs();
    const lifetimeSeconds = options.persistent ? settings.sessionTtlSeconds : settings.browserSessionTtlSeconds;
    await store.sessions.create({
      id: newId(),
      digest: sha256(token),
      userId,
      nowMs,
      expiresAtMs: nowMs + lifetimeSeconds * 1000,
      ip: context.ip,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      persistent: options.persistent,
      ...(options.amr ? { amr: options.amr.join(' ') } : {}),
    });
    return { token, cookieMaxAgeSeconds: options.persistent ? settings.sessionTtlSeconds : undefined };
  }

  async resolve(token: string | undefined): Promise<ActiveSession | undefined> {
    if (!isTokenShaped(token)) return undefined;
    const nowMs = this.deps.clock.nowMs();
    const active = await this.deps.store.sessions.findActive(sha256(token), nowMs, this.idleMs());
    if (active && nowMs - active.session.last_seen_at > TOUCH_EVERY_MS) {
      await this.deps.store.sessions.touch(active.session.id, nowMs);
    }
    return active;
  }

  async revoke(token: string | undefined): Promise<void> {
    if (isTokenShaped(token)) await this.deps.store.sessions.deleteByDigest(sha256(token));
  }

  /** True when the password was given in this session within RECENT_AUTH_TTL. */
  isRecentlyAuthenticated(session: ActiveSession['session']): boolean {
    const at = session.authenticated_at;
    return at !== null && this.deps.clock.nowMs() - Number(at) <= this.deps.settings.recentAuthSeconds * 1000;
  }

  async list(userId: string, currentSessionId: string): Promise<SessionView[]> {
    const rows = await this.deps.store.sessions.listForUser(userId, this.deps.clock.nowMs(), this.idleMs());
    const views = rows.map((row) => ({
      id: row.id,
      browser: describeUserAgent(row.user_agent),
      ip: row.ip,
      createdAtMs: Number(row.created_at),
      lastSeenAtMs: Number(row.last_seen_at),
      remembered: Number(row.persistent) === 1,
      current: row.id === currentSessionId,
    }));
    // This device first, then the others, most recently used first.
    return [...views.filter((v) => v.current), ...views.filter((v) => !v.current)];
  }

  count(userId: string): Promise<number> {
    return this.deps.store.sessions.countForUser(userId, this.deps.clock.nowMs(), this.idleMs());
  }

  /** Ends one of the user's own sessions; another user's session id is NOT_FOUND. */
  async revokeOne(userId: string, sessionId: string, context: RequestContext): Promise<Result<void, 'SESSION_NOT_FOUND'>> {
    const { store, clock } = this.deps;
    const ended = await store.transaction(async (tx) => {
      if (!(await tx.sessions.deleteOneForUser(userId, sessionId))) return false;
      await tx.audit.record({ type: 'sessions.revoked', userId, ...context, nowMs: clock.nowMs(), detail: { sessionsEnded: 1 } });
      return true;
    });
    return ended ? ok(undefined) : fail('SESSION_NOT_FOUND');
  }

  /** Ends every session of the user but the current one; returns how many ended. */
  async revokeOthers(userId: string, currentSessionId: string, context: RequestContext): Promise<number> {
    const { store, clock } = this.deps;
    return store.transaction(async (tx) => {
      const sessionsEnded = await this.endAllForUser(tx, userId, { reason: 'user-revoke-others', exceptSessionId: currentSessionId });
      await tx.audit.record({ type: 'sessions.revoked', userId, ...context, nowMs: clock.nowMs(), detail: { sessionsEnded } });
      return sessionsEnded;
    });
  }

  private idleMs(): number {
    return this.deps.settings.sessionIdleTimeoutSeconds * 1000;
  }
}
