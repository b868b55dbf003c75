import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { DepsOverrides } from '../../src/deps.ts';
import { startTestService, type TestService } from './app.ts';
import { freePort } from './free-port.ts';

/**
 * startTestService with PUBLIC_URL on `localhost` (and the port chosen beforehand, plus
 * `options.path` to serve it under a base path): WebAuthn takes
 * its relying party ID from PUBLIC_URL's host, and an IP address such as 127.0.0.1 is not a valid
 * one, so browser tests of passkeys open the service at http://localhost:<port>.
 */
export async function startServiceOnLocalhost(
  env: Record<string, string> = {},
  overrides: DepsOverrides = {},
  options: { path?: string } = {},
): Promise<TestService> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const publicUrl = `http://localhost:${port}${options.path ?? ''}`;
      return await startTestService({ ...env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: publicUrl }, overrides);
    } catch (err) {
      if (attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** The credentials it holds (ids base64url, as the server stores them). */
  credentials(): Promise<Array<{ credentialId: string; isResidentCredential: boolean; signCount: number; userHandle?: string }>>;
  remove(): Promise<void>;
}

/**
 * A CDP virtual authenticator on `page` (Chromium's WebAuthn domain): CTAP2 over the internal
 * transport, discoverable credentials, user verification that always succeeds, and presence
 * simulated, so the browser's passkey calls complete without a person.
 */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    credentials: async () => {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials.map((c) => ({
        credentialId: Buffer.from(c.credentialId, 'base64').toString('base64url'),
        isResidentCredential: c.isResidentCredential,
        signCount: c.signCount,
        ...(c.userHandle ? { userHandle: c.userHandle } : {}),
      }));
    },
    remove: async () => {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

/** The id of the account with this (already canonical) address. */
export async function userIdOf(service: TestService, email: string): Promise<string> {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  if (!user) throw new Error(`no account ${email}`);
  return user.id;
}

/** The amr of the session a browser context holds (its `lk_session` cookie), as stored (space-separated). */
export async function sessionAmrOf(service: TestService, context: BrowserContext): Promise<string | null | undefined> {
  const token = (await context.cookies()).find((c) => c.name === 'lk_session')?.value;
  return (await service.deps.sessions.resolve(token))?.session.amr;
}

export interface ConditionalControl {
  /** The `mediation` of every navigator.credentials.get() the pages made ('modal' when none). */
  mediations: string[];
  /** Whether conditional (autofill) requests reach the authenticator; default false. */
  allow(allowed: boolean): void;
}

/**
 * Chromium answers a conditional (autofill) request at once when a virtual authenticator holds a
 * matching passkey: nobody has to pick it. To test the button without the autofill getting there
 * first, this wraps navigator.credentials.get() in every page of `context` (a test-only init
 * script, outside the page's CSP): conditional requests wait, as for a person who does not pick
 * the passkey, until aborted (the page's next ceremony aborts them), unless allowed; then they go
 * to the real authenticator unchanged. Every call's mediation is recorded.
 */
export async function controlConditionalRequests(context: BrowserContext): Promise<ConditionalControl> {
  let allowed = false;
  const control: ConditionalControl = {
    mediations: [],
    allow: (value) => {
      allowed = value;
    },
  };
  await context.exposeFunction('__latchkeyTestCredentialsGet', (mediation: string) => {
    control.mediations.push(mediation);
    return mediation !== 'conditional' || allowed;
  });
  // A string, not a function: the test runner's transpiler would add helpers the page lacks.
  await context.addInitScript(`(() => {
    const credentials = navigator.credentials;
    const get = credentials.get.bind(credentials);
    credentials.get = async (options) => {
      if (await window.__latchkeyTestCredentialsGet(options?.mediation ?? 'modal')) return get(options);
      return new Promise((_resolve, reject) => {
        options?.signal?.addEventListener('abort', () => reject(new DOMException('The request was aborted.', 'AbortError')));
      });
    };
  })();`);
  return control;
}
