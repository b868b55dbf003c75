import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the provider received it, decoded from JSON (webhook) or a form (Twilio). */
export interface ReceivedSms {
  method: string;
  path: string;
  contentType: string;
  authorization: string | undefined;
  /** The recipient and text, whichever format carried them. */
  to: string;
  body: string;
  /** Every field as sent (`{to, body}` for the webhook; To, From, Body... for Twilio). */
  fields: Record<string, string>;
  raw: string;
}

/**
 * A real SMS provider in-process (node:http on a free port): it accepts the generic webhook's
 * JSON and Twilio's form posts alike, records them, and answers `status` (201 by default) so
 * tests can make it refuse (4xx) or fail (5xx).
 */
export class TestSmsServer {
  readonly received: ReceivedSms[] = [];
  /** Requests answered so far, whatever the status. */
  attempts = 0;
  /** The status of the next answers: 201 sent; a 4xx or 5xx to test refusals and retries. */
  status = 201;
  private readonly server: Server = createServer((request, response) => {
    void this.handle(request).then(
      () => {
        this.attempts++;
        response.writeHead(this.status, { 'content-type': 'application/json' });
        response.end(
          this.status < 300
            ? JSON.stringify({ sid: 'SM00000000000000000000000000000000', status: 'queued' })
            : JSON.stringify({ code: 21211, message: 'The number in this request is not valid: it echoes what was sent' }),
        );
      },
      () => {
        response.writeHead(400);
        response.end();
      },
    );
  });
  port = 0;

  private async handle(request: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = request.headers['content-type'] ?? '';
    const fields: Record<string, string> = contentType.startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(raw));
    this.received.push({
      method: request.method ?? '',
      path: request.url ?? '',
      contentType,
      authorization: request.headers.authorization,
      to: fields.to ?? fields.To ?? '',
      body: fields.body ?? fields.Body ?? '',
      fields,
      raw,
    });
  }

  /** Starts listening; returns the base URL (`http://127.0.0.1:PORT`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The SMS to this number received so far (2xx or not). */
  to(e164: string): ReceivedSms[] {
    return this.received.filter((r) => r.to === e164);
  }

  /**
   * Waits for a request carrying an SMS to this number and returns it: the first one, or with
   * `after: n` the first after the n this number had already received.
   */
  async waitFor(e164: string, options: { after?: number; timeoutMs?: number } = {}): Promise<ReceivedSms> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.to(e164)[options.after ?? 0];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no SMS to ${e164} within the time limit`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
