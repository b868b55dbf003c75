export interface Username {
  /** As typed, trimmed and NFKC-normalised: what is shown. */
  display: string;
  /** NFKC, case-folded: what is compared and unique-indexed. */
  canonical: string;
}

// Letters and digits of any script, with dot, dash and underscore inside; never an "@", so a
// username can never be mistaken for an email address at sign-in.
const USERNAME = /^[\p{L}\p{N}](?:[\p{L}\p{N}._-]{1,30})[\p{L}\p{N}]$/u;

/** Parses a username (3-32 characters); undefined when it is not one. */
export function parseUsername(input: string): Username | undefined {
  const display = input.trim().normalize('NFKC');
  if (!USERNAME.test(display)) return undefined;
  // toLowerCase after toUpperCase folds the cases that differ only in one direction (e.g. ß/ẞ,
  // final sigma); NFKC again because case mapping can denormalise.
  const canonical = display.toUpperCase().toLowerCase().normalize('NFKC');
  return { display, canonical };
}
