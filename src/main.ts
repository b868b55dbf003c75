import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config/config.ts';
import { publicLink } from './config/public-url.ts';
import { DevSmsBoxChannel } from './courier/sms-devbox.ts';
import { createDeps, type Deps } from './deps.ts';
import { isLoopbackAddress, listensBeyondLoopback } from './http/loopback.ts';
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
  for (const warning of config.brand.warnings) logger.warn(warning);
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
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await service.stop();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  service.startBackground();
  logStartupNotes(service.deps, port);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, deps: service.deps, url: `http://${host}:${port}`, stop: service.stop };
}

/** Whether /dev/mailbox is served: a dev mailbox or a dev SMS box, never in production. */
export function devMailboxServed(deps: Pick<Deps, 'config' | 'smsChannel'>): boolean {
  return deps.config.nodeEnv !== 'production' && (deps.config.devMailbox || deps.smsChannel instanceof DevSmsBoxChannel);
}

/**
 * What the operator needs once the service listens: the URL it serves, the dev mailbox's URL when
 * it is on (and a warning when it is on while other machines can connect), and a warning when
 * PUBLIC_URL, from which every mailed link is built, names another port than the one listened on.
 */
function logStartupNotes(deps: Deps, port: number): void {
  const { config, logger } = deps;
  const url = config.publicUrl.href;
  const listening = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, listening }, `Latchkey is running at ${url} (listening on ${listening})`);
  if (devMailboxServed(deps)) {
    const mailboxUrl = publicLink(config.publicUrl, '/dev/mailbox');
    logger.info({ url: mailboxUrl }, `dev mailbox: mails and SMS are not sent but listed at ${mailboxUrl}`);
    if (listensBeyondLoopback(config.host)) {
      logger.warn(
        { host: config.host, url: mailboxUrl },
        `the dev mailbox is on while listening on ${config.host}: it lists every reset and confirmation link, so anyone who can read it can take over any account. It answers clients on this machine only; set SMTP_URL (and SMS_URL), or NODE_ENV=production, before letting others connect.`,
      );
    }
  }
  const publicPort = Number(config.publicUrl.port || (config.publicUrl.protocol === 'https:' ? 443 : 80));
  const publicHost = config.publicUrl.hostname.replace(/^\[|\]$/g, '');
  const direct = config.publicUrl.port !== '' || publicHost === 'localhost' || isLoopbackAddress(publicHost);
  if (direct && publicPort !== port) {
    logger.warn(
      { port, publicUrl: url },
      `PUBLIC_URL (${url}) names port ${publicPort} but the service listens on port ${port}: every link in every mail points to PUBLIC_URL. Set PUBLIC_URL to the address users reach this service at.`,
    );
  }
}
