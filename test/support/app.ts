import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { createDeps, type DepsOverrides } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { createEmptyDatabase, type EngineName } from './databases.ts';
import { TestSmtpServer } from './smtp.ts';

export const TEST_SECRET = 'test-secret-key-0123456789abcdef0123456789';

export interface TestService extends RunningService {
  smtp: TestSmtpServer;
  config: Config;
  dataDir: string;
  /** The DATABASE_URL the service runs on (for CLI commands against the same database). */
  databaseUrl: string;
  /** Absolute URL on the running server. */
  at(path: string): string;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  /** Builds the service logger (e.g. one writing to a capture stream). */
  logger?: (config: Config) => Logger;
  /** Where log lines go (JSON, one per line), e.g. to assert on warnings; LOG_LEVEL in env sets the level. */
  logDestination?: { write(line: string): unknown };
  /** Run `latchkey migrate` first, as a deploy would (default true); false leaves the schema as it is. */
  migrate?: boolean;
}

/**
 * The engine startTestService uses when no DATABASE_URL is given: TEST_DATABASE=postgres or mysql
 * (with TEST_POSTGRES_URL / TEST_MYSQL_URL) runs every service-level test on a fresh database of
 * that server; `npm test` does one such pass per configured server.
 */
function engineFromEnvironment(): EngineName {
  const engine = process.env.TEST_DATABASE ?? 'sqlite';
  if (engine !== 'sqlite' && engine !== 'postgres' && engine !== 'mysql')
    throw new Error(`TEST_DATABASE must be sqlite, postgres or mysql, got "${engine}"`);
  return engine;
}

/**
 * The real service on a random port: a fresh SQLite file in a temp dir (or a fresh database on
 * the TEST_DATABASE server, or the database named by `env.DATABASE_URL`), migrated first as a deploy would with `latchkey migrate`, the real courier
 * sending through a real in-process SMTP server. `env` overrides any setting.
 */
export async function startTestService(
  env: Record<string, string> = {},
  overrides: DepsOverrides = {},
  options: TestServiceOptions = {},
): Promise<TestService> {
  const smtp = new TestSmtpServer();
  const smtpUrl = await smtp.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const engine = engineFromEnvironment();
  const serverDatabase = env.DATABASE_URL === undefined && engine !== 'sqlite' ? await createEmptyDatabase(engine, 5) : undefined;
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
    ...(serverDatabase ? { DATABASE_URL: serverDatabase.url, DATABASE_POOL_SIZE: '10' } : {}),
    ...env,
  });
  const logger = options.logger?.(config) ?? createLogger(config.logLevel, options.logDestination);
  const deps = createDeps(config, logger, overrides);
  if (options.migrate !== false) await migrateToLatest(deps.database);
  const service = await startService(config, deps);
  return {
    ...service,
    databaseUrl: env.DATABASE_URL ?? serverDatabase?.url ?? `sqlite:${join(dataDir, 'latchkey.db')}`,
    smtp,
    config,
    dataDir,
    at: (path: string) => new URL(path, service.url).href,
    close: async () => {
      await service.stop();
      await smtp.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await serverDatabase?.drop();
    },
  };
}
