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
  const refused = rules.breachCheck
    ? 'very common passwords and passwords found in known data breaches are refused'
    : 'very common passwords are refused';
  return `${rules.minLength} to ${rules.maxLength} characters. Long passphrases are good; ${refused}.`;
}
