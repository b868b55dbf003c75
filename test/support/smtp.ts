import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: Email;
  raw: string;
}

/** A real SMTP server in-process: what Latchkey's courier sends arrives here, parsed by postal-mime. */
export class TestSmtpServer {
  readonly mails: ReceivedMail[] = [];
  private readonly waiters: Array<() => void> = [];
  private server: SMTPServer;
  /** When set, every message is refused with this SMTP error (to test retries). */
  failWith: string | undefined;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.failWith) {
            callback(Object.assign(new Error(this.failWith), { responseCode: 451 }));
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          PostalMime.parse(raw).then(
            (parsed) => {
              this.mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed, raw });
              for (const wake of this.waiters.splice(0)) wake();
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Waits for a mail to `to` (and matching `subject`, if given) that was not taken before. */
  async waitForMail(to: string, options: { subject?: RegExp; timeoutMs?: number } = {}): Promise<ReceivedMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.mails.find(
        (m) => !taken.has(m) && m.envelopeTo.includes(to) && (!options.subject || options.subject.test(m.parsed.subject ?? '')),
      );
      if (found) {
        taken.add(found);
        return found;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const seen = this.mails.map((m) => `${m.envelopeTo.join(',')}: ${m.parsed.subject}`).join('; ');
        throw new Error(`no mail to ${to} within the time limit (received: ${seen || 'nothing'})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  mailsTo(to: string): ReceivedMail[] {
    return this.mails.filter((m) => m.envelopeTo.includes(to));
  }
}

const taken = new WeakSet<ReceivedMail>();

/** The reset link in a mail's text part. */
export function resetLinkIn(mail: ReceivedMail): string {
  const match = /https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '');
  if (!match) throw new Error(`no reset link in mail "${mail.parsed.subject}"`);
  return match[0];
}
