import { argon2 } from './argon2.ts';
import { bcrypt } from './bcrypt.ts';
import { betterAuth } from './better-auth.ts';
import { deviseCandidates } from './devise.ts';
import { django } from './django.ts';
import { flaskSecurityCandidates } from './flask-security.ts';
import { passlibPbkdf2 } from './passlib.ts';
import { type LegacyScheme, LIMITS, type Parsed, parsed, refused } from './scheme.ts';
import { werkzeug } from './werkzeug.ts';

/**
 * Which legacy format a stored hash is in, and its verification. Imported hashes are stored as the
 * original system wrote them when that says everything (werkzeug, passlib pbkdf2, bcrypt, Django,
 * Better Auth); when verifying needs more than the hash, they are stored in an envelope
 * `$lk-legacy$KIND$SECRET$ORIGINAL`:
 * - `fst`: Flask-Security-Too's HMAC pre-hash, SECRET = its SECURITY_PASSWORD_SALT, sealed;
 * - `devise`: Devise bcrypt with a pepper, SECRET = the pepper, sealed;
 * - `argon2`: an Argon2 hash of another system (the password as typed, where Latchkey's own
 *   Argon2id hashes are of the NFKC form), SECRET = `-`.
 * Secrets are sealed under SECRET_KEYS (AES-256-GCM), so a database dump alone does not hold them.
 */
export interface PepperBox {
  seal(value: string): string;
  open(sealed: string): string;
}

type AnyScheme = LegacyScheme<unknown>;
const PLAIN: AnyScheme[] = [werkzeug, passlibPbkdf2, bcrypt, django, betterAuth] as AnyScheme[];
const ENVELOPE_PREFIX = '$lk-legacy$';
const ENVELOPE = /^\$lk-legacy\$(fst|devise|argon2)\$([A-Za-z0-9._-]{1,512})\$(.+)$/s;
type EnvelopeKind = 'fst' | 'devise' | 'argon2';

/** The schemes an envelope may wrap: FST's passlib schemes, Devise's bcrypt, other systems' Argon2. */
const WRAPPABLE: Record<EnvelopeKind, AnyScheme[]> = {
  fst: [bcrypt, argon2, passlibPbkdf2] as AnyScheme[],
  devise: [bcrypt] as AnyScheme[],
  argon2: [argon2] as AnyScheme[],
};

interface Located {
  scheme: AnyScheme;
  inner: string;
  envelope?: { kind: EnvelopeKind; secret: string };
}

function locate(stored: string): Located | undefined {
  if (stored.startsWith(ENVELOPE_PREFIX)) {
    const match = ENVELOPE.exec(stored);
    if (!match) return undefined;
    const kind = match[1] as EnvelopeKind;
    const inner = match[3] as string;
    const scheme = WRAPPABLE[kind].find((s) => s.matches(inner));
    return scheme && { scheme, inner, envelope: { kind, secret: match[2] as string } };
  }
  const scheme = PLAIN.find((s) => s.matches(stored));
  return scheme && { scheme, inner: stored };
}

/** True when the stored hash is one of the legacy formats (not Latchkey's own Argon2id). */
export function isLegacyHash(stored: string): boolean {
  return locate(stored) !== undefined;
}

/**
 * Verifies a password against a legacy hash: parameters read from the hash and bounded (a hash
 * over the bounds never verifies), the comparison constant-time. False for anything unknown.
 */
export async function verifyLegacyHash(stored: string, password: string, box: PepperBox): Promise<boolean> {
  if (stored.length > LIMITS.hashLength + 600) return false;
  const found = locate(stored);
  if (!found) return false;
  const params = found.scheme.parse(found.inner);
  if (!params.ok) return false;
  let candidates = [password];
  if (found.envelope && found.envelope.kind !== 'argon2') {
    let secret: string;
    try {
      secret = box.open(found.envelope.secret);
    } catch {
      return false;
    }
    candidates = found.envelope.kind === 'fst' ? flaskSecurityCandidates(password, secret) : deviseCandidates(password, secret);
  }
  let verified = false;
  for (const candidate of candidates) if (await found.scheme.verify(params.params, candidate)) verified = true;
  return verified;
}

/** What `latchkey users show` says about a stored hash. */
export function describeHash(stored: string | null): string {
  if (stored === null) return 'none (signs in by reset or passwordless)';
  if (stored.startsWith('$argon2id$')) return 'argon2id (Latchkey)';
  const found = locate(stored);
  if (!found) return 'unknown (never verifies)';
  const inner = found.scheme.describe(found.inner);
  switch (found.envelope?.kind) {
    case 'fst':
      return `flask-security-too ${inner} with HMAC pre-hash (legacy, replaced at next sign-in)`;
    case 'devise':
      return `devise ${inner} with pepper (legacy, replaced at next sign-in)`;
    default:
      return `${inner} (legacy, replaced at next sign-in)`;
  }
}

export interface ImportHashOptions {
  /** Flask-Security-Too's SECURITY_PASSWORD_SALT: its bcrypt, argon2 and pbkdf2 hashes are of the HMAC pre-hash. */
  fstPasswordSalt?: string;
  /** Devise's `config.pepper`: its bcrypt hashes are of the password followed by it. */
  devisePepper?: string;
}

/**
 * Turns the hashes of one import into what is stored, refusing (with a reason) anything that is
 * not a known format or whose parameters are over the bounds: such a hash is never stored, so it
 * can never be verified. Secrets are sealed once per import.
 */
export class ImportedHashes {
  private readonly sealedFst: string | undefined;
  private readonly sealedPepper: string | undefined;

  constructor(options: ImportHashOptions, box: PepperBox) {
    if (options.fstPasswordSalt !== undefined && options.devisePepper !== undefined) {
      throw new Error('an import comes from Flask-Security-Too or from Devise, not both');
    }
    this.sealedFst = options.fstPasswordSalt === undefined ? undefined : box.seal(options.fstPasswordSalt);
    this.sealedPepper = options.devisePepper === undefined ? undefined : box.seal(options.devisePepper);
  }

  prepare(original: string): Parsed<string> {
    if (original.length > LIMITS.hashLength) return refused(`password_hash is longer than ${LIMITS.hashLength} characters`);
    if (original.startsWith(ENVELOPE_PREFIX)) return refused('password_hash is a Latchkey envelope, not an original hash');
    let stored = original;
    if (original.startsWith('$argon2')) {
      stored = this.sealedFst ? `${ENVELOPE_PREFIX}fst$${this.sealedFst}$${original}` : `${ENVELOPE_PREFIX}argon2$-$${original}`;
    } else if (this.sealedFst && (bcrypt.matches(original) || passlibPbkdf2.matches(original))) {
      stored = `${ENVELOPE_PREFIX}fst$${this.sealedFst}$${original}`;
    } else if (this.sealedPepper && bcrypt.matches(original)) {
      stored = `${ENVELOPE_PREFIX}devise$${this.sealedPepper}$${original}`;
    }
    const found = locate(stored);
    if (!found) return refused('unknown password hash format');
    const params = found.scheme.parse(found.inner);
    return params.ok ? parsed(stored) : params;
  }
}
