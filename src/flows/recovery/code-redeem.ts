import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { Store } from '../../store/store.ts';
import type { TokenRecord } from '../../store/tokens-repository.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import { type CodePurpose, MAX_CODE_ATTEMPTS, type OneTimeCodes } from '../codes/one-time-codes.ts';

/** Ids no row ever has (rows get random UUIDs): an unknown address's statements run against them. */
const NO_USER_ID = 'no-such-user';
const NO_CODE_ID = 'no-such-code';

/**
 * Uses the reset code typed for an address, inside the caller's transaction (what the code
 * unlocks commits with its use). One answer, CODE_INVALID, for every failure: unknown or disabled
 * account, no live code, a wrong code, a code whose 5 attempts are spent (S4, S7).
 *
 * The same statements run whatever the address (S8): the account lookup, the live-code lookup,
 * then either OneTimeCodes.redeem (its own lookup and the attempt counted by a conditional UPDATE
 * before the comparison) or, with no account or no live code, the same lookup and the same UPDATE
 * against ids no row has. Four round trips either way; only a right code adds its consumption.
 * `purpose` is `reset-code` unless given (the emailed sign-in code uses `signin-code`). A failure
 * names the enabled account the address belongs to, if any, for the caller's audit event.
 */
export async function redeemResetCode(
  tx: Store,
  deps: { codes: OneTimeCodes; clock: Clock },
  o: { emailCanonical: string; code: string; purpose?: CodePurpose },
): Promise<Result<{ user: UserRecord; record: TokenRecord }, 'CODE_INVALID'> & { userId?: string }> {
  const found = await tx.users.findByCanonicalEmail(o.emailCanonical);
  const user = found && found.disabled_at === null ? found : undefined;
  const purpose = o.purpose ?? 'reset-code';
  const nowMs = deps.clock.nowMs();
  const live = await tx.tokens.findLatestLive(user?.id ?? NO_USER_ID, purpose, nowMs);
  if (!user || !live) {
    await tx.tokens.findLatestLive(NO_USER_ID, purpose, nowMs);
    await tx.tokens.countAttempt(NO_CODE_ID, MAX_CODE_ATTEMPTS, nowMs);
    return fail('CODE_INVALID');
  }
  const redeemed = await deps.codes.redeem(tx, { purpose, userId: user.id, code: o.code });
  return redeemed.ok ? ok({ user, record: redeemed.value }) : { ...fail('CODE_INVALID'), userId: user.id };
}
