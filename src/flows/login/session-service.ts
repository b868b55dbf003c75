import { generateToken, isTokenShaped, sha256 } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import type { RequestContext } from '../context.ts';

/** Only touch last_seen_at when it is this stale, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

/** Sessions (S22): 256-bit random tokens, only their SHA-256 stored, a new token on every login. */
export class SessionService {
  constructor(
    private readonly deps: { store: Store; clock: Clock; random: RandomSource; sessionTtlSeconds: number },
  ) {}

  /** Creates a session and returns the token for the cookie (never stored). */
  async create(userId: string, context: RequestContext, store: Store = this.deps.store): Promise<string> {
    const token = generateToken(this.deps.random);
    const nowMs = this.deps.clock.nowMs();
    await store.sessions.create({
      id: newId(),
      digest: sha256(token),
      userId,
      nowMs,
      expiresAtMs: nowMs + this.deps.sessionTtlSeconds * 1000,
      ip: context.ip,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
    });
    return token;
  }

  async resolve(token: string | undefined): Promise<ActiveSession | undefined> {
    if (!isTokenShaped(token)) return undefined;
    const nowMs = this.deps.clock.nowMs();
    const active = await this.deps.store.sessions.findActive(sha256(token), nowMs);
    if (active && nowMs - active.session.last_seen_at > TOUCH_EVERY_MS) {
      await this.deps.store.sessions.touch(active.session.id, nowMs);
    }
    return active;
  }

  async revoke(token: string | undefined): Promise<void> {
    if (isTokenShaped(token)) await this.deps.store.sessions.deleteByDigest(sha256(token));
  }
}
