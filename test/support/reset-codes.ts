import type { TestService } from './app.ts';
import { apiClient } from './flows.ts';
import type { ReceivedMail } from './smtp.ts';

/** The 8-digit code in a reset-code mail's text part. */
export function resetCodeIn(mail: ReceivedMail): string {
  const match = /Your code is: (\d{8})\b/.exec(mail.parsed.text ?? '');
  if (!match) throw new Error(`no reset code in mail "${mail.parsed.subject}"`);
  return match[1] as string;
}

/** Asks for a reset code by mail through the API and returns the code from the mail that arrives. */
export async function requestResetCode(service: TestService, email: string): Promise<string> {
  const response = await apiClient(service).postJson('/api/password/forgot', { email, method: 'code' });
  if (response.status !== 202) throw new Error(`forgot-password (code) failed: ${response.status} ${response.text}`);
  return resetCodeIn(await service.smtp.waitForMail(email, { subject: /reset code/ }));
}

/** A code of the same length that is not `code`. */
export function wrongCode(code: string, offset = 1): string {
  return String((Number(code) + offset) % 100_000_000).padStart(8, '0');
}
