import { createRequire } from 'node:module';
import type nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { DevBoxFolder } from './dev-box-folder.ts';
import type { RenderedMail } from './templates/types.ts';
import { PermanentDeliveryError } from './worker.ts';

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

/**
 * SMTP through a nodemailer pool of at most `maxConnections` connections (SMTP_MAX_CONNECTIONS),
 * reused across messages; sends beyond that wait for a free connection. CR/LF never reaches a
 * header: addresses are validated upstream.
 */
export class SmtpChannel implements MailChannel {
  private readonly transport: Transporter;

  constructor(smtpUrl: string, options: { maxConnections?: number } = {}) {
    const url = new URL(smtpUrl);
    url.searchParams.set('pool', 'true');
    url.searchParams.set('maxConnections', String(options.maxConnections ?? 5));
    // nodemailer is loaded only when SMTP is configured: the development mailbox never needs it.
    const { createTransport } = createRequire(import.meta.url)('nodemailer') as typeof nodemailer;
    this.transport = createTransport(url.href);
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
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
    } catch (error) {
      throw refusedForGood(error) ?? error;
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * A permanent refusal of this message: a 5xx reply to MAIL FROM, RCPT TO or DATA (550 mailbox
 * unavailable, 554 rejected...), which sending the same message again would get again. 4xx
 * replies, connection errors, 503 (bad command sequence) and authentication failures (they hit
 * every message, an operator fixes them) stay ordinary errors, retried with backoff.
 */
export function refusedForGood(error: unknown): PermanentDeliveryError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { responseCode, code } = error as Error & { responseCode?: unknown; code?: unknown };
  if (typeof responseCode !== 'number' || responseCode < 500 || responseCode > 599 || responseCode === 503) return undefined;
  if (code !== 'EENVELOPE' && code !== 'EMESSAGE') return undefined;
  return new PermanentDeliveryError(error.message, { cause: error });
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
