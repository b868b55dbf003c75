import { isPhoneCountry } from '../kernel/phone-number.ts';
import type { EnvReader } from './parse.ts';

/** Where SMS go: a generic JSON webhook, or Twilio's Messages API (issue 8, section 3). */
export type SmsProvider =
  | { readonly kind: 'webhook'; readonly url: URL; readonly token: string | undefined }
  | {
      readonly kind: 'twilio';
      readonly accountSid: string;
      readonly authToken: string;
      /** An E.164 sender number, or a Messaging Service SID (`MG…`). */
      readonly from: string;
      readonly apiBaseUrl: URL;
    };

export interface SmsSettings {
  /** SMS_URL parsed; undefined when unset. */
  readonly provider: SmsProvider | undefined;
  /** No SMS_URL outside production: SMS are kept in the dev SMS box (DATA_DIR/sms, shown at /dev/mailbox). */
  readonly devBox: boolean;
  /** Whether SMS can be sent at all: false in production without SMS_URL, and the SMS methods are then not offered. */
  readonly available: boolean;
  /** SMS_COUNTRIES: ISO 3166-1 alpha-2 codes whose numbers may receive SMS; empty = every country. */
  readonly countries: readonly string[];
  /** DEFAULT_PHONE_COUNTRY: the country of numbers typed without `+`; undefined = the `+` is required. */
  readonly defaultCountry: string | undefined;
}

const TWILIO_SID = /^AC[0-9a-fA-F]{32}$/;
const TWILIO_FROM = /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/;

export function readSmsSettings(read: EnvReader, nodeEnv: 'development' | 'production' | 'test'): SmsSettings {
  const provider = readProvider(read);
  if (
    nodeEnv === 'production' &&
    provider?.kind === 'twilio' &&
    provider.apiBaseUrl.protocol === 'http:' &&
    !isLoopback(provider.apiBaseUrl)
  ) {
    read.problems.push('TWILIO_API_BASE_URL must use https:// when NODE_ENV=production; http:// is allowed to a loopback address only');
  }
  if (nodeEnv === 'production' && provider?.kind === 'webhook' && provider.url.protocol === 'http:' && !isLoopback(provider.url)) {
    read.problems.push(
      'SMS_URL must use https:// when NODE_ENV=production (codes would cross the network in clear); http:// is allowed to a loopback address only',
    );
  }
  const countries = readCountries(read);
  const defaultCountry = read.raw('DEFAULT_PHONE_COUNTRY')?.toUpperCase();
  if (defaultCountry !== undefined && !isPhoneCountry(defaultCountry)) {
    read.problems.push(`DEFAULT_PHONE_COUNTRY must be an ISO 3166-1 alpha-2 country code such as FR or US, got "${defaultCountry}"`);
  }
  const devBox = provider === undefined && nodeEnv !== 'production';
  return {
    provider,
    devBox,
    available: provider !== undefined || devBox,
    countries,
    defaultCountry: defaultCountry !== undefined && isPhoneCountry(defaultCountry) ? defaultCountry : undefined,
  };
}

function readProvider(read: EnvReader): SmsProvider | undefined {
  const value = read.raw('SMS_URL');
  const token = read.raw('SMS_TOKEN');
  const apiBaseUrl = read.url('TWILIO_API_BASE_URL', 'https://api.twilio.com', ['https:', 'http:']);
  if (value === undefined) return undefined;
  if (/^https?:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      if (url.username || url.password) throw new Error('credentials');
      return { kind: 'webhook', url, token };
    } catch {
      read.problems.push('SMS_URL must be an https:// (or http://) URL without credentials in it (put the token in SMS_TOKEN)');
      return undefined;
    }
  }
  if (/^twilio:\/\//i.test(value)) {
    const problem =
      'SMS_URL for Twilio must look like twilio://ACCOUNT_SID:AUTH_TOKEN@FROM, FROM being an E.164 number (+15551234567) or a Messaging Service SID (MG…)';
    try {
      const url = new URL(value);
      const accountSid = decodeURIComponent(url.username);
      const authToken = decodeURIComponent(url.password);
      const from = decodeURIComponent(url.host);
      if (
        !TWILIO_SID.test(accountSid) ||
        authToken.length === 0 ||
        !TWILIO_FROM.test(from) ||
        (url.pathname !== '' && url.pathname !== '/')
      ) {
        read.problems.push(problem);
        return undefined;
      }
      return { kind: 'twilio', accountSid, authToken, from, apiBaseUrl };
    } catch {
      read.problems.push(problem);
      return undefined;
    }
  }
  read.problems.push('SMS_URL must start with https:// (a JSON webhook) or twilio:// (Twilio Messages API)');
  return undefined;
}

/** A URL whose host is this machine (a local SMS gateway may speak plain HTTP). */
export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

function readCountries(read: EnvReader): string[] {
  const countries: string[] = [];
  for (const entry of (read.raw('SMS_COUNTRIES') ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)) {
    if (!isPhoneCountry(entry)) {
      read.problems.push(
        `SMS_COUNTRIES must be a comma-separated list of ISO 3166-1 alpha-2 country codes such as FR,BE,CH, "${entry}" is not one`,
      );
    } else if (!countries.includes(entry)) countries.push(entry);
  }
  return countries;
}
