import { generateHOTP } from '@oslojs/otp';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (spaces, padding and case ignored), decoded here so the tests do not share otpauth's decoder. */
function decodeBase32(text: string): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.toUpperCase().replace(/[\s=]/g, '')) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(bytes);
}

/**
 * The 6-digit code an authenticator app shows for `base32Secret` at `atMs`, computed by an
 * implementation independent of the service's (`@oslojs/otp` HOTP over the RFC 6238 30-second step).
 */
export function totpCode(base32Secret: string, atMs = Date.now()): string {
  return generateHOTP(decodeBase32(base32Secret), BigInt(Math.floor(atMs / 30_000)), 6);
}
