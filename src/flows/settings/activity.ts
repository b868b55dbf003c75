import type { FastifyInstance } from 'fastify';
import { callerOf, type HttpKit, sendApiError, sendPage, timeFormatOf } from '../../http/kit.ts';
import { describeUserAgent } from '../../kernel/user-agent.ts';
import type { AuditEventType } from '../../store/audit-repository.ts';
import type { Store } from '../../store/store.ts';
import { type Html, html } from '../../views/html.ts';
import { layout } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';

/** How many events the activity page and GET /api/account/activity show. */
export const ACTIVITY_LIMIT = 20;

/** Plain words for each event type; a type missing here is shown as itself. */
const LABELS: Partial<Record<AuditEventType, string>> = {
  'user.registered': 'Account created',
  'registration.duplicate': 'Someone tried to register with your address',
  'user.created_by_admin': 'Account created by an administrator',
  'user.disabled': 'Account disabled by an administrator',
  'user.enabled': 'Account enabled by an administrator',
  'login.succeeded': 'Signed in',
  'login.failed': 'Failed sign-in attempt',
  logout: 'Signed out',
  'password_reset.requested': 'Password reset requested',
  'password_reset.completed': 'Password reset',
  'sessions.revoked': 'Sessions signed out',
  'login.unconfirmed': 'Sign-in refused: address not confirmed yet',
  'login.after_reset': 'Signed in after a password reset',
  reauthenticated: 'Confirmed it was you',
  'email.confirmed': 'Email address confirmed',
  'email_change.requested': 'Email address change requested',
  'email.changed': 'Email address changed',
  'email_change.refused': 'Email address change refused',
  'email_change.undone': 'Email address change undone',
  'phone.code_sent': 'Phone verification code sent',
  'phone.added': 'Phone number added',
  'phone.removed': 'Phone number removed',
  'password.changed': 'Password changed',
  'password.set': 'Password set',
  'reauth.code_sent': 'Confirmation code sent',
  'user.sessions_revoked_by_admin': 'Signed out everywhere by an administrator',
  'password_reset.requested_by_admin': 'Password reset sent by an administrator',
  'login.second_factor_required': 'Second sign-in step asked for',
  'login.second_factor_failed': 'Wrong second-step code',
  'login.second_factor_code_sent': 'Sign-in code sent',
  'login.link_requested': 'Sign-in link requested',
  'mfa.totp_enabled': 'Two-step sign-in turned on',
  'mfa.recovery_codes_regenerated': 'New recovery codes made',
  'mfa.totp_disabled': 'Two-step sign-in turned off',
  'mfa.reset_by_admin': 'Two-step sign-in reset by an administrator',
  'passkey.added': 'Passkey added',
  'passkey.renamed': 'Passkey renamed',
  'passkey.removed': 'Passkey removed',
};

export function activityLabel(type: string): string {
  return LABELS[type as AuditEventType] ?? type;
}

export interface ActivityItem {
  type: string;
  label: string;
  /** ISO 8601. */
  time: string;
  ip: string | null;
  browser: string;
}

/** The last ACTIVITY_LIMIT security events of one account, newest first; never another account's. */
export async function recentActivity(store: Store, userId: string): Promise<ActivityItem[]> {
  const events = await store.audit.listForUser(userId, ACTIVITY_LIMIT);
  return events.map((e) => ({
    type: e.type,
    label: activityLabel(e.type),
    time: new Date(Number(e.created_at)).toISOString(),
    ip: e.ip,
    browser: describeUserAgent(e.user_agent),
  }));
}

export function activityPage(o: {
  csrf: string;
  user: { email: string; name: string | null };
  items: ActivityItem[];
  times: TimeFormat;
}): Html {
  const rows = o.items.map(
    (i) =>
      html`<tr><td>${i.label}</td><td>${timeElement(Date.parse(i.time), o.times)}</td><td>${i.ip ?? 'unknown'}</td><td>${i.browser}</td></tr>`,
  );
  return layout(
    { title: 'Recent security activity', user: o.user, csrf: o.csrf },
    html`<p>The last ${ACTIVITY_LIMIT} security events of your account. If you do not recognise one, change your password and sign out your other sessions.</p>
${
  o.items.length === 0
    ? html`<p>Nothing yet.</p>`
    : html`<table class="activity">
<thead><tr><th scope="col">What</th><th scope="col">When</th><th scope="col">IP address</th><th scope="col">Browser</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
<p class="actions"><a href="/account/sessions">Your sessions</a> <a href="/">Back to your account</a></p>`,
  );
}

/** GET /account/activity (the page) and GET /api/account/activity (JSON): the signed-in user's recent events. */
export async function activityRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  app.get('/api/account/activity', async (request, reply) => {
    const caller = callerOf(request);
    if (!caller || !request.auth) return sendApiError(reply, 'NOT_AUTHENTICATED');
    return reply.send({ events: await recentActivity(kit.deps.store, caller.userId) });
  });

  app.get('/account/activity', async (request, reply) => {
    const caller = callerOf(request);
    if (!caller || !request.auth) return reply.redirect('/login?next=%2Faccount%2Factivity', 303);
    const items = await recentActivity(kit.deps.store, caller.userId);
    return sendPage(
      reply,
      activityPage({ csrf: kit.csrf.tokenFor(request, reply), user: request.auth.user, items, times: timeFormatOf(kit, request) }),
    );
  });
}
