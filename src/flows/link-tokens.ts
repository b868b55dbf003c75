import { generateToken, isTokenShaped, type TokenDigester } from '../crypto/tokens.ts';
import type { Clock } from '../kernel/clock.ts';
import { newId, type RandomSource } from '../kernel/random.ts';
import { fail, ok, type Result } from '../kernel/result.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import type { Store } from '../store/store.ts';
import type { TokenPurpose, TokenRecord } from '../store/tokens-repository.ts';
import type { RequestContext } from './context.ts';

export type TokenProblem = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_USED' | 'TOKEN_REVOKED';

/**
 * Emailed link tokens of every purpose, one implementation: 256 random bits (S1), only the keyed
 * digest stored (S2), redeemed by one conditional UPDATE (S3), failed lookups limited per client
 * (S4). A token of one purpose is never accepted for another.
 */
export class LinkTokens {
  constructor(private readonly deps: { digester: TokenDigester; random: RandomSource; clock: Clock; limits: RateLimits }) {}

  /** Creates a token through `store` (pass the transaction's) and returns it for the mail. */
  async issue(
    store: Store,
    o: { purpose: TokenPurpose; userId: string; ttlSeconds: number; context: RequestContext; targetEmail?: string },
  ): Promise<string> {
    const token = generateToken(this.deps.random);
    const nowMs = this.deps.clock.nowMs();
    await store.tokens.create({
      id: newId(),
      purpose: o.purpose,
      digest: this.deps.digester.digest(token),
      userId: o.userId,
      nowMs,
      expiresAtMs: nowMs + o.ttlSeconds * 1000,
      requestedIp: o.context.ip,
      targetEmail: o.targetEmail ?? null,
    });
    return token;
  }

  /**
   * Checks a token without changing it (GET of an emailed link). Only failed lookups count
   * against the client's limit (S4), and a token that verifies is never refused: the token itself
   * is the proof, so people behind one address (NAT) cannot block each other's links. Once the
   * client's failures are spent, a wrong token answers RATE_LIMITED with the limiter's own wait.
   */
  async check(
    store: Store,
    purpose: TokenPurpose,
    token: string,
    context: RequestContext,
  ): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    const result = await this.lookup(store, purpose, token);
    if (result.ok) return result;
    const failure = await this.deps.limits.tokenPerIp.consume(context.ip ?? 'unknown');
    if (!failure.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: failure.retryAfterSeconds };
    return result;
  }

  /**
   * Redeems a token inside the caller's transaction: exactly one concurrent caller wins; the
   * others learn why they lost (used, revoked, expired).
   */
  async redeem(tx: Store, purpose: TokenPurpose, token: string): Promise<Result<TokenRecord, TokenProblem>> {
    if (!isTokenShaped(token)) return fail('TOKEN_INVALID');
    const digests = this.deps.digester.candidateDigests(token);
    const nowMs = this.deps.clock.nowMs();
    if (!(await tx.tokens.consume(purpose, digests, nowMs))) {
      const again = await this.lookup(tx, purpose, token);
      return fail(again.ok ? 'TOKEN_USED' : again.code);
    }
    const record = await tx.tokens.findByDigests(purpose, digests);
    return record ? ok(record) : fail('TOKEN_INVALID');
  }

  async lookup(store: Store, purpose: TokenPurpose, token: string): Promise<Result<TokenRecord, TokenProblem>> {
    if (!isTokenShaped(token)) return fail('TOKEN_INVALID');
    const record = await store.tokens.findByDigests(purpose, this.deps.digester.candidateDigests(token));
    if (!record) return fail('TOKEN_INVALID');
    if (record.revoked_at !== null) return fail('TOKEN_REVOKED');
    if (record.used_at !== null) return fail('TOKEN_USED');
    if (record.expires_at <= this.deps.clock.nowMs()) return fail('TOKEN_EXPIRED');
    return ok(record);
  }
}
