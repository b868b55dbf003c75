import { existsSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/config.ts';
import { ConfigError } from '../config/parse.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { migrateToLatest } from '../store/migrate.ts';

/** Reads `.env` (if present; real environment variables win) and the validated Config, or exits naming the problem. */
export function configFromEnvironment(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`latchkey: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Deps for a one-shot command, with the schema brought up to date first. */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = configFromEnvironment();
  const deps = createDeps(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  try {
    if (options.migrate !== false) await migrateToLatest(deps.database.db);
    return await fn(deps);
  } finally {
    await deps.mailChannel.close();
    await deps.database.close();
  }
}
