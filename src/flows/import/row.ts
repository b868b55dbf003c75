import type { ImportedHashes } from '../../crypto/passwords/legacy/dispatch.ts';
import { type EmailAddress, parseEmailAddress } from '../../kernel/email-address.ts';
import { parseUsername, type Username } from '../../kernel/username.ts';

/** The known columns; others are ignored (and named once by the import's summary, so a typo shows). */
export const COLUMNS = ['email', 'password_hash', 'name', 'username', 'email_verified', 'created_at', 'disabled'] as const;

/** One row checked and canonicalised, ready to write. */
export interface ImportRow {
  address: EmailAddress;
  /** What is stored (see legacy/dispatch.ts), null for no password, undefined when the row has no such column. */
  passwordHash: string | null | undefined;
  /** The original hash the row carried, to tell whether --update would change anything. */
  originalHash: string | null | undefined;
  name: string | null | undefined;
  username: Username | null;
  /** When the address counts as confirmed: a time, null for not confirmed. */
  emailConfirmedAtMs: number | null;
  createdAtMs: number | undefined;
  disabled: boolean | undefined;
}

export type RowCheck = { ok: true; row: ImportRow } | { ok: false; reason: string };

const TRUE = new Set(['true', 't', '1', 'yes', 'y', 'on']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n', 'off', '']);

const empty = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A time: a Date (from a database driver), an ISO 8601 text, or a number of seconds (or milliseconds, when ≥ 10^11) since 1970. */
export function parseTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  const number =
    typeof value === 'number' || typeof value === 'bigint'
      ? Number(value)
      : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())
        ? Number(value)
        : undefined;
  if (number !== undefined) return number >= 1e11 ? Math.trunc(number) : Math.trunc(number * 1000);
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(
    /[zZ]|[+-]\d\d:?\d\d$/.test(value.trim()) || !/\d\d:\d\d/.test(value) ? value.trim() : `${value.trim().replace(' ', 'T')}Z`,
  );
  return Number.isNaN(ms) ? undefined : ms;
}

function parseFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
  }
  return undefined;
}

/** Checks one row and canonicalises it as registration does; the reason says what is wrong. */
export function checkRow(values: Record<string, unknown>, hashes: ImportedHashes, nowMs: number): RowCheck {
  if (typeof values.email !== 'string' || values.email.trim() === '') return { ok: false, reason: 'no email' };
  const address = parseEmailAddress(values.email);
  if (!address) return { ok: false, reason: `"${values.email.slice(0, 80)}" is not a valid email address` };

  let passwordHash: string | null | undefined;
  let originalHash: string | null | undefined;
  if (!('password_hash' in values)) passwordHash = undefined;
  else if (empty(values.password_hash)) passwordHash = originalHash = null;
  else if (typeof values.password_hash !== 'string') return { ok: false, reason: 'password_hash is not text' };
  else {
    originalHash = values.password_hash.trim();
    const prepared = hashes.prepare(originalHash);
    if (!prepared.ok) return { ok: false, reason: prepared.reason };
    passwordHash = prepared.params;
  }

  let name: string | null | undefined;
  if (!('name' in values)) name = undefined;
  else if (empty(values.name)) name = null;
  else if (typeof values.name !== 'string') return { ok: false, reason: 'name is not text' };
  else {
    name = values.name.trim();
    if ([...name].length > 100 || /[\u0000-\u001f\u007f]/.test(name))
      return { ok: false, reason: 'name must be at most 100 printable characters' };
  }

  let username: Username | null = null;
  if (!empty(values.username)) {
    const parsed = typeof values.username === 'string' ? parseUsername(values.username) : undefined;
    if (!parsed) return { ok: false, reason: 'username must be 3-32 letters, digits, dots, dashes or underscores' };
    username = parsed;
  }

  let createdAtMs: number | undefined;
  if (!empty(values.created_at)) {
    createdAtMs = parseTime(values.created_at);
    if (createdAtMs === undefined) return { ok: false, reason: 'created_at is not a time (ISO 8601, or seconds since 1970)' };
  }

  // email_verified: a flag, or the time the address was confirmed (Devise's confirmed_at).
  let emailConfirmedAtMs: number | null = null;
  if (!empty(values.email_verified)) {
    const flag = parseFlag(values.email_verified);
    const time = flag === undefined ? parseTime(values.email_verified) : undefined;
    if (flag === undefined && time === undefined) return { ok: false, reason: 'email_verified is neither true/false nor a time' };
    emailConfirmedAtMs = flag === false ? null : (time ?? createdAtMs ?? nowMs);
  }

  let disabled: boolean | undefined;
  if ('disabled' in values) {
    disabled = parseFlag(values.disabled ?? false);
    if (disabled === undefined) return { ok: false, reason: 'disabled is not true or false' };
  }

  return { ok: true, row: { address, passwordHash, originalHash, name, username, emailConfirmedAtMs, createdAtMs, disabled } };
}
