import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { DevBoxFolder } from './dev-box-folder.ts';
import type { RenderedMail } from './templates/types.ts';

export interface OutgoingMail extends RenderedMail {
  to: string;
  from: string;
  /** Stable per outbox message, so a duplicate delivery is recognisable. */
  messageId: string;
}

export interface MailChannel {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** SMTP through a nodemailer pool. CR/LF never reaches a header: addresses are validated upstream. */
export class SmtpChannel implements MailChannel {
  private readonly transport: Transporter;

  constructor(smtpUrl: string) {
    const url = new URL(smtpUrl);
    url.searchParams.set('pool', 'true');
    this.transport = nodemailer.createTransport(url.href);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export interface StoredMail extends OutgoingMail {
  receivedAtMs: number;
}

/**
 * Development mailbox (no SMTP_URL): mails are written as JSON files under DATA_DIR/mailbox and
 * listed at /dev/mailbox. The log line names recipient and subject, never the body (it holds links).
 */
export class DevMailboxChannel implements MailChannel {
  private readonly folder: DevBoxFolder<StoredMail>;

  constructor(
    directory: string,
    private readonly logger: Logger,
  ) {
    this.folder = new DevBoxFolder(directory);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.folder.write({ ...mail, receivedAtMs: Date.now() });
    this.logger.info({ to: mail.to, subject: mail.subject }, 'mail delivered to the dev mailbox (/dev/mailbox)');
  }

  list(): Promise<StoredMail[]> {
    return this.folder.latest();
  }

  async close(): Promise<void> {}
}
