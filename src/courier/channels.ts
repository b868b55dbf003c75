import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
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
  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const receivedAtMs = Date.now();
    const file = join(this.directory, `${receivedAtMs}-${mail.messageId.replace(/[^A-Za-z0-9-]/g, '')}.json`);
    await writeFile(file, JSON.stringify({ ...mail, receivedAtMs } satisfies StoredMail), { mode: 0o600 });
    this.logger.info({ to: mail.to, subject: mail.subject }, 'mail delivered to the dev mailbox (/dev/mailbox)');
  }

  async list(): Promise<StoredMail[]> {
    let files: string[];
    try {
      files = (await readdir(this.directory)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    files.sort().reverse();
    const mails = await Promise.all(files.slice(0, 50).map(async (f) => JSON.parse(await readFile(join(this.directory, f), 'utf8')) as StoredMail));
    return mails;
  }

  async close(): Promise<void> {}
}
