import type { SmsSettings } from '../../config/sms-config.ts';
import type { Outbox } from '../../courier/outbox.ts';
import { renderSmsCode } from '../../courier/templates/sms.ts';
import type { MailContext } from '../../courier/templates/types.ts';
import { defaultLocale, withLocale } from '../../i18n/index.ts';
import { type PhoneNumber, type PhoneProblem, parsePhone } from '../../kernel/phone-number.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import { reserveAttempt } from '../attempts.ts';

/**
 * Why an SMS was not queued. Flows that must answer the same for everyone (forgot password,
 * second-factor send) drop it silently; flows where the user typed the number (adding a phone)
 * show it.
 *  - SMS_UNAVAILABLE: production without SMS_URL; offer no SMS method at all (`available`).
 *  - PHONE_INVALID / PHONE_NOT_MOBILE / PHONE_COUNTRY_NOT_ALLOWED: the number (SMS_COUNTRIES).
 *  - RATE_LIMITED: RATE_LIMIT_SMS_NUMBER or RATE_LIMIT_SMS_ACCOUNT is spent (`retryAfterSeconds`).
 */
export type SmsRefusal = 'SMS_UNAVAILABLE' | PhoneProblem | 'RATE_LIMITED';

export interface SmsRequest {
  /** The account the SMS is sent for: counted against RATE_LIMIT_SMS_ACCOUNT. */
  userId: string;
  /** The recipient in E.164 (a verified phone, or one that `parse` accepted). */
  to: string;
}

/**
 * A code to text: `locale` is the recipient account's language (users.locale), the SMS's
 * language, never the language of the request that asked for it; absent: DEFAULT_LOCALE.
 */
export interface SmsCodeRequest extends SmsRequest {
  code: string;
  locale?: string | null | undefined;
}

/**
 * The one way flows send an SMS (anti SMS-pumping lives here, so no flow can forget it):
 *
 *     const sent = await deps.smsSender.sendCode(tx, { userId, to: user.phone, code, locale: user.locale });
 *     // after the transaction commits: deps.outbox.wake()
 *
 * Each send checks the number against SMS_COUNTRIES, takes a point of the per-number and the
 * per-account limits (a refused second limit gives the first point back), and only then queues an
 * `sms` outbox message in the caller's transaction, sealed like mail; the courier delivers it
 * through SMS_URL's provider or the dev SMS box. Points are not given back when the caller's
 * transaction rolls back: a failed attempt to send still counts.
 */
export class SmsSender {
  constructor(
    private readonly deps: {
      outbox: Outbox;
      limits: RateLimits;
      settings: SmsSettings;
      /** Product name and PUBLIC_URL (the WebOTP line), as mails use them. */
      context: MailContext;
    },
  ) {}

  /** False in production without SMS_URL: SMS methods are then not offered at all. */
  get available(): boolean {
    return this.deps.settings.available;
  }

  /** A typed phone number in E.164 under DEFAULT_PHONE_COUNTRY and SMS_COUNTRIES (see parsePhone). */
  parse(input: string): Result<PhoneNumber, PhoneProblem> {
    return parsePhone(input, { defaultCountry: this.deps.settings.defaultCountry, allowedCountries: this.deps.settings.countries });
  }

  /**
   * Queues `"{code} is your Latchkey code."` plus the WebOTP line (src/courier/templates/sms.ts),
   * rendered now in the recipient's language (`locale`).
   */
  async sendCode(tx: Store, request: SmsCodeRequest): Promise<Result<void, SmsRefusal>> {
    const body = withLocale(request.locale ?? defaultLocale(), () => renderSmsCode(request.code, this.deps.context));
    return this.send(tx, { userId: request.userId, to: request.to, body });
  }

  /** Queues an SMS with this body, after the checks above. Prefer `sendCode`: bodies carry no links. */
  async send(tx: Store, request: SmsRequest & { body: string }): Promise<Result<void, SmsRefusal>> {
    if (!this.available) return fail('SMS_UNAVAILABLE');
    const number = this.parse(request.to);
    if (!number.ok) return number;
    const { limits } = this.deps;
    const reservation = await reserveAttempt([
      limits.smsPerNumber.step(limits.phoneKey(number.value.e164)),
      limits.smsPerAccount.step(request.userId),
    ]);
    if (!reservation.allowed) return { ok: false, code: 'RATE_LIMITED', retryAfterSeconds: reservation.retryAfterSeconds };
    await this.deps.outbox.enqueue(tx.outbox, 'sms', { to: number.value.e164, body: request.body });
    return ok(undefined);
  }
}
