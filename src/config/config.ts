import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { MIN_SECRET_KEY_LENGTH } from '../crypto/keyring.ts';
import { type AccountSettings, readAccountSettings } from './account-config.ts';
import { type BrandSettings, readBrandSettings } from './brand-config.ts';
import { type BreachCheckSettings, readBreachCheckSettings } from './breach-config.ts';
import { type DatabaseTarget, parseDatabaseUrl } from './database-url.ts';
import { readOrCreateDevSecret } from './dev-secret.ts';
import { parseCookieDomain, parseOrigin, parseTrustProxy } from './http-config.ts';
import { type LocaleSettings, readLocaleSettings } from './locale-config.ts';
import { ConfigError, type Env, EnvReader, type RateLimitSetting } from './parse.ts';
import { readPublicLocation } from './public-url.ts';
import { readSmsSettings, type SmsSettings } from './sms-config.ts';

export interface RateLimits {
  forgotPerIp: RateLimitSetting;
  forgotPerEmail: RateLimitSetting;
  loginPerIp: RateLimitSetting;
  loginPerAccount: RateLimitSetting;
  /** Failed sign-ins per device cookie: a browser the account has seen is judged by its own failures. */
  loginPerDevice: RateLimitSetting;
  registerPerIp: RateLimitSetting;
  tokenPerIp: RateLimitSetting;
  /** Password verifications per signed-in session (re-authentication, email and password change). */
  reauthPerSession: RateLimitSetting;
  /** Password verifications per account, over all its sessions. */
  reauthPerAccount: RateLimitSetting;
  /** Second-factor codes entered per account, over all its pending sign-ins (distributed guessing). */
  secondFactorPerAccount: RateLimitSetting;
  /** SMS per phone number, whoever asks (anti SMS-pumping). */
  smsPerNumber: RateLimitSetting;
  /** SMS per account, to whatever number. */
  smsPerAccount: RateLimitSetting;
}

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** PUBLIC_URL: the origin plus the base path (`https://example.com/auth`), or the origin and "/". */
  readonly publicUrl: URL;
  /**
   * The path Latchkey is served under ("" or e.g. "/auth", from PUBLIC_URL). Routes, views and
   * redirects use app paths; src/http/base-path.ts adds and strips this at the edge (docs/base-path.md).
   */
  readonly basePath: string;
  /** Origins allowed to send credentialed API requests (PUBLIC_URL's origin is always one). */
  readonly allowedOrigins: readonly string[];
  /** Origins an absolute `return_to` may point to (PUBLIC_URL's origin is always one): RETURN_TO_ALLOWED. */
  readonly returnToAllowedOrigins: readonly string[];
  /** COOKIE_DOMAIN: the session cookie's Domain (e.g. ".example.com"), so subdomains share one sign-in. */
  readonly cookieDomain: string | undefined;
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Raw secret keys: the first signs, all verify. */
  readonly secretKeys: readonly string[];
  /** True when the key was generated into DATA_DIR because SECRET_KEYS was not set. */
  readonly secretKeysGenerated: boolean;
  readonly resetTokenTtlSeconds: number;
  /** INVITE_TTL: lifetime of the link an account created by an administrator gets to choose its password. */
  readonly inviteTtlSeconds: number;
  /** CODE_TTL: lifetime of one-time codes (reset, sign-in and phone codes), S5. */
  readonly codeTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly trustProxy: string | number | boolean;
  readonly logLevel: string;
  /** LOG_FORMAT: `auto` is pretty in development on a terminal, JSON otherwise (logger.ts, chooseLogFormat). */
  readonly logFormat: 'auto' | 'pretty' | 'json';
  readonly passwordMinLength: number;
  readonly passwordMaxLength: number;
  readonly hashConcurrency: number;
  readonly hashQueueLimit: number;
  readonly rateLimits: RateLimits;
  /** Leading bits of an IPv6 address that name one client for per-IP limits (IPV6_SUBNET_PREFIX). */
  readonly ipv6SubnetPrefix: number;
  readonly courierInline: boolean;
  readonly courierPollMs: number;
  readonly courierMaxAttempts: number;
  /** Outbox messages one courier handles at once (COURIER_CONCURRENCY). */
  readonly courierConcurrency: number;
  /** SMTP connections the pool keeps open at most (SMTP_MAX_CONNECTIONS). */
  readonly smtpMaxConnections: number;
  readonly cleanupIntervalSeconds: number;
  readonly tokenRetentionSeconds: number;
  readonly outboxRetentionSeconds: number;
  /** Security events (audit_events) older than this many days are deleted by cleanup. */
  readonly auditRetentionDays: number;
  readonly devMailbox: boolean;
  /** SMS_URL and the phone settings (sms-config.ts); `sms.available` is false in production without SMS_URL. */
  readonly sms: SmsSettings;
  /** Confirmation, email change, sessions, reset options, usernames, throttling (account-config.ts). */
  readonly account: AccountSettings;
  /** PASSWORD_BREACH_CHECK, HIBP_URL, HIBP_TIMEOUT_MS (breach-config.ts). */
  readonly breachCheck: BreachCheckSettings;
  /** LOCALES, DEFAULT_LOCALE, I18N_PSEUDO_LOCALE (locale-config.ts). */
  readonly i18n: LocaleSettings;
  /** redis:// or rediss:// URL: rate limits are shared by every node through it. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  readonly redisKeyPrefix: string;
  /** Bearer token that /metrics requires; without it /metrics is off. */
  readonly metricsToken: string | undefined;
  /** API_DOCS: the HTML reference at /api/docs (on by default outside production); /api/openapi.json is always served. */
  readonly apiDocs: boolean;
  /** BRAND_NAME, BRAND_LOGO, BRAND_COLOR, THEME_CSS, TEMPLATES_DIR (brand-config.ts, README "Theming"). */
  readonly brand: BrandSettings;
}

