import { t } from '../i18n/index.ts';

/** What a new password must be, from the config: shown under every new-password field before the user fails it. */
export interface PasswordRules {
  /** PASSWORD_MIN_LENGTH */
  minLength: number;
  /** PASSWORD_MAX_LENGTH */
  maxLength: number;
  /** PASSWORD_BREACH_CHECK=on: passwords found in known data breaches are refused. */
  breachCheck?: boolean | undefined;
}

/** The rules as one sentence, e.g. "8 to 128 characters. Long passphrases are good; very common passwords are refused." */
export function passwordRulesHint(rules: PasswordRules): string {
  const key = rules.breachCheck ? 'password.rulesWithBreachCheck' : 'password.rules';
  return t(key, { min: rules.minLength, max: rules.maxLength });
}
