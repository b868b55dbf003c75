import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';

/** Source of cryptographic randomness; injected so tests can make it deterministic. */
export interface RandomSource {
  bytes(length: number): Buffer;
}

export const cryptoRandom: RandomSource = { bytes: (length) => nodeRandomBytes(length) };

/** Row identifiers: random UUIDs, made in the application so no dialect needs RETURNING. */
export function newId(): string {
  return randomUUID();
}
