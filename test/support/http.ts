import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request with full control of the request line and headers (fetch refuses to send some
 * of them, e.g. Host, or an absolute URI as the request target).
 */
export function rawRequest(
  baseUrl: string,
  o: { method: string; target: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: o.method,
        path: o.target,
        headers: o.headers,
        setHost: !(o.headers && 'host' in o.headers),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}
