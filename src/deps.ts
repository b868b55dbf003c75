import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { publicLink } from './config/public-url.ts';
import { DevMailboxChannel, SmtpChannel } from './courier/channels.ts';
import { Outbox } from './courier/outbox.ts';
import { Keyring } from './crypto/keyring.ts';
import { HibpBreachedPasswords, noBreachCheck } from './crypto/passwords/breached.ts';
import { Argon2Hasher, pepperBoxOf } from './crypto/passwords/hasher.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { TokenDigester } from './crypto/tokens.ts';
import { createCourier } from './deps/courier.ts';
import { createMfaDeps } from './deps/mfa.ts';
import { createOidcDeps } from './deps/oidc.ts';
import { createPasskeyDeps } from './deps/passkeys.ts';
import { createPasswordlessDeps } from './deps/passwordless.ts';
import { createSettingsDeps } from './deps/settings.ts';
import { createSmsDeps } from './deps/sms.ts';
import type { Deps, DepsOverrides } from './deps/types.ts';
import { AdminService } from './flows/admin/service.ts';
import { ConfirmationService } from './flows/confirmation/service.ts';
import { LinkTokens } from './flows/link-tokens.ts';
import { DeviceCookies } from './flows/login/device-cookies.ts';
import { LoginService } from './flows/login/service.ts';
import { SessionService } from './flows/login/session-service.ts';
import { LoginThrottle } from './flows/login/throttle.ts';
import { MailCodeRecoveryMethod, SmsCodeRecoveryMethod } from './flows/recovery/code-methods.ts';
import { LinkRecoveryMethod } from './flows/recovery/methods.ts';
import { RecoveryService } from './flows/recovery/service.ts';
import { RegistrationService } from './flows/registration/service.ts';
import { UsernameReminderService } from './flows/username/service.ts';
import { configureLocales } from './i18n/index.ts';
import { systemClock } from './kernel/clock.ts';
import { cryptoRandom } from './kernel/random.ts';
import { Metrics } from './metrics/metrics.ts';
import { createRateLimits, memoryBackend } from './rate-limits/rate-limits.ts';
import { RedisLimitBackend } from './rate-limits/redis-backend.ts';
import { openDatabase } from './store/database.ts';
import { Store } from './store/store.ts';
import { pageBrand } from './views/brand.ts';

export type { Deps, DepsOverrides };

