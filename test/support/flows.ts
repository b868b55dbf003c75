import type { TestService } from './app.ts';
import { TestClient, type TestResponse } from './client.ts';
import { resetLinkIn } from './smtp.ts';

/** A client that sends the service's own Origin, as a browser on PUBLIC_URL would. */
export function apiClient(service: TestService, headers: Record<string, string> = {}): TestClient {
  return new TestClient(service.url, { origin: service.config.publicUrl.origin, ...headers });
}

/**
 * Registers through the API and waits for the welcome mail, so the account exists afterwards.
 * With CONFIRM_EMAIL on (the default) it also confirms the address through the emailed link's
 * token, so the account can sign in; `confirm: false` leaves it unconfirmed.
 */
export async function registerUser(
  service: TestService,
  email: string,
  password: string,
  name?: string,
  options: { confirm?: boolean } = {},
): Promise<void> {
  const response = await apiClient(service).postJson('/api/register', { email, password, ...(name ? { name } : {}) });
  if (response.status !== 202) throw new Error(`registration of ${email} failed: ${response.status} ${response.text}`);
  const welcome = await service.smtp.waitForMail(email, { subject: /Welcome/ });
  const link = /https?:\/\/\S+\/confirm-email\/[A-Za-z0-9_-]+/.exec(welcome.parsed.text ?? '')?.[0];
  if (!link || options.confirm === false) return;
  const confirmed = await apiClient(service).postJson('/api/confirm', { token: tokenOf(link) });
  if (confirmed.status !== 200) throw new Error(`confirmation of ${email} failed: ${confirmed.status} ${confirmed.text}`);
}

/** Asks for a reset link through the API and returns the token from the mail that arrives. */
export async function requestResetToken(service: TestService, email: string, to = email): Promise<string> {
  const response = await apiClient(service).postJson('/api/password/forgot', { email });
  if (response.status !== 202) throw new Error(`forgot-password failed: ${response.status} ${response.text}`);
  return tokenOf(resetLinkIn(await service.smtp.waitForMail(to, { subject: /Reset your password/ })));
}

export function tokenOf(link: string): string {
  return new URL(link).pathname.split('/').pop() as string;
}

/** Signs in through the API; returns the client holding the session cookie. */
export async function signedInClient(service: TestService, email: string, password: string): Promise<TestClient> {
  const client = apiClient(service);
  const response = await client.postJson('/api/login', { email, password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return client;
}

/** Every header but Date, as sorted [name, value] pairs, for comparing responses. */
export function headersWithoutDate(response: TestResponse): Array<[string, string]> {
  return [...response.headers.entries()]
    .filter(([name]) => name !== 'date')
    .map(([name, value]): [string, string] =>
      // The "check your inbox" cookie seals the typed address with a fresh nonce each time: its
      // value differs on every answer by design and says nothing about accounts.
      name === 'set-cookie' ? [name, value.replace(/lk_inbox=[^;]+/g, 'lk_inbox=<sealed>')] : [name, value],
    )
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The `Set-Cookie` line for one cookie name, or undefined. */
export function setCookieLine(response: TestResponse, name: string): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** Polls `probe` until it returns a value other than undefined (for background work such as the courier). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
