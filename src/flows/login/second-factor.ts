/**
 * The question every sign-in that does not go through the login form must ask first (S17): does
 * this user have a second factor? Today no user can have one, so `noSecondFactors` answers no.
 * When second factors arrive (the MFA issue), their store implements this port and the
 * composition root passes it in; AUTO_LOGIN_AFTER_RESET then sends such users to the login page
 * (password and second factor) instead of signing them in.
 */
export interface SecondFactorGate {
  requiredFor(userId: string): Promise<boolean>;
}

export const noSecondFactors: SecondFactorGate = { requiredFor: async () => false };
