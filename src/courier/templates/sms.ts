import { t } from '../../i18n/index.ts';
import type { MailContext } from './types.ts';

/** What an SMS with a code may hold: digits only, so nothing else can ride in the body. */
const CODE = /^\d{4,10}$/;

/**
 * The body of every SMS Latchkey sends: the code and the product name, then the WebOTP line
 * (`@host #code`, last line) so phones can offer to fill the code in on PUBLIC_URL's site only.
 * Never a link and never a token: an SMS is read on lock screens and kept by carriers. The first
 * line is the catalogue's `sms.code` in the current language (the recipient's: see SmsSender).
 *
 *     123456 is your Latchkey code.
 *
 *     @example.com #123456
 */
export function renderSmsCode(code: string, context: MailContext): string {
  if (!CODE.test(code)) throw new Error('an SMS code must be 4 to 10 digits');
  return `${t('sms.code', { code, product: context.productName })}\n\n@${context.publicUrl.hostname} #${code}`;
}
