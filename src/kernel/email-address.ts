import { domainToASCII } from 'node:url';

export interface EmailAddress {
  /** As the user typed it, trimmed: what mail is sent to and what is shown. */
  display: string;
  /** Lower-cased, IDN domain in punycode: what is compared and unique-indexed (S21). */
  canonical: string;
}

// RFC 5321 dot-atom local part, ASCII only: Unicode local parts are where lookalike and
// case-folding attacks live (GitHub dotless-i, Django CVE-2019-19844), and almost no one has one.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Parses one email address; undefined for anything else (lists, CR/LF, display names...). */
export function parseEmailAddress(input: string): EmailAddress | undefined {
  const display = input.trim();
  if (display.length === 0 || display.length > 254) return undefined;
  const at = display.lastIndexOf('@');
  if (at <= 0 || at === display.length - 1) return undefined;
  const local = display.slice(0, at);
  const domainInput = display.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  if (/[\s\u0000-\u001f\u007f,;<>()[\]"\\@]/.test(domainInput)) return undefined;
  const domain = domainToASCII(domainInput.normalize('NFKC').toLowerCase());
  if (!domain || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return undefined;
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) return undefined;
  return { display: `${local}@${domainInput}`, canonical: `${local.toLowerCase()}@${domain}` };
}
