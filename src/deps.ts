import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { type MailChannel, DevMailboxChannel, SmtpChannel } from './courier/channels.ts';
import { Outbox } from './courier/outbox.ts';
import { renderMail } from './courier/templates/render.ts';
import { CourierWorker } from './courier/worker.ts';
import { Keyring } from './crypto/keyring.ts';
import { Argon2Hasher, type PasswordHasher } from './crypto/passwords/hasher.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { TokenDigester } from './crypto/tokens.ts';
import { LoginService } from './flows/login/service.ts';
import { SessionService } from './flows/login/session-service.ts';
import { RecoveryService } from './flows/recovery/service.ts';
import { RegistrationService } from './flows/registration/service.ts';
import { type Clock, systemClock } from './kernel/clock.ts';
import { cryptoRandom, type RandomSource } from './kernel/random.ts';
import { Metrics } from './metrics/metrics.ts';
import { createRateLimits, memoryBackend, type RateLimits } from './rate-limits/rate-limits.ts';
import { RedisLimitBackend } from './rate-limits/redis-backend.ts';
import { type DatabaseHandle, openDatabase } from './store/database.ts';
import { Store } from './store/store.ts';

export interface Deps {
  config: Config;
  logger: Logger;
  clock: Clock;
  random: RandomSource;
  database: DatabaseHandle;
  store: Store;
  keyring: Keyring;
  digester: TokenDigester;
  outbox: Outbox;
  hasher: PasswordHasher;
  limits: RateLimits;
  mailChannel: MailChannel;
  courier: CourierWorker;
  metrics: Metrics;
  sessions: SessionService;
  login: LoginService;
  registration: RegistrationService;
  recovery: RecoveryService;
}

export interface DepsOverrides {
  clock?: Clock;
  random?: RandomSource;
  database?: DatabaseHandle;
  mailChannel?: MailChannel;
  limits?: RateLimits;
}

/** The composition root: every service built once from the config, nothing global. */
export function createDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const database =
    overrides.database ??
    openDatabase(config.database, {
      onIdleError: (error) => logger.warn({ reason: error.message }, 'database: an idle connection failed; it will be replaced'),
    });
  const store = new Store(database.db, database.capabilities);
  const keyring = new Keyring(config.secretKeys);
  const digester = new TokenDigester(keyring);
  const outbox = new Outbox(new SecretBox(keyring), clock);
  const hasher = new Argon2Hasher({ concurrency: config.hashConcurrency, queueLimit: config.hashQueueLimit });
  const limits =
    overrides.limits ??
    createRateLimits(
      config.rateLimits,
      keyring,
      config.redisUrl ? new RedisLimitBackend({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger }) : memoryBackend,
    );
  const passwordPolicy = { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength };
  const mailChannel =
    overrides.mailChannel ??
    (config.smtpUrl ? new SmtpChannel(config.smtpUrl) : new DevMailboxChannel(join(config.dataDir, 'mailbox'), logger));

  const sessions = new SessionService({ store, clock, random, sessionTtlSeconds: config.sessionTtlSeconds });
  const login = new LoginService({ store, hasher, sessions, limits, clock });
  const registration = new RegistrationService({ store, outbox, hasher, clock, limits, passwordPolicy });
  const recovery = new RecoveryService({
    store,
    outbox,
    hasher,
    digester,
    random,
    clock,
    limits,
    resetTokenTtlSeconds: config.resetTokenTtlSeconds,
    passwordPolicy,
  });

  const metrics = new Metrics({ outboxQueueDepth: () => store.outbox.countQueued(), hashQueueLength: () => hasher.queueLength });
  const mailContext = { publicUrl: config.publicUrl, productName: 'Latchkey' };
  const courier = new CourierWorker(
    store.outbox,
    outbox,
    {
      mail: async (message, meta) => {
        const rendered = renderMail(message, mailContext);
        await mailChannel.send({ ...rendered, to: message.to, from: config.mailFrom, messageId: meta.messageId });
      },
      'password-reset-request': (job) => recovery.handleResetRequest(job),
    },
    clock,
    logger,
    {
      pollMs: config.courierPollMs,
      maxAttempts: config.courierMaxAttempts,
      messageIdDomain: config.publicUrl.hostname,
      onOutcome: (outcome, topic) => metrics.observeCourier(outcome, topic),
    },
  );

  return { config, logger, clock, random, database, store, keyring, digester, outbox, hasher, limits, mailChannel, courier, metrics, sessions, login, registration, recovery };
}
