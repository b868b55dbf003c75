import { withReturnTo } from '../../flows/return-to.ts';
import { formatDuration, greeting, link } from './layout.ts';
import type { MailContext, MailMessage, TemplateName } from './types.ts';

/** Placeholders every mail template override may use (README, "Theming"; docs/mail-templates.md). */
export const COMMON_PLACEHOLDERS = ['product', 'name', 'greeting'] as const;

/**
 * The placeholders each template's override files may use besides the common ones. Every name a
 * file uses must be listed for its template: an unknown one stops the start (override-files.ts).
 */
export const TEMPLATE_PLACEHOLDERS: Record<TemplateName, readonly string[]> = {
  'password-reset': ['url', 'expires'],
  'account-invite': ['url', 'expires'],
  'password-changed': ['changed_at', 'reset_url', 'activity_url'],
  'password-set': ['set_at', 'reset_url', 'activity_url'],
  'reauth-code': ['code', 'expires', 'sessions_url'],
  welcome: ['login_url'],
  'account-exists': ['login_url', 'reset_url'],
  'username-unavailable': ['register_url'],
  'confirm-email': ['url', 'expires', 'login_url'],
  'email-change-confirm': ['url', 'expires'],
  'email-change-requested': ['new_email', 'undo_url', 'expires', 'activity_url'],
  'username-reminder': ['username', 'login_url'],
  'password-reset-code': ['code', 'expires', 'url'],
  'login-code': ['code', 'expires', 'reset_url'],
  'login-link': ['url', 'code', 'expires'],
  'recovery-code-used': ['remaining', 'used_at', 'reset_url', 'activity_url'],
  'phone-changed': ['change', 'ends_with', 'changed_at', 'reset_url', 'activity_url'],
  'second-factor-changed': ['change', 'changed_at', 'settings_url', 'reset_url', 'activity_url'],
  'passkey-changed': ['change', 'passkey_name', 'changed_at', 'passkeys_url', 'reset_url', 'activity_url'],
  'account-imported': ['has_password', 'login_url', 'reset_url'],
};

const at = (ms: number) => new Date(ms).toUTCString();

/**
 * The values of a message's placeholders, as plain text (escaped later for .html files). The
 * switch is exhaustive: a new template must say what its overrides can show.
 */
export function placeholderValues(message: MailMessage, context: MailContext): Record<string, string> {
  const to = (path: string) => link(context, path);
  const reset_url = to('/forgot-password');
  const activity_url = to('/account/activity');
  const name = 'name' in message.data ? message.data.name : null;
  const common = { product: context.productName, name: name ?? '', greeting: greeting(name) };
  const specific = (): Record<string, string> => {
    switch (message.template) {
      case 'password-reset':
        return {
          url: to(withReturnTo(`/reset-password/${message.data.token}`, message.data.returnTo)),
          expires: formatDuration(message.data.expiresInSeconds),
        };
      case 'account-invite':
        return { url: to(`/reset-password/${message.data.token}`), expires: formatDuration(message.data.expiresInSeconds) };
      case 'password-changed':
        return { changed_at: at(message.data.changedAtMs), reset_url, activity_url };
      case 'password-set':
        return { set_at: at(message.data.setAtMs), reset_url, activity_url };
      case 'reauth-code':
        return { code: message.data.code, expires: formatDuration(message.data.expiresInSeconds), sessions_url: to('/account/sessions') };
      case 'welcome':
        return { login_url: to(withReturnTo('/login', message.data.returnTo)) };
      case 'account-exists':
        return {
          login_url: to(withReturnTo('/login', message.data.returnTo)),
          reset_url: to(withReturnTo('/forgot-password', message.data.returnTo)),
        };
      case 'username-unavailable':
        return { register_url: to('/register') };
      case 'confirm-email':
        return {
          url: to(withReturnTo(`/confirm-email/${message.data.token}`, message.data.returnTo)),
          expires: formatDuration(message.data.expiresInSeconds),
          login_url: to(withReturnTo('/login', message.data.returnTo)),
        };
      case 'email-change-confirm':
        return { url: to(`/email-change/confirm/${message.data.token}`), expires: formatDuration(message.data.expiresInSeconds) };
      case 'email-change-requested':
        return {
          new_email: message.data.newEmail,
          undo_url: to(`/email-change/undo/${message.data.undoToken}`),
          expires: formatDuration(message.data.expiresInSeconds),
          activity_url,
        };
      case 'username-reminder':
        return { username: message.data.username, login_url: to('/login') };
      case 'password-reset-code':
        return { code: message.data.code, expires: formatDuration(message.data.expiresInSeconds), url: to('/reset/code') };
      case 'login-code':
        return { code: message.data.code, expires: formatDuration(message.data.expiresInSeconds), reset_url };
      case 'login-link':
        return {
          url: to(withReturnTo(`/login/link/${message.data.token}`, message.data.returnTo)),
          code: message.data.code,
          expires: formatDuration(message.data.expiresInSeconds),
        };
      case 'recovery-code-used':
        return { remaining: String(message.data.remaining), used_at: at(message.data.usedAtMs), reset_url, activity_url };
      case 'phone-changed':
        return {
          change: message.data.change,
          ends_with: message.data.endsWith,
          changed_at: at(message.data.atMs),
          reset_url,
          activity_url,
        };
      case 'second-factor-changed':
        return {
          change: message.data.change,
          changed_at: at(message.data.changedAtMs),
          settings_url: to('/account/two-factor'),
          reset_url,
          activity_url,
        };
      case 'passkey-changed':
        return {
          change: message.data.change,
          passkey_name: message.data.passkeyName,
          changed_at: at(message.data.changedAtMs),
          passkeys_url: to('/account/passkeys'),
          reset_url,
          activity_url,
        };
      case 'account-imported':
        return { has_password: message.data.hasPassword ? 'yes' : 'no', login_url: to('/login'), reset_url };
    }
  };
  return { ...common, ...specific() };
}
