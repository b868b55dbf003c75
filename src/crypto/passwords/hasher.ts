import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (an ambient const enum, so named here). */
const ARGON2ID = 2;
import { AppError } from '../../kernel/errors.ts';
import { Semaphore } from '../../kernel/semaphore.ts';
import { normalisePassword } from './policy.ts';

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19456 KiB, t=2, p=1 (S14). */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  /** False for a wrong password and for a hash in an unknown format. */
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

  constructor(options: { concurrency: number; queueLimit: number }) {
    this.pool = new Semaphore(options.concurrency, options.queueLimit);
  }

  get queueLength(): number {
    return this.pool.waiting;
  }

  async hashPassword(password: string): Promise<string> {
    return this.run(() => hash(normalisePassword(password), { algorithm: ARGON2ID, ...ARGON2_PARAMS }));
  }

  async verifyPassword(phc: string, password: string): Promise<boolean> {
    if (!phc.startsWith('$argon2')) return false;
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
