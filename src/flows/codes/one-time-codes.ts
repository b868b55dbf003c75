import { timingSafeEqual } from 'node:crypto';
import type { TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { Store } from '../../store/store.ts';
import type { TokenPurpose, TokenRecord } from '../../store/tokens-repository.ts';
import type { RequestContext } from '../context.ts';

/** The purposes a one-time code can have; a code of one purpose is never accepted for another (S1). */
export type CodePurpose = Extract<TokenPurpose, 'reset-code' | 'login-code' | 'phone-verify' | 'signin-code' | 'reauth-code'>;

/** Wrong entries a code survives (S4): the fifth wrong one kills it. */
export const MAX_CODE_ATTEMPTS = 5;

/**
 * CODE_INVALID: no live code, or a wrong one. CODE_SPENT: this code's attempts are used up (it
 * is dead; a new one must be asked for). Callers that must not tell the two apart (reset by
 * code for an unknown address) map both to one answer.
 */
export type CodeProblem = 'CODE_INVALID' | 'CODE_SPENT';

/**
 * Numeric one-time codes sent by mail or SMS (reset by code, sign-in codes, phone
 * verification). Uniform random digits (rejection sampling, no modulo bias); only a keyed digest
 * of `<row id>.<code>` is stored (S2), in the tokens table, so every credential change revokes
 * codes with the links (S6). Issuing a code revokes the user's older live codes of that purpose:
 * only the newest counts, so each issued code gets at most 5 guesses, counted on its row in one
 * conditional UPDATE before the comparison (S4), and issuing is bounded by the sender's limits.
 */
export class OneTimeCodes {
  constructor(private readonly deps: { digester: TokenDigester; random: RandomSource; clock: Clock; ttlSeconds: number }) {}

  /** How long a code lives (CODE_TTL, S5): what mails, texts and pages tell the user. */
  get ttlSeconds(): number {
    return this.deps.ttlSeconds;
  }

  /** Creates a code through `tx` (the caller's transaction) and returns it for the message. */
  async issue(
    tx: Store,
    o: {
      purpose: CodePurpose;
      userId: string;
      digits: number;
      context: RequestContext;
      targetPhone?: string;
      /** Instead of CODE_TTL, for a code that shares its lifetime with a link in the same mail. */
      ttlSeconds?: number;
      /**
       * Binds the code to something besides the user (e.g. the session that asked for it): it is
       * part of the digest, so redeeming without the same binding is a wrong code.
       */
      binding?: string;
    },
  ): Promise<string> {
    const nowMs = this.deps.clock.nowMs();
    await tx.tokens.revokeLive(o.userId, [o.purpose], nowMs);
    const code = randomDigits(this.deps.random, o.digits);
    const id = newId();
    await tx.tokens.create({
      id,
      purpose: o.purpose,
      digest: this.deps.digester.digest(digestInput(id, code, o.binding)),
      userId: o.userId,
      nowMs,
      expiresAtMs: nowMs + (o.ttlSeconds ?? this.deps.ttlSeconds) * 1000,
      requestedIp: o.context.ip,
      targetPhone: o.targetPhone ?? null,
    });
    return code;
  }

  /**
   * Checks and uses the user's live code of this purpose, through `tx` so that what the code
   * unlocks commits with its use. The attempt is counted before comparing; the right code is
   * used once (of parallel right entries exactly one wins).
   */
  async redeem(
    tx: Store,
    o: { purpose: CodePurpose; userId: string; code: string; binding?: string },
  ): Promise<Result<TokenRecord, CodeProblem>> {
    const nowMs = this.deps.clock.nowMs();
    const record = await tx.tokens.findLatestLive(o.userId, o.purpose, nowMs);
    if (!record) return fail('CODE_INVALID');
    if (!(await tx.tokens.countAttempt(record.id, MAX_CODE_ATTEMPTS, nowMs))) return fail('CODE_SPENT');
    const code = normaliseCode(o.code);
    if (code === undefined || !this.matches(record, digestInput(record.id, code, o.binding))) {
      return record.attempts + 1 >= MAX_CODE_ATTEMPTS ? fail('CODE_SPENT') : fail('CODE_INVALID');
    }
    if (!(await tx.tokens.consumeById(record.id, nowMs))) return fail('CODE_INVALID');
    return ok(record);
  }

  private matches(record: TokenRecord, input: string): boolean {
    const stored = Buffer.from(record.digest);
    return this.deps.digester
      .candidateDigests(input)
      .some((candidate) => candidate.length === record.digest.length && timingSafeEqual(Buffer.from(candidate), stored));
  }
}

/** What is digested for a code: its row id, the binding if any, and the code. */
function digestInput(id: string, code: string, binding: string | undefined): string {
  return binding === undefined ? `${id}.${code}` : `${id}.${binding}.${code}`;
}

/** Digits only, spaces and dashes dropped (people type "123 456"); undefined for anything else. */
export function normaliseCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, '');
  return /^\d{4,10}$/.test(code) ? code : undefined;
}

/** `digits` uniform random decimal digits from the injected random source. */
export function randomDigits(random: RandomSource, digits: number): string {
  let out = '';
  while (out.length < digits) {
    for (const byte of random.bytes(digits * 2)) {
      if (byte < 250 && out.length < digits) out += String(byte % 10);
    }
  }
  return out;
}
