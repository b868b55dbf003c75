import { t, th } from '../../i18n/index.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout } from '../../views/layout.ts';
import { withReturnTo } from '../return-to.ts';

/** Why a person is asked to check their inbox: which form sent the message. */
export type InboxReason = 'register' | 'forgot' | 'resend';

export interface InboxNote {
  email: string;
  reason: InboxReason;
  returnTo?: string | undefined;
}

/** A span of time in the current language, in one unit ("2 hours", "2 Stunden"). */
function inUnit(unit: 'day' | 'hour' | 'minute' | 'second', count: number): string {
  return t('inbox.duration', { unit, count });
}

/** "In about an hour", for a lifetime in seconds: how long an emailed link works ("24 hours", not "1 day"). */
export function lifetimeText(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? inUnit('hour', 24) : inUnit('day', seconds / 86_400);
  if (seconds % 3600 === 0) return inUnit('hour', seconds / 3600);
  return inUnit('minute', Math.round(seconds / 60));
}

/** How long a code or link works, in the largest unit that divides it: "15 minutes", "1 day". */
export function durationText(seconds: number): string {
  if (seconds % 86_400 === 0) return inUnit('day', seconds / 86_400);
  if (seconds % 3600 === 0) return inUnit('hour', seconds / 3600);
  if (seconds % 60 === 0) return inUnit('minute', seconds / 60);
  return inUnit('second', seconds);
}

const strong = (chunks: Html) => html`<strong>${chunks}</strong>`;

/**
 * "Check your inbox": names the address and what to do next, and offers to send again. Built from
 * the typed address and the form only, so it reads the same whether an account uses the address
 * or not (S7). With CONFIRM_EMAIL=off registration says nothing about confirming.
 */
export function checkInboxPage(o: {
  csrf: string;
  note: InboxNote | undefined;
  /** CONFIRM_EMAIL is not off. */
  confirmation: boolean;
  /** RESET_TOKEN_TTL, for "the link works for ...". */
  resetLinkSeconds: number;
}): Html {
  const note = o.note;
  if (!note) {
    return layout(
      { title: t('inbox.title') },
      html`<p>${t('inbox.generic')}</p>
<p class="actions"><a href="/login">${t('inbox.back')}</a></p>`,
    );
  }
  const again = (action: string, label: string, method?: string) =>
    html`<form method="post" action="${withReturnTo(action, note.returnTo)}">
${csrfField(o.csrf)}<input type="hidden" name="email" value="${note.email}">${method ? html`<input type="hidden" name="method" value="${method}">` : ''}
<button type="submit" class="secondary">${label}</button>
</form>`;
  const wait = html`<p>${t('inbox.wait')}</p>`;
  const email = note.email;
  let body: Html;
  // Each reason has its own title (a page title names the step, and no two steps share one).
  let title = t('inbox.register.title');
  if (note.reason === 'forgot') {
    title = t('inbox.forgot.title');
    body = html`<p>${th('inbox.forgot.sent', { email, b: strong })}</p>
<p>${t('inbox.forgot.follow', { lifetime: lifetimeText(o.resetLinkSeconds) })}</p>
${wait}
${again('/forgot-password', t('inbox.forgot.again'), 'link')}
<p class="actions"><a href="${withReturnTo('/forgot-password', note.returnTo)}">${t('inbox.useAnother')}</a> <a href="${withReturnTo('/login', note.returnTo)}">${t('inbox.back')}</a></p>`;
  } else if (note.reason === 'resend') {
    title = t('inbox.resend.title');
    body = html`<p>${th('inbox.resend.sent', { email, b: strong })}</p>
<p>${t('inbox.resend.follow')}</p>
${wait}
${again('/confirm/resend', t('inbox.resend.again'))}
<p class="actions"><a href="/login">${t('inbox.back')}</a></p>`;
  } else if (o.confirmation) {
    title = t('inbox.register.confirmTitle');
    body = html`<p>${th('inbox.register.sent', { email, b: strong })}</p>
<p>${t('inbox.register.confirmFollow')}</p>
${wait}
${again('/confirm/resend', t('inbox.register.again'))}
<p class="actions"><a href="${withReturnTo('/register', note.returnTo)}">${t('inbox.useAnother')}</a> <a href="${withReturnTo('/login', note.returnTo)}">${t('inbox.signIn')}</a></p>`;
  } else {
    body = html`<p>${th('inbox.register.sent', { email, b: strong })}</p>
<p>${t('inbox.register.plainFollow')}</p>
${wait}
<p class="actions"><a href="${withReturnTo('/register', note.returnTo)}">${t('inbox.useAnother')}</a> <a href="${withReturnTo('/login', note.returnTo)}">${t('inbox.signIn')}</a></p>`;
  }
  return layout({ title }, body);
}
