import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { MailChannel } from '../courier/channels.ts';
import type { Outbox } from '../courier/outbox.ts';
import type { SmsChannel } from '../courier/sms-channels.ts';
import type { CourierWorker } from '../courier/worker.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { PasswordHasher } from '../crypto/passwords/hasher.ts';
import type { TokenDigester } from '../crypto/tokens.ts';
import type { AdminService } from '../flows/admin/service.ts';
import type { ConfirmationService } from '../flows/confirmation/service.ts';
import type { DeviceCookies } from '../flows/login/device-cookies.ts';
import type { RememberedDevices } from '../flows/login/remembered-devices.ts';
import type { SecondFactorGate } from '../flows/login/second-factor.ts';
import type { LoginService } from '../flows/login/service.ts';
import type { SessionService } from '../flows/login/session-service.ts';
import type { MfaEnrolService } from '../flows/mfa/enrol-service.ts';
import type { PasswordlessService } from '../flows/passwordless/service.ts';
import type { ReauthService } from '../flows/reauth/service.ts';
import type { RecoveryService } from '../flows/recovery/service.ts';
import type { RegistrationService } from '../flows/registration/service.ts';
import type { EmailChangeService } from '../flows/settings/email-change.ts';
import type { PasswordChangeService } from '../flows/settings/password-change.ts';
import type { UsernameReminderService } from '../flows/username/service.ts';
import type { Clock } from '../kernel/clock.ts';
import type { RandomSource } from '../kernel/random.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import type { DatabaseHandle } from '../store/database.ts';
import type { Store } from '../store/store.ts';
import type { PageBrand } from '../views/brand.ts';
import type { MfaDeps } from './mfa.ts';
import type { OidcDeps, OidcPorts } from './oidc.ts';
import type { PasskeyDeps } from './passkeys.ts';
import type { SmsDeps } from './sms.ts';

/** What the composition root (src/deps.ts) builds: every service, once. */
export interface Deps extends SmsDeps {
  config: Config;
  /** The brand on pages and in mails (BRAND_*, THEME_CSS), its files hashed once. */
  brand: PageBrand;
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
  /** "Confirm it is you": recent authentication by password, emailed code or passkey. */
  reauth: ReauthService;
  usernameReminder: UsernameReminderService;
  admin: AdminService;
  /** The OpenID Connect provider and its storage, signing keys and client registry. */
  oidc: OidcDeps;
  /** Second factors (TOTP, recovery codes) and one-time codes. */
  mfa: MfaDeps;
  /** Turning two-step sign-in on and off, recovery codes, the admin reset. */
  mfaEnrol: MfaEnrolService;
  /** Passkeys (WebAuthn): ceremonies, sign-in, second step, settings. */
  passkeys: PasskeyDeps;
  /** Sign-in by a mailed link or code (PASSWORDLESS). */
  passwordless: PasswordlessService;
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
