import type { UserRecord } from '../store/users-repository.ts';

/**
 * The name a mail may greet its reader by: the account's name only once its address is confirmed.
 * Before that the name is whatever an unauthenticated registration typed (100 characters, URLs
 * allowed), and nobody may put words of their choice into a mail to someone else's inbox.
 */
export function greetingNameOf(user: Pick<UserRecord, 'name' | 'email_confirmed_at'>): string | null {
  return user.email_confirmed_at === null ? null : user.name;
}
