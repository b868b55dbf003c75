import type { TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import type { Store } from '../../store/store.ts';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-style base32 without look-alikes (no i, l, o, u): 5 bits a character. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 12 characters = 60 bits each (at least 50 asked), shown as xxxx-xxxx-xxxx. */
const CODE_LENGTH = 12;

/**
 * Recovery codes: ten single-use codes shown once, stored as keyed digests bound to the user
 * (S27). Regenerating replaces every code: the old ones die.
 */
export class RecoveryCodes {
  constructor(private readonly deps: { digester: TokenDigester; random: RandomSource; clock: Clock }) {}

  /** New codes for the user through `tx`; returns them for showing once. */
  async regenerate(tx: Store, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => this.newCode());
    const rows = codes.map((code) => ({ id: newId(), digest: this.deps.digester.digest(subject(userId, normalise(code) as string)) }));
    await tx.mfa.replaceRecoveryCodes(userId, rows, this.deps.clock.nowMs());
    return codes;
  }

  /** Uses one code (single use: of parallel uses exactly one wins). */
  async use(store: Store, userId: string, code: string): Promise<boolean> {
    const normalised = normalise(code);
    if (normalised === undefined) return false;
    const digests = this.deps.digester.candidateDigests(subject(userId, normalised));
    return store.mfa.useRecoveryCode(userId, digests, this.deps.clock.nowMs());
  }

  remaining(store: Store, userId: string): Promise<number> {
    return store.mfa.countUnusedRecoveryCodes(userId);
  }

  private newCode(): string {
    const bytes = this.deps.random.bytes(CODE_LENGTH);
    const chars = Array.from(bytes, (byte) => ALPHABET[byte & 31]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  }
}

function subject(userId: string, normalisedCode: string): string {
  return `recovery-code.${userId}.${normalisedCode}`;
}

/** Lower case, separators dropped; undefined unless it is 12 characters of the alphabet. */
function normalise(code: string): string | undefined {
  const value = code.toLowerCase().replace(/[\s-]/g, '');
  return value.length === CODE_LENGTH && [...value].every((c) => ALPHABET.includes(c)) ? value : undefined;
}
