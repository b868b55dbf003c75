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

/** "In about an hour", for a lifetime in seconds: how long an emailed link works. */
export function lifetimeText(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '24 hours' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

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
      { title: 'Check your inbox' },
      html`<p>Open the message we sent you and follow what it says. It can take a few minutes to arrive; check your spam folder too.</p>
<p class="actions"><a href="/login">Back to sign in</a></p>`,
    );
  }
  const again = (action: string, label: string, method?: string) =>
    html`<form method="post" action="${withReturnTo(action, note.returnTo)}">
${csrfField(o.csrf)}<input type="hidden" name="email" value="${note.email}">${method ? html`<input type="hidden" name="method" value="${method}">` : ''}
<button type="submit" class="secondary">${label}</button>
</form>`;
  const wait = html`<p>It can take a few minutes to arrive. Not there? Check your spam or junk folder, and that the address above is the one you meant.</p>`;
  let body: Html;
  // Each reason has its own title (a page title names the step, and no two steps share one).
  let title = 'Check your inbox to sign in';
  if (note.reason === 'forgot') {
    title = 'Check your inbox for the reset link';
    body = html`<p>If an account uses <strong>${note.email}</strong>, we have sent it a link to choose a new password.</p>
<p>Open the message and follow the link within ${lifetimeText(o.resetLinkSeconds)}. Your password stays as it is until you choose a new one.</p>
${wait}
${again('/forgot-password', 'Send the link again', 'link')}
<p class="actions"><a href="${withReturnTo('/forgot-password', note.returnTo)}">Use another address</a> <a href="${withReturnTo('/login', note.returnTo)}">Back to sign in</a></p>`;
  } else if (note.reason === 'resend') {
    title = 'Check your inbox for the confirmation link';
    body = html`<p>If an account with an unconfirmed address uses <strong>${note.email}</strong>, we have sent it a new confirmation link.</p>
<p>Open the message and follow the link to confirm your address; then you can sign in.</p>
${wait}
${again('/confirm/resend', 'Send it again')}
<p class="actions"><a href="/login">Back to sign in</a></p>`;
  } else if (o.confirmation) {
    title = 'Check your inbox to confirm your address';
    body = html`<p>We have sent a message to <strong>${note.email}</strong>.</p>
<p>Open it and follow the link to confirm your address; then you can sign in. If you already had an account, or the username you chose is taken, the message says so.</p>
${wait}
${again('/confirm/resend', 'Send the confirmation link again')}
<p class="actions"><a href="${withReturnTo('/register', note.returnTo)}">Use another address</a> <a href="${withReturnTo('/login', note.returnTo)}">Sign in</a></p>`;
  } else {
    body = html`<p>We have sent a message to <strong>${note.email}</strong>.</p>
<p>It tells you how to sign in. If you already had an account, or the username you chose is taken, the message says so.</p>
${wait}
<p class="actions"><a href="${withReturnTo('/register', note.returnTo)}">Use another address</a> <a href="${withReturnTo('/login', note.returnTo)}">Sign in</a></p>`;
  }
  return layout({ title }, body);
}
