import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (an ambient const enum, so named here). */
const ARGON2ID = 2;

import { AppError } from '../../kernel/errors.ts';
import { Semaphore } from '../../kernel/semaphore.ts';
import { type PepperBox, verifyLegacyHash } from './legacy/dispatch.ts';
import { normalisePassword } from './policy.ts';

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19456 KiB, t=2, p=1 (S14). */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  /**
   * False for a wrong password and for a hash in an unknown format. Imported legacy hashes
   * (werkzeug, passlib, bcrypt, Django, Better Auth...) verify too, in the same bounded pool;
   * `needsRehash` is true for them, so a successful sign-in replaces them with Argon2id.
   */
  verifyPassword(phc: string, password: string): Promise<boolean>;
  /** Verifies against a fixed dummy hash, so unknown accounts cost the same as known ones (S8). */
  verifyDummy(password: string): Promise<void>;
  needsRehash(phc: string): boolean;
  readonly queueLength: number;
}

/**
 * Argon2id off the event loop (libuv threads) with bounded concurrency: at most `concurrency`
 * hashes at once, at most `queueLimit` waiting; beyond that callers get OVERLOADED (503 +
 * Retry-After) instead of piling up memory (19 MiB per running hash).
 */
export class Argon2Hasher implements PasswordHasher {
  private readonly pool: Semaphore;
  private dummyHash: Promise<string> | undefined;

  private readonly pepperBox: PepperBox;

  /** `pepperBox` opens the sealed secrets of imported hashes (see legacy/dispatch.ts); without one they never verify. */
  constructor(options: { concurrency: number; queueLimit: number; pepperBox?: PepperBox }) {
    this.pool = new Semaphore(options.concurrency, options.queueLimit);
    this.pepperBox = options.pepperBox ?? noPepperBox;
  }

  get queueLength(): number {
    return this.pool.waiting;
  }

  async hashPassword(password: string): Promise<string> {
    return this.run(() => hash(normalisePassword(password), { algorithm: ARGON2ID, ...ARGON2_PARAMS }));
  }

  async verifyPassword(phc: string, password: string): Promise<boolean> {
    if (!phc.startsWith('$argon2')) return this.run(() => verifyLegacyHash(phc, password, this.pepperBox).catch(() => false));
    return this.run(async () => {
      try {
        return await verify(phc, normalisePassword(password));
      } catch {
        return false;
      }
    });
  }

  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= this.hashPassword('latchkey-dummy-password-for-timing');
    await this.verifyPassword(await this.dummyHash, password);
  }

  needsRehash(phc: string): boolean {
    return !phc.startsWith(CURRENT_PREFIX);
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.pool.acquire().catch(() => {
      throw new AppError('OVERLOADED', undefined, 1);
    });
    try {
      return await task();
    } finally {
      release();
    }
  }
}

const noPepperBox: PepperBox = {
  seal: () => {
    throw new Error('no key to seal the secrets of imported password hashes');
  },
  open: () => {
    throw new Error('no key to open the secrets of imported password hashes');
  },
};

/** The secrets of imported hashes, sealed under SECRET_KEYS with their own associated data. */
export function pepperBoxOf(box: { seal(value: string, ad?: string): string; open(sealed: string, ad?: string): string }): PepperBox {
  const ad = 'latchkey:legacy-password-secret';
  return { seal: (value) => box.seal(value, ad), open: (sealed) => box.open(sealed, ad) };
}
