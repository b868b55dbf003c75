import type { Account, AccountClaims } from 'oidc-provider';
import type { UsersRepository } from '../../store/users-repository.ts';

/**
 * oidc-provider's `findAccount`: the user by id, never a disabled or deleted one (their tokens
 * then fail at the token and userinfo endpoints). `sub` is the stable user id, never the email.
 */
export function accountFinder(users: Pick<UsersRepository, 'findById'>, usernames: boolean) {
  return async (_ctx: unknown, sub: string): Promise<Account | undefined> => {
    const user = await users.findById(sub);
    if (!user || user.disabled_at !== null) return undefined;
    return {
      accountId: user.id,
      async claims(): Promise<AccountClaims> {
        return {
          sub: user.id,
          email: user.email,
          email_verified: user.email_confirmed_at !== null,
          ...(user.name ? { name: user.name } : {}),
          ...(usernames && user.username ? { preferred_username: user.username } : {}),
        };
      },
    };
  };
}
