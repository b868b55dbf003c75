/**
 * The library entry: `import { createLatchkey } from 'latchkey'`. A Node application (run through
 * tsx: Latchkey ships TypeScript sources, no build) mounts Latchkey in its own server instead of
 * running `latchkey serve`. Latchkey keeps its own Fastify instance (its strict validator, error
 * handler, security headers and rewriteUrl are server-level options a host's plugin could not
 * set); hosts pass requests to it. README, "Use as a library".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { configFromSettings, type LatchkeySettings } from './config/settings.ts';
import { createDeps } from './deps.ts';
import { createLogger } from './logger.ts';
import { prepareService } from './main.ts';
import { migrateToLatest } from './store/migrate.ts';

export type { Config } from './config/config.ts';
export { ConfigError } from './config/parse.ts';
export { type LatchkeySettings, SETTING_NAMES, type SettingName, type SettingValue } from './config/settings.ts';
export { SchemaBehindError } from './store/migrate.ts';

export interface LatchkeyOptions {
  /** Settings by their environment-variable names (README, "Configuration"). process.env is not read. */
  settings: LatchkeySettings;
  /** Resolves relative paths in DATA_DIR and DATABASE_URL (default: process.cwd()). */
  cwd?: string;
  /** A pino logger for Latchkey's own lines (default: one at LOG_LEVEL on stdout, with Latchkey's redaction). */
  logger?: Logger;
  /** Apply pending migrations first, as `latchkey migrate` would (default false: a server database that is behind is refused). */
  migrate?: boolean;
  /** Start the courier (unless COURIER_INLINE=false) and the cleanup schedule at once (default true); else call start(). */
  startBackground?: boolean;
}

export interface Latchkey {
  /** The validated configuration; `config.basePath` is the path Latchkey answers under. */
  readonly config: Config;
  /** Latchkey's own Fastify instance, ready, not listening (for `inject` in tests, or `app.listen`). */
  readonly app: FastifyInstance;
  /** A node:http request listener: pass every request under the base path to it (it answers 404 to others). */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /**
   * A plugin for a host Fastify server: `await host.register(latchkey.fastifyPlugin)` (without a
   * prefix: the path comes from PUBLIC_URL). Requests under the base path go to Latchkey before
   * the host parses their bodies, and the host does not log them (their URLs can carry tokens).
   */
  readonly fastifyPlugin: FastifyPluginAsync;
  /** Starts the courier and the cleanup schedule, if startBackground was false. Idempotent. */
  start(): void;
  /** Stops the courier and schedule, closes Latchkey's app and its database and Redis pools. Idempotent. */
  close(): Promise<void>;
}

/** Builds Latchkey from a settings object; throws ConfigError naming every bad setting. */
export async function createLatchkey(options: LatchkeyOptions): Promise<Latchkey> {
  const config = configFromSettings(options.settings, options.cwd === undefined ? {} : { cwd: options.cwd });
  const logger = options.logger ?? createLogger(config.logLevel);
  const deps = createDeps(config, logger);
  if (options.migrate) {
    try {
      await migrateToLatest(deps.database);
    } catch (error) {
      await deps.database.close();
      throw error;
    }
  }
  const service = await prepareService(config, deps);
  await service.app.ready();
  if (options.startBackground !== false) service.startBackground();

  const handler = (req: IncomingMessage, res: ServerResponse) => service.app.routing(req, res);
  const fastifyPlugin: FastifyPluginAsync = async (host) => {
    if (host.prefix !== '') {
      throw new Error(`register the Latchkey plugin without a prefix (got "${host.prefix}"): its path comes from PUBLIC_URL`);
    }
    const forward = { logLevel: 'silent' as const, onRequest: hijackTo(handler) };
    const base = config.basePath;
    host.all(base === '' ? '/' : base, forward, unreachable);
    host.all(`${base}/*`, forward, unreachable);
  };
  return {
    config,
    app: service.app,
    handler,
    fastifyPlugin,
    start: service.startBackground,
    close: service.stop,
  };
}

/** An onRequest hook that takes the raw request away from the host before it reads the body. */
function hijackTo(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return (request: { raw: IncomingMessage }, reply: { hijack(): void; raw: ServerResponse }, _done: () => void) => {
    reply.hijack();
    handler(request.raw, reply.raw);
  };
}

async function unreachable(): Promise<void> {
  throw new Error('the Latchkey plugin hijacks every request in onRequest');
}
