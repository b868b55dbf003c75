import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { createDeps, type DepsOverrides } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { TestSmtpServer } from './smtp.ts';

export const TEST_SECRET = 'test-secret-key-0123456789abcdef0123456789';

export interface TestService extends RunningService {
  smtp: TestSmtpServer;
  config: Config;
  dataDir: string;
  /** Absolute URL on the running server. */
  at(path: string): string;
  close(): Promise<void>;
}

/**
 * The real service on a random port: a fresh SQLite file in a temp dir, the real courier sending
 * through a real in-process SMTP server. `env` overrides any setting.
 */
export async function startTestService(
  env: Record<string, string> = {},
  overrides: DepsOverrides = {},
  options: { logger?: (config: Config) => Logger } = {},
): Promise<TestService> {
  const smtp = new TestSmtpServer();
  const smtpUrl = await smtp.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${join(dataDir, 'latchkey.db')}`,
    SMTP_URL: smtpUrl,
    SECRET_KEYS: TEST_SECRET,
    COURIER_POLL_MS: '100',
    CLEANUP_INTERVAL: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const deps = createDeps(config, options.logger?.(config) ?? createLogger(config.logLevel), overrides);
  const service = await startService(config, deps);
  return {
    ...service,
    smtp,
    config,
    dataDir,
    at: (path: string) => new URL(path, service.url).href,
    close: async () => {
      await service.stop();
      await smtp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
