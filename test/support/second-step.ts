import { generateHOTP } from '@oslojs/otp';
import { Secret } from 'otpauth';
import type { TestService } from './app.ts';

/** The pending-login and remembered-device cookies over http (no `__Host-` prefix). */
export const PENDING_COOKIE = 'lk_mfa_pending';
export const REMEMBER_COOKIE = 'lk_mfa_device';

/** A TOTP code computed by an independent implementation (@oslojs/otp), for the 30-s step of `atMs`. */
export function totpCode(base32: string, atMs: number): string {
  return generateHOTP(new Uint8Array(Secret.fromBase32(base32).buffer), BigInt(Math.floor(atMs / 30_000)), 6);
}

/**
 * Turns on an authenticator app for an existing account directly through deps.mfa (the enrolment
 * API is another part of the issue) and makes its recovery codes. The confirming code uses the
 * current time step, so the caller moves its clock on by 30 s before signing in with a code.
 */
export async function enrolSecondFactor(service: TestService, email: string) {
  const { store, mfa, clock } = service.deps;
  const user = await store.users.findByCanonicalEmail(email);
  if (!user) throw new Error(`no account ${email}`);
  const setup = await mfa.totp.startSetup(store, user.id, email);
  if (!setup) throw new Error('an authenticator is already confirmed');
  if (!(await mfa.totp.confirm(store, user.id, totpCode(setup.secret, clock.nowMs())))) throw new Error('confirming failed');
  const recoveryCodes = await store.transaction((tx) => mfa.recoveryCodes.regenerate(tx, user.id));
  return { userId: user.id, secret: setup.secret, recoveryCodes };
}

/** The 6-digit code in a "sign-in code" mail. */
export function loginCodeIn(text: string | undefined): string {
  const code = /Your code is: (\d{6})/.exec(text ?? '')?.[1];
  if (!code) throw new Error(`no sign-in code in mail: ${text}`);
  return code;
}
