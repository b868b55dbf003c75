import type { DepsOverrides } from '../../src/deps.ts';
import { startTestService, type TestService, type TestServiceOptions } from './app.ts';
import { freePort } from './free-port.ts';

/**
 * startTestService on a port chosen beforehand, with PUBLIC_URL set to the service's real origin
 * (plus `options.path`, e.g. "/auth", to serve it under a path), so the links in its emails open
 * directly (in a browser, say). Retries if the port was taken between choosing it and listening.
 */
export async function startServiceAtOwnOrigin(
  env: Record<string, string> = {},
  overrides: DepsOverrides = {},
  options: TestServiceOptions & { path?: string } = {},
): Promise<TestService> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startTestService(
        { ...env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}${options.path ?? ''}` },
        overrides,
        options,
      );
    } catch (err) {
      if (attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}
