import type { TestService } from './app.ts';
import { apiClient, tokenOf } from './flows.ts';
import type { ReceivedMail } from './smtp.ts';

/** The link (with its query, if any), its token and the 8-digit code of a "Sign in to Latchkey" mail. */
export function signInProofsIn(mail: ReceivedMail): { link: string; token: string; code: string } {
  const bare = /https?:\/\/[^\s]*?\/login\/link\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '')?.[0];
  if (!bare) throw new Error(`no sign-in link in mail "${mail.parsed.subject}"`);
  const query = /^\?return_to=[^\s]+/.exec((mail.parsed.text ?? '').slice((mail.parsed.text ?? '').indexOf(bare) + bare.length))?.[0];
  const link = `${bare}${query ?? ''}`;
  const code = /Your code is: (\d{8})\b/.exec(mail.parsed.text ?? '')?.[1];
  if (!code) throw new Error(`no sign-in code in mail "${mail.parsed.subject}"`);
  return { link, token: tokenOf(bare), code };
}

/** Asks for a sign-in mail through the API and returns what arrives (the mail, its link, token and code). */
export async function requestSignInMail(service: TestService, email: string, extra: Record<string, string> = {}) {
  const response = await apiClient(service).postJson('/api/login/email', { email, ...extra });
  if (response.status !== 202) throw new Error(`POST /api/login/email failed: ${response.status} ${response.text}`);
  const mail = await service.smtp.waitForMail(email, { subject: /^Sign in to/ });
  return { mail, ...signInProofsIn(mail) };
}

/** The sign-in token rows (link and code) of an account, oldest first. */
export async function signInTokenRows(service: TestService, email: string) {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  if (!user) throw new Error(`no account ${email}`);
  const rows = await service.deps.store.db
    .selectFrom('tokens')
    .select(['purpose', 'attempts', 'used_at', 'revoked_at', 'created_at'])
    .where('user_id', '=', user.id)
    .where('purpose', 'in', ['login-link', 'signin-code'])
    .orderBy('created_at')
    .execute();
  return rows;
}

/** The amr of every session of an account. */
export async function sessionAmrs(service: TestService, email: string): Promise<Array<string | null>> {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  if (!user) throw new Error(`no account ${email}`);
  const rows = await service.deps.store.db.selectFrom('sessions').select('amr').where('user_id', '=', user.id).execute();
  return rows.map((r) => r.amr);
}
