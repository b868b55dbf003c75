import { readFileSync } from 'node:fs';

let list: Set<string> | undefined;

/**
 * The 10,000 most common passwords, shipped offline (S13). Taken from the frequency-ranked
 * "passwords-common" dictionary of zxcvbn-ts (MIT), NFKC-normalised and lower-cased.
 */
export function isCommonPassword(normalised: string): boolean {
  list ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return list.has(normalised.toLowerCase());
}
