/**
 * Devise (`Devise::Encryptor`): bcrypt of the password followed by the optional `config.pepper`
 * (`--devise-pepper` at import, kept sealed). Without a pepper a Devise hash is plain bcrypt.
 */
export function deviseCandidates(password: string, pepper: string): string[] {
  return [`${password}${pepper}`];
}
