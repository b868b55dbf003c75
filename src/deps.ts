import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { DevMailboxChannel, type MailChannel, SmtpChannel } from './courier/channels.ts';
import { Outbox } from './courier/outbox.ts';
import type { SmsChannel } from './courier/sms-channels.ts';
import { renderMail } from './courier/templates/render.ts';
import { CourierWorker } from './courier/worker.ts';
import { Keyring } from './crypto/keyring.ts';
import { Argon2Hasher, type PasswordHasher, pepperBoxOf } from './crypto/passwords/hasher.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { TokenDigester } from './crypto/tokens.ts';
import { createMfaDeps, type MfaDeps } from './deps/mfa.ts';
import { createOidcDeps, type OidcDeps, type OidcPorts } from './deps/oidc.ts';
import { createSmsDeps, type SmsDeps } from './deps/sms.ts';
import { AdminService } from './flows/admin/service.ts';
import { ConfirmationService } from './flows/confirmation/service.ts';
import { LinkTokens } from './flows/link-tokens.ts';
import { DeviceCookies } from './flows/login/device-cookies.ts';
import type { RememberedDevices } from './flows/login/remembered-devices.ts';
import type { SecondFactorGate } from './flows/login/second-factor.ts';
import { LoginService } from './flows/login/service.ts';
import { SessionService } from './flows/login/session-service.ts';
import { LoginThrottle } from './flows/login/throttle.ts';
import { MfaEnrolService } from './flows/mfa/enrol-service.ts';
import { MailCodeRecoveryMethod, SmsCodeRecoveryMethod } from './flows/recovery/code-methods.ts';
import { LinkRecoveryMethod } from './flows/recovery/methods.ts';
import { RecoveryService } from './flows/recovery/service.ts';
import { RegistrationService } from './flows/registration/service.ts';
import { EmailChangeService } from './flows/settings/email-change.ts';
import { PasswordChangeService } from './flows/settings/password-change.ts';
import { UsernameReminderService } from './flows/username/service.ts';
import { type Clock, systemClock } from './kernel/clock.ts';
import { cryptoRandom, type RandomSource } from './kernel/random.ts';
import { Metrics } from './metrics/metrics.ts';
import { createRateLimits, memoryBackend, type RateLimits } from './rate-limits/rate-limits.ts';
import { RedisLimitBackend } from './rate-limits/redis-backend.ts';
import { type DatabaseHandle, openDatabase } from './store/database.ts';
import { Store } from './store/store.ts';

export interface Deps extends SmsDeps {
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
  /** Sealed device cookies: a browser that signed in before is judged by its own failures (S29). */
  deviceCookies: DeviceCookies;
  login: LoginService;
  registration: RegistrationService;
  recovery: RecoveryService;
  confirmation: ConfirmationService;
  passwordChange: PasswordChangeService;
  emailChange: EmailChangeService;
  usernameReminder: UsernameReminderService;
  admin: AdminService;
  /** The OpenID Connect provider and its storage, signing keys and client registry. */
  oidc: OidcDeps;
  /** Second factors (TOTP, recovery codes) and one-time codes. */
  mfa: MfaDeps;
  /** Turning two-step sign-in on and off, recovery codes, the admin reset. */
  mfaEnrol: MfaEnrolService;
}

export interface DepsOverrides {
  clock?: Clock;
  random?: RandomSource;
  database?: DatabaseHandle;
  mailChannel?: MailChannel;
  /** Where SMS go instead of SMS_URL's provider or the dev SMS box. */
  smsChannel?: SmsChannel;
  limits?: RateLimits;
  /** Who has a second factor (by default: whoever confirmed an authenticator app). */
  secondFactors?: SecondFactorGate;
  /** Remembered browsers ("remember this device"), forgotten when an email change is undone. */
  rememberedDevices?: RememberedDevices;
  /** The OpenID Connect storage ports (by default the database ones, sealed under SECRET_KEYS). */
  oidc?: OidcPorts;
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
  const mailChannel =
    overrides.mailChannel ??
    (config.smtpUrl ? new SmtpChannel(config.smtpUrl) : new DevMailboxChannel(join(config.dataDir, 'mailbox'), logger));
  const mailContext = { publicUrl: config.publicUrl, productName: 'Latchkey' };
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
    sms: sms.smsSender,
    codeTtlSeconds: config.codeTtlSeconds,
    outbox,
    limits,
  });
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
  const confirmation = new ConfirmationService({
    store,
    outbox,
    links,
    clock,
    limits,
    mode: account.confirmEmail,
    ttlSeconds: account.confirmTokenTtlSeconds,
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
  });
  const recovery = new RecoveryService({
    store,
    outbox,
    hasher,
    links,
    clock,
    limits,
    passwordPolicy,
    methods: {
      link: new LinkRecoveryMethod({ links, outbox, clock, ttlSeconds: config.resetTokenTtlSeconds }),
      code: new MailCodeRecoveryMethod({ codes: mfa.codes, outbox, clock }),
      sms: new SmsCodeRecoveryMethod({ codes: mfa.codes, clock, sms: sms.smsSender }),
    },
    enabledMethods: account.recoveryMethods,
    codes: mfa.codes,
    sessions,
    loginThrottle: throttle,
  });
  const passwordChange = new PasswordChangeService({ store, outbox, hasher, sessions, throttle, clock, limits, passwordPolicy });
  const emailChange = new EmailChangeService({
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
    confirmTtlSeconds: account.emailChangeTokenTtlSeconds,
    undoTtlSeconds: account.emailChangeUndoTtlSeconds,
  });
  const mfaEnrol = new MfaEnrolService({
    store,
    outbox,
    mfa,
    sessions,
    reauthenticate: (auth, password, context) => emailChange.reauthenticate(auth, password, context),
    clock,
    limits,
  });
  const usernameReminder = new UsernameReminderService({ store, outbox, limits });
  const admin = new AdminService({ store, clock, recovery, sessions, context: { ip: null, userAgent: 'latchkey-cli' } });

  const metrics = new Metrics({
    outboxQueueDepth: () => store.outbox.countQueued(),
    hashQueueLength: () => hasher.queueLength,
    legacyPasswordHashes: () => store.users.countLegacyPasswordHashes(),
  });
  const courier = new CourierWorker(
    store.outbox,
    outbox,
    {
      mail: async (message, meta) => {
        const rendered = renderMail(message, mailContext);
        await mailChannel.send({ ...rendered, to: message.to, from: config.mailFrom, messageId: meta.messageId });
      },
      'password-reset-request': (job) => recovery.handleResetRequest(job),
      'confirmation-resend-request': (job) => confirmation.handleResendRequest(job),
      'username-reminder-request': (job) => usernameReminder.handleReminderRequest(job),
      sms: smsHandler,
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

  const oidc = createOidcDeps({ config, logger, clock, random, store, keyring, sessions, ports: overrides.oidc });

  return {
    config,
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
    usernameReminder,
    admin,
    oidc,
    mfa,
    mfaEnrol,
  };
}
