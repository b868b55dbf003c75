import { existsSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/config.ts';
import { redactDatabaseUrl } from '../config/database-url.ts';
import { ConfigError } from '../config/parse.ts';
import { createDeps, type Deps } from '../deps.ts';
import { chooseLogFormat, createLogger } from '../logger.ts';
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

/** The one-line reason a listen failed, for the errors an operator causes and fixes (port taken, no such address). */
function listenProblem(error: unknown, config: Pick<Config, 'host' | 'port'>): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use (another Latchkey or another program). Stop it or set PORT to a free port.`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges). Set PORT to 1024 or above, or put a reverse proxy in front.`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: HOST is not an address of this machine. Set HOST to one of its addresses, 127.0.0.1 or 0.0.0.0.`;
    default:
      return undefined;
  }
}

/**
 * Startup failures an operator can fix, as one line and a distinct exit code: 1 when the service
 * cannot listen (port taken, no permission, HOST not on this machine), 3 when the schema is behind
 * (names `latchkey migrate`), 4 when the database cannot be reached. Anything else is rethrown (a bug).
 */
export function exitOnStartupError(deps: Pick<Deps, 'config' | 'database'>) {
  return (error: unknown): never => {
    const listen = listenProblem(error, deps.config);
    if (listen) {
      process.stderr.write(`latchkey: ${listen}\n`);
      process.exit(1);
    }
    if (error instanceof SchemaBehindError) {
      process.stderr.write(`latchkey: ${error.message}\n`);
      process.exit(3);
    }
    if (deps.database.capabilities.isUnavailable(error)) {
      const target = deps.config.database;
      const where = 'url' in target ? redactDatabaseUrl(target.url) : target.filename;
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `latchkey: cannot reach the database at ${where}: ${reason}. Check DATABASE_URL and that the server is running.\n`,
      );
      process.exit(4);
    }
    throw error;
  };
}

/**
 * Deps for a one-shot command. Unless `checkSchema` is false, the schema must be current (the
 * embedded SQLite default migrates itself), exactly as for `serve`.
 */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>, options: { checkSchema?: boolean } = {}): Promise<T> {
  const config = configFromEnvironment();
  const deps = createDeps(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, undefined, chooseLogFormat(config)));
  try {
    if (options.checkSchema !== false) await ensureSchemaCurrent(deps.database, config.database).catch(exitOnStartupError(deps));
    return await fn(deps).catch(exitOnStartupError(deps));
  } finally {
    await deps.mailChannel.close();
    await deps.smsChannel?.close();
    await deps.limits.close();
    await deps.database.close();
  }
}
