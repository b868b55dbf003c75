export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  publicUrl: URL;
  /** BRAND_NAME. */
  productName: string;
  /** BRAND_LOGO's absolute URL under PUBLIC_URL, shown atop HTML mails. */
  logoUrl?: string | undefined;
  /** BRAND_COLOR (#rrggbb), the colour of links in HTML mails. */
  accent?: string | undefined;
}

/**
 * Everything the courier needs to send a mail later; sealed in the outbox until sent. `locale`:
 * the recipient account's language (users.locale), the mail's language; absent: DEFAULT_LOCALE.
 */
export type MailMessage = TemplateMessage & { locale?: string | null | undefined };

type TemplateMessage =
  | {
      template: 'password-reset';
      to: string;
      /** invited: only in messages queued before the account-invite template existed. */
      data: { name: string | null; token: string; expiresInSeconds: number; invited?: boolean; returnTo?: string };
    }
  /** An administrator created the account (`latchkey users create`): choose a password, by INVITE_TTL. */
  | { template: 'account-invite'; to: string; data: { name: string | null; token: string; expiresInSeconds: number } }
  | { template: 'password-changed'; to: string; data: { name: string | null; changedAtMs: number } }
  /** An account without a password got one (settings, after a recent authentication). */
  | { template: 'password-set'; to: string; data: { name: string | null; setAtMs: number } }
  /** "Confirm it is you": the code a signed-in session asked for (flows/settings/reauth.ts). */
  | { template: 'reauth-code'; to: string; data: { name: string | null; code: string; expiresInSeconds: number } }
  | { template: 'welcome'; to: string; data: { name: string | null; returnTo?: string } }
  | { template: 'account-exists'; to: string; data: { name: string | null; reason?: 'email-change'; returnTo?: string } }
  | { template: 'username-unavailable'; to: string; data: Record<string, never> }
  | {
      template: 'confirm-email';
      to: string;
      /** returnTo: where the links lead once signed in (checked by the S11 rule when the request came in). */
      data: { name: string | null; token: string; expiresInSeconds: number; welcome: boolean; returnTo?: string };
    }
  | { template: 'email-change-confirm'; to: string; data: { name: string | null; token: string; expiresInSeconds: number } }
  | {
      template: 'email-change-requested';
      to: string;
      data: { name: string | null; newEmail: string; undoToken: string; expiresInSeconds: number };
    }
  | { template: 'username-reminder'; to: string; data: { name: string | null; username: string } }
  | { template: 'password-reset-code'; to: string; data: { name: string | null; code: string; expiresInSeconds: number } }
  | { template: 'login-code'; to: string; data: { name: string | null; code: string; expiresInSeconds: number } }
  /** Passwordless sign-in: a link and an 8-digit code for one sign-in, with their common lifetime. */
  | {
      template: 'login-link';
      to: string;
      data: { name: string | null; token: string; code: string; expiresInSeconds: number; returnTo?: string };
    }
  | { template: 'recovery-code-used'; to: string; data: { name: string | null; remaining: number; usedAtMs: number } }
  /** A phone number was added to or removed from the account; `endsWith`: its last two digits, never the number. */
  | { template: 'phone-changed'; to: string; data: { name: string | null; change: 'added' | 'removed'; endsWith: string; atMs: number } }
  | { template: 'second-factor-changed'; to: string; data: { name: string | null; change: SecondFactorChange; changedAtMs: number } }
  /** A passkey was added to or removed from the account (its name as the owner gave it). */
  | {
      template: 'passkey-changed';
      to: string;
      data: { name: string | null; change: 'added' | 'removed'; passkeyName: string; changedAtMs: number };
    }
  /** `latchkey import --notify`: the account moved here; hasPassword when the old password still works. */
  | { template: 'account-imported'; to: string; data: { name: string | null; hasPassword: boolean } };

/** What happened to an account's two-step sign-in (the notice mail says which). */
export type SecondFactorChange = 'enabled' | 'recovery-codes-regenerated' | 'disabled' | 'reset-by-admin';

export type TemplateName = MailMessage['template'];
