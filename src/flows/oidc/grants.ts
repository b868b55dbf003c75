import type { Adapter, Grant, KoaContextWithOIDC } from 'oidc-provider';

/** True for clients registered with `--skip-consent` (first-party apps). */
export function skipsConsent(client: { [key: string]: unknown } | undefined): boolean {
  return client?.['latchkey:skip_consent'] === true;
}

/**
 * A first-party client gets what it asks for without a consent page: a grant of the requested
 * scopes and claims, made when there is none yet (oidc-provider's `loadExistingGrant`).
 */
export async function firstPartyGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { client, session } = ctx.oidc;
  if (!client || !session?.accountId || !skipsConsent(client as unknown as { [key: string]: unknown })) return undefined;
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes);
  grant.addOIDCClaims(ctx.oidc.requestParamClaims);
  await grant.save();
  return grant;
}

/** Adds what the consent page listed as missing to a grant (after the user chose Allow). */
export function addMissing(
  grant: Grant,
  details: { missingOIDCScope?: unknown; missingOIDCClaims?: unknown; missingResourceScopes?: unknown },
): void {
  if (Array.isArray(details.missingOIDCScope)) grant.addOIDCScope(details.missingOIDCScope as string[]);
  if (Array.isArray(details.missingOIDCClaims)) grant.addOIDCClaims(details.missingOIDCClaims as string[]);
  if (details.missingResourceScopes && typeof details.missingResourceScopes === 'object') {
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes as Record<string, string[]>))
      grant.addResourceScope(resource, scopes);
  }
}

/** How long an Allow is remembered for one user and app (a reset, "sign out everywhere" or removing the app forgets it sooner). */
export const CONSENT_TTL_SECONDS = 365 * 86_400;

/**
 * Consents remembered per user and app, beyond one OIDC session: the scopes and claims the user
 * allowed, stored through the provider's sealed storage (model `Consent`, keyed by a digest of
 * user and client) so that ending everything of a user or removing the app forgets them too.
 */
export class RememberedConsents {
  constructor(private readonly adapter: Adapter) {}

  private static id(accountId: string, clientId: string): string {
    return `${accountId} ${clientId}`;
  }

  async remember(accountId: string, clientId: string, allowed: { scopes: string[]; claims: string[] }): Promise<void> {
    const id = RememberedConsents.id(accountId, clientId);
    const before = await this.adapter.find(id);
    const union = (a: unknown, b: string[]) => [...new Set([...(Array.isArray(a) ? (a as string[]) : []), ...b])];
    await this.adapter.upsert(
      id,
      {
        accountId,
        clientId,
        scope: union(before?.scope?.split(' '), allowed.scopes).join(' '),
        allowedClaims: union(before?.allowedClaims, allowed.claims),
      },
      CONSENT_TTL_SECONDS,
    );
  }

  /** True when the user allowed this app everything the consent prompt lists as missing. */
  async covers(
    accountId: string,
    clientId: string,
    details: { missingOIDCScope?: unknown; missingOIDCClaims?: unknown; missingResourceScopes?: unknown },
  ): Promise<boolean> {
    const stored = await this.adapter.find(RememberedConsents.id(accountId, clientId));
    if (!stored || details.missingResourceScopes) return false;
    const scopes = new Set(String(stored.scope ?? '').split(' '));
    const claims = new Set(Array.isArray(stored.allowedClaims) ? (stored.allowedClaims as string[]) : []);
    const missingScopes = Array.isArray(details.missingOIDCScope) ? (details.missingOIDCScope as string[]) : [];
    const missingClaims = Array.isArray(details.missingOIDCClaims) ? (details.missingOIDCClaims as string[]) : [];
    return missingScopes.every((scope) => scopes.has(scope)) && missingClaims.every((claim) => claims.has(claim));
  }
}
