import type { SecretBox } from '../../crypto/secret-box.ts';
import { generateToken, isTokenShaped, type TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import type { Store } from '../../store/store.ts';

/** How long a remembered browser skips the second factor. */
export const REMEMBER_DEVICE_SECONDS = 30 * 86_400;
/** Associated data binding a sealed cookie to its purpose: no other sealed value opens as one. */
const SEAL_CONTEXT = 'remember-device-cookie';
/** A sealed cookie is far shorter; anything longer is not opened at all. */
const MAX_COOKIE_LENGTH = 512;

/**
 * "Remember this device" (S27): a 256-bit token in a cookie sealed under SECRET_KEYS together
 * with the user id it belongs to; the database keeps only the keyed digest of user id and token
 * (remembered_devices), so neither a dump nor another user's cookie skips anyone's second step.
 * Every credential change forgets the rows (SecondFactors.forgetAll through sessions.onEndAll),
 * which makes every such cookie worthless.
 */
export class RememberedDeviceTokens {
  constructor(private readonly deps: { box: SecretBox; digester: TokenDigester; random: RandomSource; clock: Clock }) {}

  /** Remembers this browser for the user, through `tx`; returns the cookie value. */
  async remember(tx: Store, userId: string): Promise<string> {
    const token = generateToken(this.deps.random);
    const nowMs = this.deps.clock.nowMs();
    await tx.pendingLogins.rememberDevice({
      id: newId(),
      digest: this.deps.digester.digest(subject(userId, token)),
      userId,
      nowMs,
      expiresAtMs: nowMs + REMEMBER_DEVICE_SECONDS * 1000,
    });
    return this.deps.box.seal(JSON.stringify({ u: userId, t: token }), SEAL_CONTEXT);
  }

  /** Whether the cookie is a live remembered device of this user (and marks it used). */
  async recognises(store: Store, userId: string, cookie: string | undefined): Promise<boolean> {
    const token = this.tokenFor(userId, cookie);
    if (token === undefined) return false;
    const nowMs = this.deps.clock.nowMs();
    const device = await store.pendingLogins.findRememberedDevice(
      userId,
      this.deps.digester.candidateDigests(subject(userId, token)),
      nowMs,
    );
    if (!device) return false;
    await store.pendingLogins.touchRememberedDevice(device.id, nowMs);
    return true;
  }

  /** The token of a well-formed cookie sealed for this user; undefined for anything else. */
  private tokenFor(userId: string, cookie: string | undefined): string | undefined {
    if (cookie === undefined || cookie.length > MAX_COOKIE_LENGTH) return undefined;
    try {
      const value = JSON.parse(this.deps.box.open(cookie, SEAL_CONTEXT)) as { u?: unknown; t?: unknown };
      return value.u === userId && isTokenShaped(value.t) ? value.t : undefined;
    } catch {
      return undefined;
    }
  }
}

function subject(userId: string, token: string): string {
  return `remember-device.${userId}.${token}`;
}
