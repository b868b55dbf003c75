import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config/config.ts';
import { createDeps, type Deps } from './deps.ts';
import { createLogger } from './logger.ts';
import { runCleanup } from './maintenance/cleanup.ts';
import { ensureSchemaCurrent } from './store/migrate.ts';

export interface RunningService {
  app: FastifyInstance;
  deps: Deps;
  url: string;
  stop(): Promise<void>;
}

/** The service built but not listening: what `serve` listens with and the library entry hands out. */
export interface PreparedService {
  app: FastifyInstance;
  deps: Deps;
  /** Starts the courier (unless COURIER_INLINE=false) and the cleanup schedule; later calls do nothing. */
  startBackground(): void;
  /** Stops the background work, lets requests in flight finish, closes the pools. Idempotent. */
  stop(): Promise<void>;
}

/**
 * config -> deps -> schema check -> app, not listening. Refuses (SchemaBehindError) a database
 * whose schema is behind, except the embedded SQLite default, which migrates itself.
 */
export async function prepareService(config: Config, deps?: Deps): Promise<PreparedService> {
  const logger = deps?.logger ?? createLogger(config.logLevel);
  if (config.secretKeysGenerated) {
    logger.warn(
      { file: `${config.dataDir}/secret-key` },
      'SECRET_KEYS is not set: using a generated development key. Production must set SECRET_KEYS.',
    );
  }
  const d = deps ?? createDeps(config, logger);
  let applied: string[];
  try {
    applied = await ensureSchemaCurrent(d.database, d.config.database);
  } catch (error) {
    await d.database.close();
    throw error;
  }
  if (applied.length > 0) logger.info({ applied }, 'database migrations applied');

  const app = await buildApp(d);
  let started = false;
  let cleanupTimer: NodeJS.Timeout | undefined;
  const startBackground = () => {
    if (started) return;
    started = true;
    if (config.courierInline) d.courier.start();
    if (config.cleanupIntervalSeconds > 0) {
      cleanupTimer = setInterval(() => {
        runCleanup(d.store, d.clock, config)
          .then((deleted) => logger.info({ deleted }, 'cleanup finished'))
          .catch((err: unknown) => logger.error({ err }, 'cleanup failed'));
      }, config.cleanupIntervalSeconds * 1000);
      cleanupTimer.unref();
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    // Stop accepting connections and let requests in flight finish (app.close), let the courier
    // finish the message in hand and release the rest of its claims, then close the pools.
    stopping ??= (async () => {
      if (cleanupTimer) clearInterval(cleanupTimer);
      await Promise.all([app.close(), d.courier.stop()]);
      await d.mailChannel.close();
      await d.smsChannel?.close();
      await d.limits.close();
      await d.database.close();
    })();
    return stopping;
  };
  return { app, deps: d, startBackground, stop };
}

/** prepareService, then listen on HOST:PORT and start the courier and cleanup schedule in-process. */
export async function startService(config: Config, deps?: Deps): Promise<RunningService> {
  const service = await prepareService(config, deps);
  const { app } = service;
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  service.startBackground();
  service.deps.logger.info({ url: config.publicUrl.href, listening: `${config.host}:${port}` }, 'Latchkey is running');
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, deps: service.deps, url: `http://${host}:${port}`, stop: service.stop };
}
