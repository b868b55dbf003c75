import { createHmac } from 'node:crypto';

/**
 * Flask-Security-Too's default password pre-hash: unless SECURITY_PASSWORD_SINGLE_HASH says
 * otherwise, FST hashes `base64(HMAC-SHA512(SECURITY_PASSWORD_SALT, password))` with its bcrypt,
 * argon2 or pbkdf2 scheme instead of the password itself. FST 4+ first normalises the password
 * (SECURITY_PASSWORD_NORMALIZE_FORM, NFKD by default); older versions did not, so both forms are
 * tried when they differ. The salt is given per import (`--fst-password-salt`) and kept sealed.
 */
export function flaskSecurityCandidates(password: string, passwordSalt: string): string[] {
  const forms = [...new Set([password, password.normalize('NFKD')])];
  return forms.map((form) => createHmac('sha512', passwordSalt).update(form, 'utf8').digest('base64'));
}
