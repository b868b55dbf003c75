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

/**
 * Issues a fresh live code of `purpose` for the user straight through the service (the newest
 * replaces older ones), again until it differs from `avoid`, so that an attempt with `avoid` meets
 * a live code and is wrong.
 */
export async function issueLiveCodeOtherThan(
  service: TestService,
  o: { purpose: 'reset-code' | 'signin-code'; userId: string; avoid: string; ttlSeconds?: number },
): Promise<void> {
  for (;;) {
    const code = await service.deps.store.transaction((tx) =>
      service.deps.mfa.codes.issue(tx, {
        purpose: o.purpose,
        userId: o.userId,
        digits: o.avoid.length,
        context: { ip: null, userAgent: null },
        ...(o.ttlSeconds === undefined ? {} : { ttlSeconds: o.ttlSeconds }),
      }),
    );
    if (code !== o.avoid) return;
  }
}
