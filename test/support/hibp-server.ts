import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rangeKey } from '../../src/crypto/passwords/breached.ts';

/** How the fake range API answers: normally, with a status, too late, by cutting the connection, with junk, or a redirect. */
export type RangeMode = 'normal' | 'error-500' | 'slow' | 'reset' | 'garbage' | 'redirect';

/**
 * A local Have I Been Pwned range API (`GET /range/{5 hex}`): it knows the breached passwords it
 * is given, lists `padded` ones as padding (count 0), adds random padding lines like the real
 * service, and records every request's path and `Add-Padding` header.
 */
export class HibpRangeServer {
  readonly requests: Array<{ path: string; addPadding: string | undefined }> = [];
  mode: RangeMode = 'normal';
  slowMs = 3000;
  private server: Server | undefined;
  private readonly entries = new Map<string, string[]>();

  constructor(breached: Record<string, number>, padded: readonly string[] = []) {
    for (const [password, count] of Object.entries(breached)) this.add(password, count);
    for (const password of padded) this.add(password, 0);
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.requests.push({ path: request.url ?? '', addPadding: request.headers['add-padding'] as string | undefined });
      if (this.mode === 'reset') return request.socket.destroy();
      if (this.mode === 'error-500') return response.writeHead(500).end('oops');
      if (this.mode === 'redirect') return response.writeHead(302, { location: `/followed${request.url ?? ''}` }).end();
      if (this.mode === 'garbage') return response.writeHead(200).end(this.garbage());
      const match = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '');
      if (!match) return response.writeHead(400).end('The hash prefix was not in a valid format');
      const lines = [...(this.entries.get(match[1] as string) ?? [])];
      for (let i = 0; i < 20; i++) lines.push(`${randomBytes(18).toString('hex').slice(0, 35).toUpperCase()}:0`);
      const answer = () => response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
      if (this.mode === 'slow') setTimeout(answer, this.slowMs);
      else answer();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A 200 answer that is no range list: every known suffix without a count, in HTML, and binary noise. */
  private garbage(): string {
    const suffixes = [...this.entries.values()].flat().map((line) => line.split(':')[0]);
    return `<html>${suffixes.join('<br>')}</html>\n${suffixes.map((s) => `${s}:lots`).join('\n')}\n${randomBytes(64).toString('latin1')}`;
  }

  private add(password: string, count: number): void {
    const { prefix, suffix } = rangeKey(password);
    this.entries.set(prefix, [...(this.entries.get(prefix) ?? []), `${suffix}:${count}`]);
  }
}
