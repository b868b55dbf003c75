import { t } from '../../i18n/index.ts';
import { errorMessage } from '../../kernel/errors.ts';
import { isCommonPassword } from './common-passwords.ts';

export type PasswordProblem =
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'PASSWORD_TOO_COMMON'
  /** Found by the breached-password check (breached.ts), not by checkPassword. */
  | 'PASSWORD_BREACHED'
  | 'PASSWORD_CONTAINS_EMAIL'
  | 'PASSWORD_INVALID_CHARACTERS';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

/** NFKC, so that visually identical passwords typed on different keyboards hash the same. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points, not UTF-16 units (S13). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

// Control characters (C0, DEL, C1) and lone surrogates are refused; spaces and all other
// printable Unicode are allowed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * NIST 800-63B checks that need no stored state: length, characters, the common list and the
 * account's email. "Same as current" needs the stored hash and is checked by the flow.
 */
export function checkPassword(password: string, policy: PasswordPolicy, context: { email?: string } = {}): PasswordProblem | undefined {
  if (CONTROL.test(password) || LONE_SURROGATE.test(password)) return 'PASSWORD_INVALID_CHARACTERS';
  const normalised = normalisePassword(password);
  const length = codePointLength(normalised);
  if (length < policy.minLength) return 'PASSWORD_TOO_SHORT';
  if (length > policy.maxLength) return 'PASSWORD_TOO_LONG';
  if (isCommonPassword(normalised)) return 'PASSWORD_TOO_COMMON';
  if (context.email) {
    const lower = normalised.toLowerCase();
    const email = context.email.toLowerCase();
    const local = email.split('@')[0] ?? '';
    if (lower === email || lower.includes(email) || (local.length >= 3 && lower.includes(local))) {
      return 'PASSWORD_CONTAINS_EMAIL';
    }
  }
  return undefined;
}

export function passwordProblemMessage(problem: PasswordProblem, policy: PasswordPolicy): string {
  switch (problem) {
    case 'PASSWORD_TOO_SHORT':
      return t('password.tooShort', { min: policy.minLength });
    case 'PASSWORD_TOO_LONG':
      return t('password.tooLong', { max: policy.maxLength });
    default:
      return errorMessage(problem);
  }
}