/** The composition root: every service built once from the config, nothing global. */
export function createDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Deps {
  configureLocales(config.i18n);
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
  const hasher = new Argon2Hasher({
    concurrency: config.hashConcurrency,
    queueLimit: config.hashQueueLimit,
    pepperBox: pepperBoxOf(new SecretBox(keyring)),
  });
  const limits =
    overrides.limits ??
    createRateLimits(
      config.rateLimits,
      keyring,
      config.redisUrl ? new RedisLimitBackend({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger }) : memoryBackend,
      { ipv6SubnetPrefix: config.ipv6SubnetPrefix },
    );
  const passwordPolicy = { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength };
  const breachedPasswords = config.breachCheck.enabled
    ? new HibpBreachedPasswords({ url: config.breachCheck.url, timeoutMs: config.breachCheck.timeoutMs, logger })
    : noBreachCheck;
  const mailChannel =
    overrides.mailChannel ??
    (config.smtpUrl
      ? new SmtpChannel(config.smtpUrl, { maxConnections: config.smtpMaxConnections })
      : new DevMailboxChannel(join(config.dataDir, 'mailbox'), logger));
  const brand = pageBrand(config.brand);
  const mailContext = {
    publicUrl: config.publicUrl,
    productName: config.brand.name,
    logoUrl: brand.logoPath && publicLink(config.publicUrl, brand.logoPath),
    accent: config.brand.accent?.accent,
  };
  const { handler: smsHandler, ...sms } = createSmsDeps({
    config,
    logger,
    outbox,
    limits,
    context: mailContext,
    channel: overrides.smsChannel,
  });

  const account = config.account;
  const links = new LinkTokens({ digester, random, clock, limits });
  const sessions = new SessionService({
    store,
    clock,
    random,
    settings: {
      sessionTtlSeconds: config.sessionTtlSeconds,
      browserSessionTtlSeconds: account.browserSessionTtlSeconds,
      sessionIdleTimeoutSeconds: account.sessionIdleTimeoutSeconds,
      recentAuthSeconds: account.recentAuthSeconds,
    },
  });
  const mfa = createMfaDeps({
    store,
    keyring,
    digester,
    random,
    clock,
    sessions,
    smsAvailable: () => sms.smsAvailable,
    passkeysEnabled: config.account.passkeys === 'on',
    sms: sms.smsSender,
    codeTtlSeconds: config.codeTtlSeconds,
    outbox,
    limits,
    issuer: config.brand.name,
  });
  const passkeys = createPasskeyDeps({ config, store, digester, random, clock, sessions, secondStep: mfa.secondStep, outbox });
  const deviceCookies = new DeviceCookies({ box: new SecretBox(keyring), clock, random });
  const throttle = new LoginThrottle({
    store,
    clock,
    limits,
    devices: deviceCookies,
    settings: { after: account.loginThrottleAfter, maxDelaySeconds: account.loginThrottleMaxDelaySeconds },
  });
  const login = new LoginService({
    store,
    hasher,
    sessions,
    limits,
    clock,
    throttle,
    secondFactors: overrides.secondFactors ?? mfa.factors,
    secondStep: mfa.secondStep,
    confirmEmail: account.confirmEmail,
    usernames: account.usernames,
  });
  // Outside production, requested mails that a limit dropped are logged (flows/mail-request.ts).
  const devLog = config.nodeEnv === 'production' ? undefined : logger;
  const confirmation = new ConfirmationService({
    store,
    outbox,
    links,
    clock,
    limits,
    mode: account.confirmEmail,
    ttlSeconds: account.confirmTokenTtlSeconds,
    devLog,
  });
  const registration = new RegistrationService({
    store,
    outbox,
    hasher,
    clock,
    limits,
    passwordPolicy,
    confirmation,
    usernames: account.usernames,
    passwordOptional: account.passwordOptional,
    breachedPasswords,
  });
  const recovery = new RecoveryService({
    store,
    outbox,
    hasher,
    links,
    clock,
    limits,
    devLog,
    passwordPolicy,
    breachedPasswords,
    methods: {
      link: new LinkRecoveryMethod({
        links,
        outbox,
        clock,
        ttlSeconds: config.resetTokenTtlSeconds,
        inviteTtlSeconds: config.inviteTtlSeconds,
      }),
      code: new MailCodeRecoveryMethod({ codes: mfa.codes, outbox, clock }),
      sms: new SmsCodeRecoveryMethod({ codes: mfa.codes, clock, sms: sms.smsSender }),
    },
    enabledMethods: account.recoveryMethods,
    codes: mfa.codes,
    sessions,
    loginThrottle: throttle,
  });
  const passwordless = createPasswordlessDeps({
    config,
    devLog,
    store,
    outbox,
    links,
    codes: mfa.codes,
    clock,
    limits,
    sessions,
    secondStep: mfa.secondStep,
  });
  const { passwordChange, emailChange, mfaEnrol, reauth } = createSettingsDeps({
    store,
    outbox,
    hasher,
    links,
    sessions,
    throttle,
    recovery,
    rememberedDevices: overrides.rememberedDevices ?? mfa.factors,
    clock,
    limits,
    passwordPolicy,
    breachedPasswords,
    account,
    mfa,
    passkeysEnabled: passkeys.enabled,
  });
  const usernameReminder = new UsernameReminderService({ store, outbox, limits, devLog });
  const admin = new AdminService({ store, clock, recovery, sessions, context: { ip: null, userAgent: 'latchkey-cli' } });

  const metrics = new Metrics({
    outboxQueueDepth: () => store.outbox.countQueued(),
    outboxOldestQueuedAgeSeconds: () => store.outbox.oldestQueuedAgeSeconds(clock.nowMs()),
    hashQueueLength: () => hasher.queueLength,
    legacyPasswordHashes: () => store.users.countLegacyPasswordHashes(),
  });
  const courier = createCourier({
    config,
    logger,
    clock,
    store,
    storageFaults: database.faults,
    outbox,
    metrics,
    mailChannel,
    mailContext,
    handlers: {
      'password-reset-request': (job) => recovery.handleResetRequest(job),
      'confirmation-resend-request': (job) => confirmation.handleResendRequest(job),
      'username-reminder-request': (job) => usernameReminder.handleReminderRequest(job),
      'login-link-request': (job) => passwordless.handleRequest(job),
      sms: smsHandler,
    },
  });

  const oidc = createOidcDeps({ config, logger, clock, random, store, keyring, sessions, ports: overrides.oidc });

  return {
    config,
    brand,
    logger,
    clock,
    random,
    database,
    store,
    keyring,
    digester,
    outbox,
    hasher,
    limits,
    mailChannel,
    ...sms,
    courier,
    metrics,
    sessions,
    deviceCookies,
    login,
    registration,
    recovery,
    confirmation,
    passwordChange,
    emailChange,
    reauth,
    usernameReminder,
    admin,
    oidc,
    mfa,
    mfaEnrol,
    passkeys,
    passwordless,
  };
}
