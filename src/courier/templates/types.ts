export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  publicUrl: URL;
  productName: string;
}

/** Everything the courier needs to send a mail later; sealed in the outbox until sent. */
export type MailMessage =
  | { template: 'password-reset'; to: string; data: { name: string | null; token: string; expiresInSeconds: number; invited?: boolean } }
  | { template: 'password-changed'; to: string; data: { name: string | null; changedAtMs: number } }
  | { template: 'welcome'; to: string; data: { name: string | null } }
  | { template: 'account-exists'; to: string; data: { name: string | null } };

export type TemplateName = MailMessage['template'];
