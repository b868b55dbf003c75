import type { Grant, KoaContextWithOIDC } from 'oidc-provider';

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
