import type { FastifyInstance } from 'fastify';
import { callerOf, type HttpKit, sendApiError, sendPage, timeFormatOf } from '../../http/kit.ts';
import { t } from '../../i18n/index.ts';
import { describeUserAgent } from '../../kernel/user-agent.ts';
import type { AuditEventType } from '../../store/audit-repository.ts';
import type { Store } from '../../store/store.ts';
import { type Html, html } from '../../views/html.ts';
import { layout } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';

/** How many events the activity page and GET /api/account/activity show. */
export const ACTIVITY_LIMIT = 20;

/** The event types with plain words in the catalogue (activity.event.<type>); another type is shown as itself. */
export const DESCRIBED_EVENT_TYPES: ReadonlySet<string> = new Set<AuditEventType>([
  'user.registered',
  'registration.duplicate',
  'user.created_by_admin',
  'user.disabled',
  'user.enabled',
  'login.succeeded',
  'login.failed',
  'logout',
  'password_reset.requested',
  'password_reset.completed',
  'sessions.revoked',
  'login.unconfirmed',
  'login.after_reset',
  'reauthenticated',
  'email.confirmed',
  'email_change.requested',
  'email.changed',
  'email_change.refused',
  'email_change.undone',
  'phone.code_sent',
  'phone.added',
  'phone.removed',
  'password.changed',
  'password.set',
  'reauth.code_sent',
  'user.sessions_revoked_by_admin',
  'password_reset.requested_by_admin',
  'login.second_factor_required',
  'login.second_factor_failed',
  'login.second_factor_code_sent',
  'login.link_requested',
  'mfa.totp_enabled',
  'mfa.recovery_codes_regenerated',
  'mfa.totp_disabled',
  'mfa.reset_by_admin',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
]);

/** What happened, in the current language. */
export function activityLabel(type: string): string {
  return DESCRIBED_EVENT_TYPES.has(type) ? t(`activity.event.${type}`) : type;
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
      html`<tr><td>${i.label}</td><td>${timeElement(Date.parse(i.time), o.times)}</td><td>${i.ip ?? t('activity.unknown')}</td><td>${i.browser}</td></tr>`,
  );
  return layout(
    { title: t('activity.title'), user: o.user, csrf: o.csrf },
    html`<p>${t('activity.intro', { count: ACTIVITY_LIMIT })}</p>
${
  o.items.length === 0
    ? html`<p>${t('activity.none')}</p>`
    : html`<table class="activity">
<thead><tr><th scope="col">${t('activity.what')}</th><th scope="col">${t('activity.when')}</th><th scope="col">${t('activity.ip')}</th><th scope="col">${t('activity.browser')}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
<p class="actions"><a href="/account/sessions">${t('activity.sessions')}</a> <a href="/">${t('activity.back')}</a></p>`,
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
