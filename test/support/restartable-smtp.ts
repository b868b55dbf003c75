import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface PeerDelivery {
  to: string[];
  /** The Message-ID header as sent, e.g. `<outbox-id@domain>`. */
  messageId: string | undefined;
  subject: string | undefined;
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im')
    .exec(head)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/**
 * A real SMTP peer (smtp-server) that can go away and come back on the same port: stop() closes
 * the listening socket and drops every open connection (pooled ones included), so a client
 * finds nothing listening until start() listens again. Every message accepted while up is
 * recorded once, with its envelope recipients and Message-ID, to count deliveries.
 */
export class RestartableSmtpPeer {
  readonly deliveries: PeerDelivery[] = [];
  private server: SMTPServer | undefined;
  port = 0;
  /**
   * While true, messages are read but never answered: the client waits on its send, as with a
   * provider that hangs. Nothing held this way is recorded as delivered.
   */
  stalled = false;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // stop() ends open sessions after 1 ms instead of the default 30 s grace.
      closeTimeout: 1,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.stalled) return;
          const raw = Buffer.concat(chunks).toString('utf8');
          this.deliveries.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: header(raw, 'Message-ID'),
            subject: header(raw, 'Subject'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  deliveriesTo(address: string): PeerDelivery[] {
    return this.deliveries.filter((d) => d.to.includes(address));
  }
}
