// A stand-in for an application behind a reverse proxy with forward auth: it answers every
// request with the method, URL and headers it received, as JSON. It trusts Remote-* headers
// because only the proxy can reach it (it listens on loopback).
//
//   PORT=8080 node examples/forward-auth/upstream.mjs
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/** The echo server, not listening yet. */
export function createUpstream() {
  return createServer((request, response) => {
    const body = JSON.stringify({ method: request.method, url: request.url, headers: request.headers });
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(body);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 8080);
  createUpstream().listen(port, '127.0.0.1', () => console.log(`upstream echo app on http://127.0.0.1:${port}`));
}