const DAY = 86_400;

/** Reads the environment into a validated, frozen Config; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env, options: { cwd?: string } = {}): Config {
  const read = new EnvReader(env);
  const nodeEnv = read.oneOf('NODE_ENV', 'development', ['development', 'production', 'test'] as const);
  const dataDir = resolve(options.cwd ?? process.cwd(), read.string('DATA_DIR', './data'));
  const { publicUrl, basePath } = readPublicLocation(read);
  const database = parseDatabaseUrl(read, options.cwd ?? process.cwd());
  const smtpUrl = read.raw('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl)) {
    read.problems.push('SMTP_URL must start with smtp:// or smtps://');
  }
  const brand = readBrandSettings(read, options.cwd ?? process.cwd());
  const mailFrom = read.string('MAIL_FROM', `${displayName(brand.name)} <no-reply@${publicUrl.hostname}>`);
  if (/[\r\n]/.test(mailFrom)) read.problems.push('MAIL_FROM must be a single line');

  const allowedOrigins = [publicUrl.origin];
  for (const origin of (read.raw('ALLOWED_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      allowedOrigins.push(new URL(origin).origin);
    } catch {
      read.problems.push(`ALLOWED_ORIGINS must be a comma-separated list of origins, "${origin}" is not one`);
    }
  }

  const returnToAllowedOrigins = [publicUrl.origin];
  for (const entry of (read.raw('RETURN_TO_ALLOWED') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const origin = parseOrigin(entry);
    if (origin === undefined) {
      read.problems.push(
        `RETURN_TO_ALLOWED must be a comma-separated list of http(s) origins such as https://app.example.com, "${entry}" is not one`,
      );
    } else if (!returnToAllowedOrigins.includes(origin)) returnToAllowedOrigins.push(origin);
  }
  const cookieDomain = parseCookieDomain(read, publicUrl);

  const secretKeysRaw = read.raw('SECRET_KEYS');
  let secretKeys: string[] = [];
  let secretKeysGenerated = false;
  if (secretKeysRaw !== undefined) {
    secretKeys = secretKeysRaw.split(',').map((k) => k.trim());
    if (secretKeys.some((k) => k.length < MIN_SECRET_KEY_LENGTH)) {
      read.problems.push(
        `SECRET_KEYS must be a comma-separated list of keys, each at least ${MIN_SECRET_KEY_LENGTH} characters (e.g. \`openssl rand -base64 32\`)`,
      );
    }
  } else if (nodeEnv === 'production') {
    read.problems.push(
      'SECRET_KEYS is required when NODE_ENV=production (a comma-separated list of random keys of at least 32 characters)',
    );
  } else {
    const generated = readOrCreateDevSecret(dataDir);
    if (generated.key.length < MIN_SECRET_KEY_LENGTH) {
      read.problems.push(
        `${generated.file} holds a key of ${generated.key.length} characters, fewer than the ${MIN_SECRET_KEY_LENGTH} every key needs: delete the file to have a new key generated, or set SECRET_KEYS`,
      );
    } else {
      secretKeys = [generated.key];
    }
    secretKeysGenerated = true;
  }

  const redisUrl = read.raw('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    read.problems.push('REDIS_URL must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379');
  }
  const redisKeyPrefix = read.string('REDIS_KEY_PREFIX', 'latchkey');
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(redisKeyPrefix)) {
    read.problems.push('REDIS_KEY_PREFIX must be 1-64 letters, digits, ":", "_", "." or "-"');
  }
  const metricsToken = read.raw('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    read.problems.push('METRICS_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 16`)');
  }

  const trustProxy = parseTrustProxy(read);
  const passwordMinLength = read.integer('PASSWORD_MIN_LENGTH', 8, 8, 128, ' characters');
  const passwordMaxLength = read.integer('PASSWORD_MAX_LENGTH', 128, 64, 1024, ' characters');

  const config: Config = {
    nodeEnv,
    port: read.integer('PORT', 3000, 0, 65535),
    host: read.string('HOST', '127.0.0.1'),
    publicUrl,
    basePath,
    allowedOrigins,
    returnToAllowedOrigins,
    cookieDomain,
    dataDir,
    database,
    smtpUrl,
    mailFrom,
    secretKeys,
    secretKeysGenerated,
    resetTokenTtlSeconds: read.integer('RESET_TOKEN_TTL', 3600, 60, 7 * DAY, ' seconds'),
    inviteTtlSeconds: read.integer('INVITE_TTL', 7 * DAY, 3600, 30 * DAY, ' seconds'),
    codeTtlSeconds: read.integer('CODE_TTL', 600, 60, 3600, ' seconds'),
    sessionTtlSeconds: read.integer('SESSION_TTL', 14 * DAY, 300, 365 * DAY, ' seconds'),
    trustProxy,
    logLevel: read.oneOf('LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    logFormat: read.oneOf('LOG_FORMAT', 'auto', ['auto', 'pretty', 'json'] as const),
    passwordMinLength,
    passwordMaxLength,
    hashConcurrency: read.integer('HASH_CONCURRENCY', Math.max(1, availableParallelism()), 1, 256),
    hashQueueLimit: read.integer('HASH_QUEUE_LIMIT', 64, 0, 100_000),
    rateLimits: {
      forgotPerIp: read.rate('RATE_LIMIT_FORGOT_IP', { points: 20, durationSeconds: 3600 }),
      forgotPerEmail: read.rate('RATE_LIMIT_FORGOT_EMAIL', { points: 5, durationSeconds: 3600 }),
      loginPerIp: read.rate('RATE_LIMIT_LOGIN_IP', { points: 100, durationSeconds: 900 }),
      loginPerAccount: read.rate('RATE_LIMIT_LOGIN_ACCOUNT', { points: 10, durationSeconds: 900 }),
      loginPerDevice: read.rate('RATE_LIMIT_LOGIN_DEVICE', { points: 10, durationSeconds: 900 }),
      registerPerIp: read.rate('RATE_LIMIT_REGISTER_IP', { points: 20, durationSeconds: 3600 }),
      tokenPerIp: read.rate('RATE_LIMIT_TOKEN_IP', { points: 20, durationSeconds: 900 }),
      reauthPerSession: read.rate('RATE_LIMIT_REAUTH_SESSION', { points: 10, durationSeconds: 900 }),
      reauthPerAccount: read.rate('RATE_LIMIT_REAUTH_ACCOUNT', { points: 30, durationSeconds: 900 }),
      secondFactorPerAccount: read.rate('RATE_LIMIT_SECOND_FACTOR_ACCOUNT', { points: 20, durationSeconds: 900 }),
      smsPerNumber: read.rate('RATE_LIMIT_SMS_NUMBER', { points: 5, durationSeconds: 3600 }),
      smsPerAccount: read.rate('RATE_LIMIT_SMS_ACCOUNT', { points: 20, durationSeconds: 86_400 }),
    },
    ipv6SubnetPrefix: read.integer('IPV6_SUBNET_PREFIX', 64, 32, 128, ' bits'),
    courierInline: read.boolean('COURIER_INLINE', true),
    courierPollMs: read.integer('COURIER_POLL_MS', 1000, 50, 60_000, ' ms'),
    courierMaxAttempts: read.integer('COURIER_MAX_ATTEMPTS', 8, 1, 100),
    courierConcurrency: read.integer('COURIER_CONCURRENCY', 10, 1, 200),
    smtpMaxConnections: read.integer('SMTP_MAX_CONNECTIONS', 5, 1, 100),
    cleanupIntervalSeconds: read.integer('CLEANUP_INTERVAL', 3600, 0, 30 * DAY, ' seconds (0 turns the schedule off)'),
    tokenRetentionSeconds: read.integer('TOKEN_RETENTION', 7 * DAY, 0, 365 * DAY, ' seconds'),
    outboxRetentionSeconds: read.integer('OUTBOX_RETENTION', 30 * DAY, 0, 365 * DAY, ' seconds'),
    auditRetentionDays: read.integer('AUDIT_RETENTION', 365, 1, 3650, ' days'),
    devMailbox: smtpUrl === undefined && nodeEnv !== 'production',
    sms: readSmsSettings(read, nodeEnv),
    account: readAccountSettings(read),
    breachCheck: readBreachCheckSettings(read),
    i18n: readLocaleSettings(read),
    redisUrl,
    redisKeyPrefix,
    metricsToken,
    apiDocs: read.oneOf('API_DOCS', nodeEnv === 'production' ? 'off' : 'on', ['on', 'off'] as const) === 'on',
    brand,
  };
  if (passwordMinLength > passwordMaxLength) {
    read.problems.push('PASSWORD_MIN_LENGTH must not be greater than PASSWORD_MAX_LENGTH');
  }
  if (nodeEnv === 'production' && smtpUrl === undefined) {
    read.problems.push('SMTP_URL is required when NODE_ENV=production (e.g. smtp://user:pass@mail.example.com:587)');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

/** BRAND_NAME as the display name of the default sender: quoted when it holds more than letters, digits and spaces. */
function displayName(name: string): string {
  return /^[\p{L}\p{N} ]+$/u.test(name) ? name : `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
