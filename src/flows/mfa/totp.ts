import { Secret, TOTP } from 'otpauth';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { RandomSource } from '../../kernel/random.ts';
import type { Store } from '../../store/store.ts';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** 160-bit secrets (RFC 4226 recommends at least 128, and 160 for SHA-1). */
const SECRET_BYTES = 20;
/** Codes of the step before and after now are accepted too (clock drift of a phone). */
const DRIFT_STEPS = 1;
/** Associated data binding a sealed secret to its column. */
const SEAL_CONTEXT = 'mfa-totp-secret';

export interface TotpSetup {
  /** Base32, for typing into an app by hand. */
  secret: string;
  /** `otpauth://totp/...`, for the QR code. */
  otpauthUrl: string;
}

/**
 * Authenticator apps: the secret is sealed under SECRET_KEYS at rest (S27) and only opened to
 * compute codes. A code is accepted once: its time step must be later than the last accepted
 * one, recorded in one conditional UPDATE, so a code seen over a shoulder (or sent twice in
 * parallel) cannot be used again.
 */
export class TotpAuthenticator {
  constructor(private readonly deps: { box: SecretBox; random: RandomSource; clock: Clock; issuer: string }) {}

  /** A new unconfirmed secret for the user (replacing an unconfirmed one); undefined when one is already confirmed. */
  async startSetup(store: Store, userId: string, label: string): Promise<TotpSetup | undefined> {
    const secret = new Secret({ buffer: new Uint8Array(this.deps.random.bytes(SECRET_BYTES)).buffer });
    const sealed = this.deps.box.seal(secret.base32, SEAL_CONTEXT);
    if (!(await store.mfa.startTotpSetup(userId, sealed, this.deps.clock.nowMs()))) return undefined;
    return { secret: secret.base32, otpauthUrl: this.totp(secret, label).toString() };
  }

  /**
   * The secret of a started, unconfirmed setup again (the set-up page shows it until a code
   * confirms it); undefined when no setup is pending.
   */
  async pendingSetup(store: Store, userId: string, label: string): Promise<TotpSetup | undefined> {
    const record = await store.mfa.findTotp(userId);
    if (!record || record.confirmed_at !== null) return undefined;
    const secret = Secret.fromBase32(this.deps.box.open(record.secret, SEAL_CONTEXT));
    return { secret: secret.base32, otpauthUrl: this.totp(secret, label).toString() };
  }

  /** Confirms a pending setup with a code from the app: true when the code is right and the setup was pending. */
  async confirm(store: Store, userId: string, code: string): Promise<boolean> {
    const record = await store.mfa.findTotp(userId);
    if (!record || record.confirmed_at !== null) return false;
    const step = this.matchingStep(record.secret, code);
    return step !== undefined && store.mfa.confirmTotp(userId, step, this.deps.clock.nowMs());
  }

  /** Checks a code of a confirmed authenticator and uses its time step (once). */
  async verify(store: Store, userId: string, code: string): Promise<boolean> {
    const record = await store.mfa.findTotp(userId);
    if (!record || record.confirmed_at === null) return false;
    const step = this.matchingStep(record.secret, code);
    if (step === undefined || (record.last_step !== null && step <= record.last_step)) return false;
    return store.mfa.useTotpStep(userId, step);
  }

  async isEnabled(store: Store, userId: string): Promise<boolean> {
    const record = await store.mfa.findTotp(userId);
    return record?.confirmed_at != null;
  }

  /** The time step the code belongs to (now ±1), or undefined. */
  private matchingStep(sealedSecret: string, code: string): number | undefined {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return undefined;
    const secret = Secret.fromBase32(this.deps.box.open(sealedSecret, SEAL_CONTEXT));
    const timestamp = this.deps.clock.nowMs();
    const totp = this.totp(secret, 'check');
    const delta = totp.validate({ token, timestamp, window: DRIFT_STEPS });
    if (delta === null) return undefined;
    return totp.counter({ timestamp }) + delta;
  }

  private totp(secret: Secret, label: string): TOTP {
    return new TOTP({ issuer: this.deps.issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret });
  }
}
