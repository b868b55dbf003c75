import type { Store } from '../../store/store.ts';
import type { SessionService } from '../login/session-service.ts';
import type { MfaEnrolService } from '../mfa/enrol-service.ts';

export interface AccountOverview {
  id: string;
  email: string;
  name: string | null;
  username: string | null;
  emailConfirmed: boolean;
  createdAtMs: number;
  /** The sign-in before this one ("last sign-in"), null on the first. */
  lastLoginAtMs: number | null;
  lastLoginIp: string | null;
  loginCount: number;
  activeSessions: number;
  /** Two-step sign-in: whether an authenticator app is on, and the recovery codes left. */
  twoFactor: { totp: boolean; recoveryCodesLeft: number };
  /** The verified phone number (E.164), or null. */
  phone: string | null;
  /** False for an account without a password (it signs in by mailed link or code, or a passkey). */
  hasPassword: boolean;
}

/** What the account page and GET /api/account show about the signed-in user. */
export async function accountOverview(
  deps: { store: Store; sessions: SessionService; mfaEnrol: Pick<MfaEnrolService, 'status'> },
  userId: string,
): Promise<AccountOverview | undefined> {
  const user = await deps.store.users.findById(userId);
  if (!user) return undefined;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    username: user.username,
    emailConfirmed: user.email_confirmed_at !== null,
    createdAtMs: Number(user.created_at),
    lastLoginAtMs: user.last_login_at === null ? null : Number(user.last_login_at),
    lastLoginIp: user.last_login_ip,
    loginCount: Number(user.login_count),
    activeSessions: await deps.sessions.count(user.id),
    twoFactor: await deps.mfaEnrol.status(user.id).then(({ totp, recoveryCodesLeft }) => ({ totp, recoveryCodesLeft })),
    phone: user.phone && user.phone_verified_at !== null ? user.phone : null,
    hasPassword: user.password_hash !== null,
  };
}
