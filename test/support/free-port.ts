import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago: listen on port 0, read the port, close. For services
 * that must know their own origin before they start (PUBLIC_URL = http://127.0.0.1:<port>).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the port'))));
    });
  });
}
