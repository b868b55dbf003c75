import { existsSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/config.ts';
import { ConfigError } from '../config/parse.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { ensureSchemaCurrent, SchemaBehindError } from '../store/migrate.ts';

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

/** Exits with the fix named when the schema is behind (`latchkey migrate`); rethrows anything else. */
export function exitIfSchemaBehind(error: unknown): never {
  if (error instanceof SchemaBehindError) {
    process.stderr.write(`latchkey: ${error.message}\n`);
    process.exit(3);
  }
  throw error;
}

/**
 * Deps for a one-shot command. Unless `checkSchema` is false, the schema must be current (the
 * embedded SQLite default migrates itself), exactly as for `serve`.
 */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>, options: { checkSchema?: boolean } = {}): Promise<T> {
  const config = configFromEnvironment();
  const deps = createDeps(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  try {
    if (options.checkSchema !== false) await ensureSchemaCurrent(deps.database, config.database).catch(exitIfSchemaBehind);
    return await fn(deps);
  } finally {
    await deps.mailChannel.close();
    await deps.limits.close();
    await deps.database.close();
  }
}
