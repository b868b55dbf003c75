import { createRequire } from 'node:module';
import type { CountryCode, NumberType } from 'libphonenumber-js/max';
import { fail, ok, type Result } from './result.ts';

type Libphonenumber = typeof import('libphonenumber-js/max');
let library: Libphonenumber | undefined;

/**
 * libphonenumber with its full metadata (about a hundred modules), loaded the first time a number
 * or a country is checked rather than when the service starts: a service without SMS never loads
 * it. Its CommonJS build, so that checking stays synchronous.
 */
function libphonenumber(): Libphonenumber {
  library ??= createRequire(import.meta.url)('libphonenumber-js/max') as Libphonenumber;
  return library;
}

/** A phone number that can receive SMS, in E.164 (`+33612345678`) with the country it belongs to. */
export interface PhoneNumber {
  e164: string;
  /** ISO 3166-1 alpha-2 code (`FR`), undefined for numbers of no one country. */
  country: string | undefined;
}

export type PhoneProblem = 'PHONE_INVALID' | 'PHONE_NOT_MOBILE' | 'PHONE_COUNTRY_NOT_ALLOWED';

export interface PhoneRules {
  /** DEFAULT_PHONE_COUNTRY: the country of a number typed without `+` and country code. */
  defaultCountry?: string | undefined;
  /** SMS_COUNTRIES: ISO codes whose numbers may receive SMS; empty means every country. */
  allowedCountries: readonly string[];
}

/** The longest input worth parsing: E.164 has at most 15 digits, people add spaces, dots and dashes. */
const MAX_INPUT_LENGTH = 40;

/**
 * Number types that can receive an SMS. Everything else is refused: fixed lines cannot read it,
 * and premium-rate, shared-cost and toll-free numbers are what SMS pumping fraud sends to.
 * The United States and a few others do not tell mobile from fixed (FIXED_LINE_OR_MOBILE).
 */
const SMS_CAPABLE: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'PERSONAL_NUMBER', 'VOIP']);

/** Whether libphonenumber knows this ISO 3166-1 alpha-2 code (upper case). */
export function isPhoneCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && libphonenumber().isSupportedCountry(code);
}

/**
 * Parses what a person typed (`+33 6 12 34 56 78`, `06 12 34 56 78` with defaultCountry FR) into
 * E.164, with the full metadata (so the number's type is known). Refused: anything that is not a
 * valid number (PHONE_INVALID), a number that cannot receive SMS (PHONE_NOT_MOBILE), and a number
 * of a country outside a non-empty allow-list (PHONE_COUNTRY_NOT_ALLOWED).
 */
export function parsePhone(input: string, rules: PhoneRules): Result<PhoneNumber, PhoneProblem> {
  const typed = input.trim();
  if (typed.length === 0 || typed.length > MAX_INPUT_LENGTH || /[^\d\s()+.\-\u2010-\u2015]/.test(typed)) return fail('PHONE_INVALID');
  const { ParseError, parsePhoneNumberWithError } = libphonenumber();
  let parsed: ReturnType<Libphonenumber['parsePhoneNumberWithError']>;
  try {
    const defaultCountry = rules.defaultCountry && isPhoneCountry(rules.defaultCountry) ? (rules.defaultCountry as CountryCode) : undefined;
    parsed = parsePhoneNumberWithError(typed, defaultCountry ? { defaultCountry } : {});
  } catch (error) {
    if (error instanceof ParseError) return fail('PHONE_INVALID');
    throw error;
  }
  if (!parsed.isValid()) return fail('PHONE_INVALID');
  const type = parsed.getType();
  if (type === undefined || !SMS_CAPABLE.has(type)) return fail('PHONE_NOT_MOBILE');
  const country = parsed.country;
  if (rules.allowedCountries.length > 0 && (country === undefined || !rules.allowedCountries.includes(country))) {
    return fail('PHONE_COUNTRY_NOT_ALLOWED');
  }
  return ok({ e164: parsed.number, country });
}

/**
 * A phone number as logs may name it: its country and last two digits (`FR …78`), enough to
 * tell two recipients apart when reading a log, not enough to text anyone.
 */
export function phoneForLogs(e164: string): string {
  let country: string | undefined;
  try {
    country = libphonenumber().parsePhoneNumberWithError(e164).country;
  } catch {
    country = undefined;
  }
  const digits = e164.replace(/\D/g, '');
  return `${country ?? '??'} …${digits.length >= 6 ? digits.slice(-2) : ''}`;
}
