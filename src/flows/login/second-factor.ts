/**
 * The question every sign-in that does not go through the login form must ask first (S17): does
 * this user have a second factor? The composition root passes `SecondFactors`
 * (flows/mfa/factors.ts): whoever confirmed an authenticator app. AUTO_LOGIN_AFTER_RESET then
 * sends such users to the login page (password and second factor) instead of signing them in.
 * `noSecondFactors` answers no for everyone: for unit tests of the login alone.
 */
export interface SecondFactorGate {
  requiredFor(userId: string): Promise<boolean>;
}

export const noSecondFactors: SecondFactorGate = { requiredFor: async () => false };
