import type { TestService } from './app.ts';
import type { TestClient } from './client.ts';
import { apiClient, tokenOf } from './flows.ts';
import type { ReceivedMail } from './smtp.ts';

/** The first link in a mail's text part whose path starts with `pathPrefix` (e.g. "/confirm-email/"). */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  const escaped = pathPrefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s/]+${escaped}[A-Za-z0-9_-]+`).exec(mail.parsed.text ?? '');
  if (!match) throw new Error(`no ${pathPrefix} link in mail "${mail.parsed.subject}"`);
  return match[0];
}

/** Registers through the API and returns the confirmation token from the welcome mail (not yet used). */
export async function registerUnconfirmed(
  service: TestService,
  email: string,
  password: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const response = await apiClient(service).postJson('/api/register', { email, password, ...extra });
  if (response.status !== 202) throw new Error(`registration of ${email} failed: ${response.status} ${response.text}`);
  return tokenOf(linkIn(await service.smtp.waitForMail(email, { subject: /Welcome/ }), '/confirm-email/'));
}

/**
 * Follows an emailed link like a browser: GET the link (303 to the landing page, token in a
 * cookie), GET the landing page (its button form), POST the form with its CSRF token.
 */
export async function followLinkAndPress(client: TestClient, link: string) {
  const opened = await client.get(new URL(link).pathname);
  if (opened.status !== 303) throw new Error(`opening ${new URL(link).pathname} answered ${opened.status}: ${opened.text.slice(0, 300)}`);
  const landing = await client.get(opened.location as string);
  const pressed = await client.postForm(opened.location as string, { _csrf: landing.csrfToken() });
  return { opened, landing, pressed };
}

/** Waits until the courier has sent everything queued (no pending, sending or failed messages). */
export async function outboxSettled(service: TestService): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const counts = await service.deps.store.outbox.countByStatus();
    if ((counts.pending ?? 0) + (counts.sending ?? 0) + (counts.failed ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`the outbox did not settle: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
