import type { SmsProvider } from '../config/sms-config.ts';
import { PermanentDeliveryError } from './worker.ts';

export interface OutgoingSms {
  /** E.164, checked by the sender before the message was queued. */
  to: string;
  body: string;
  /** Stable per outbox message (`<id@host>`), so a provider may recognise a duplicate delivery. */
  messageId: string;
}

export interface SmsChannel {
  send(sms: OutgoingSms): Promise<void>;
  close(): Promise<void>;
}

/** How long one request to the provider may take before it counts as failed (and is retried). */
export const SMS_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Turns the provider's answer into the courier's outcome: 2xx sent; 408, 429 and 5xx thrown as
 * ordinary errors (retried with backoff); any other 4xx thrown as PermanentDeliveryError (the
 * message is dead at once: the provider will refuse it again). The reason names the status and
 * at most the provider's numeric error code, never the response text (it may echo the number or
 * the body, and it ends up in the outbox row and the logs).
 */
async function outcome(provider: string, response: Response): Promise<void> {
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  let providerCode = '';
  try {
    const answer = (await response.json()) as { code?: unknown };
    if (typeof answer?.code === 'number' || (typeof answer?.code === 'string' && /^\w{1,20}$/.test(answer.code))) {
      providerCode = ` (code ${answer.code})`;
    }
  } catch {
    // Not JSON: the status alone says enough.
  }
  const reason = `${provider} answered ${response.status}${providerCode}`;
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw new PermanentDeliveryError(reason);
  }
  throw new Error(reason);
}

/** Network errors and timeouts as a reason fit for logs: the kind of failure, not the URL or payload. */
function networkFailure(provider: string, error: unknown): Error {
  if (error instanceof PermanentDeliveryError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const what = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${SMS_REQUEST_TIMEOUT_MS} ms` : 'could not be reached';
  return new Error(`${provider} ${what}`);
}

/**
 * The generic JSON webhook: `POST SMS_URL` with `{"to": "+E164", "body": "..."}`, and
 * `Authorization: Bearer SMS_TOKEN` when a token is set. Any 2xx means accepted.
 */
export class WebhookSmsChannel implements SmsChannel {
  constructor(
    private readonly url: URL,
    private readonly token: string | undefined,
  ) {}

  async send(sms: OutgoingSms): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': sms.messageId,
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: JSON.stringify({ to: sms.to, body: sms.body }),
        redirect: 'error',
        signal: AbortSignal.timeout(SMS_REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw networkFailure('the SMS webhook', error);
    }
    await outcome('the SMS webhook', response);
  }

  async close(): Promise<void> {}
}

/**
 * Twilio's Messages API: a form-encoded `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`
 * (To, From or MessagingServiceSid, Body) with HTTP Basic auth `sid:token`. The base URL is
 * TWILIO_API_BASE_URL (https://api.twilio.com), so tests and regional endpoints can change it.
 */
export class TwilioSmsChannel implements SmsChannel {
  private readonly endpoint: URL;
  private readonly authorization: string;

  constructor(private readonly settings: Extract<SmsProvider, { kind: 'twilio' }>) {
    const base = settings.apiBaseUrl.href.replace(/\/$/, '');
    this.endpoint = new URL(`${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`);
    this.authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  }

  async send(sms: OutgoingSms): Promise<void> {
    const form = new URLSearchParams({ To: sms.to, Body: sms.body });
    if (this.settings.from.startsWith('MG')) form.set('MessagingServiceSid', this.settings.from);
    else form.set('From', this.settings.from);
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: this.authorization },
        body: form.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(SMS_REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw networkFailure('Twilio', error);
    }
    await outcome('Twilio', response);
  }

  async close(): Promise<void> {}
}

/** The channel SMS_URL names; undefined when it names none (dev SMS box or no SMS at all). */
export function smsChannelFor(provider: SmsProvider | undefined): SmsChannel | undefined {
  if (provider?.kind === 'webhook') return new WebhookSmsChannel(provider.url, provider.token);
  if (provider?.kind === 'twilio') return new TwilioSmsChannel(provider);
  return undefined;
}
