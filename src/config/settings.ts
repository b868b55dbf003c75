import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './parse.ts';

/**
 * Every setting loadConfig reads, by its environment-variable name (README, "Configuration").
 * The library entry takes the same names in an object; a unit test fails when loadConfig reads a
 * name this list lacks, so a new setting is added here with its README row.
 */
export const SETTING_NAMES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'ALLOWED_ORIGINS',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'METRICS_TOKEN',
  'API_DOCS',
  'LOCALES',
  'DEFAULT_LOCALE',
  'I18N_PSEUDO_LOCALE',
  'DATA_DIR',
  'SMTP_URL',
  'MAIL_FROM',
  'BRAND_NAME',
  'BRAND_LOGO',
  'BRAND_COLOR',
  'THEME_CSS',
  'TEMPLATES_DIR',
  'SMTP_MAX_CONNECTIONS',
  'SMS_URL',
  'SMS_TOKEN',
  'TWILIO_API_BASE_URL',
  'SMS_COUNTRIES',
  'DEFAULT_PHONE_COUNTRY',
  'SECRET_KEYS',
  'RESET_TOKEN_TTL',
  'INVITE_TTL',
  'CODE_TTL',
  'SESSION_TTL',
  'TRUST_PROXY',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'PASSWORD_MIN_LENGTH',
  'PASSWORD_MAX_LENGTH',
  'PASSWORD_BREACH_CHECK',
  'HIBP_URL',
  'HIBP_TIMEOUT_MS',
  'HASH_CONCURRENCY',
  'HASH_QUEUE_LIMIT',
  'RATE_LIMIT_FORGOT_IP',
  'RATE_LIMIT_FORGOT_EMAIL',
  'RATE_LIMIT_LOGIN_IP',
  'RATE_LIMIT_LOGIN_ACCOUNT',
  'RATE_LIMIT_LOGIN_DEVICE',
  'RATE_LIMIT_REGISTER_IP',
  'RATE_LIMIT_TOKEN_IP',
  'RATE_LIMIT_REAUTH_SESSION',
  'RATE_LIMIT_REAUTH_ACCOUNT',
  'RATE_LIMIT_SECOND_FACTOR_ACCOUNT',
  'RATE_LIMIT_SMS_NUMBER',
  'RATE_LIMIT_SMS_ACCOUNT',
  'IPV6_SUBNET_PREFIX',
  'RETURN_TO_ALLOWED',
  'COOKIE_DOMAIN',
  'COURIER_INLINE',
  'COURIER_POLL_MS',
  'COURIER_MAX_ATTEMPTS',
  'COURIER_CONCURRENCY',
  'CLEANUP_INTERVAL',
  'TOKEN_RETENTION',
  'OUTBOX_RETENTION',
  'AUDIT_RETENTION',
  'CONFIRM_EMAIL',
  'CONFIRM_TOKEN_TTL',
  'EMAIL_CHANGE_TOKEN_TTL',
  'EMAIL_CHANGE_UNDO_TTL',
  'RECENT_AUTH_TTL',
  'SESSION_BROWSER_TTL',
  'SESSION_IDLE_TIMEOUT',
  'AUTO_LOGIN_AFTER_RESET',
  'RECOVERY_METHODS',
  'USERNAMES',
  'LOGIN_THROTTLE_AFTER',
  'LOGIN_THROTTLE_MAX_DELAY',
  'PASSWORDLESS',
  'PASSWORD_OPTIONAL',
  'PASSKEYS',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

/** A setting's value: as the environment would hold it, or a number, boolean or list (joined with commas). */
export type SettingValue = string | number | boolean | readonly string[];

/** Settings by their environment-variable names, e.g. `{ PUBLIC_URL: 'https://example.com/auth', SECRET_KEYS: [key] }`. */
export type LatchkeySettings = Partial<Record<SettingName, SettingValue>>;

/**
 * A Config from a settings object instead of the environment: the same validation and the same
 * messages naming each bad variable (ConfigError), plus one for names that are no setting.
 * Nothing is read from process.env or .env.
 */
export function configFromSettings(settings: LatchkeySettings, options: { cwd?: string } = {}): Config {
  const known = new Set<string>(SETTING_NAMES);
  const problems: string[] = [];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (!known.has(name)) {
      problems.push(`"${name}" is not a Latchkey setting (settings are named like the environment variables in the README)`);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      env[name] = String(value);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      env[name] = value.join(',');
    } else {
      problems.push(`${name} must be a string, number, boolean or list of strings`);
    }
  }
  let config: Config;
  try {
    config = loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...problems, ...error.problems]);
    throw error;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
