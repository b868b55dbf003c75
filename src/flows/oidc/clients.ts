import { randomBytes } from 'node:crypto';
import type { Adapter, AdapterPayload, ClientMetadata, Provider } from 'oidc-provider';
import type { ClientRegistry, RegisteredClient } from './ports.ts';

/**
 * A stand-in for `client_secret` in the metadata oidc-provider validates: it demands one for
 * confidential clients, but the real secret exists only as a digest in the registry, and the
 * comparison is replaced (see useRegistrySecretCheck). Random per process, never a secret anyone
 * holds, and unused for signing (only ES256/RS256 are enabled).
 */
const PLACEHOLDER_SECRET = randomBytes(32).toString('base64url');

/** The registry's client as oidc-provider metadata: code flow only, exact redirect URIs. */
export function clientMetadata(client: RegisteredClient, signingAlg: string): ClientMetadata {
  return {
    client_id: client.clientId,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: client.isPublic ? 'none' : 'client_secret_basic',
    ...(client.isPublic ? {} : { client_secret: PLACEHOLDER_SECRET }),
    id_token_signed_response_alg: signingAlg as ClientMetadata['id_token_signed_response_alg'],
    require_auth_time: true,
    // Kept on the client so the interaction can read it back (extraClientMetadata).
    'latchkey:skip_consent': client.skipConsent,
  };
}

/** oidc-provider's `Client` model storage, read from the registry (no writes: clients come from the CLI). */
export function registryClientAdapter(clients: ClientRegistry, signingAlg: () => string): Adapter {
  const readOnly = async () => undefined;
  return {
    async find(id: string): Promise<AdapterPayload | undefined> {
      const client = await clients.find(id);
      return client ? (clientMetadata(client, signingAlg()) as AdapterPayload) : undefined;
    },
    upsert: readOnly,
    findByUid: readOnly,
    findByUserCode: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  };
}

/**
 * Client secrets are checked by the registry (a constant-time comparison against the stored
 * digest) instead of oidc-provider's comparison with a plaintext secret in the metadata.
 */
export function useRegistrySecretCheck(provider: Provider, clients: ClientRegistry): void {
  const prototype = provider.Client.prototype as unknown as {
    compareClientSecret(actual: string): Promise<boolean> | boolean;
    clientId: string;
  };
  prototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: string) {
    if (typeof actual !== 'string' || actual.length === 0 || actual.length > 512) return false;
    return clients.verifySecret(this.clientId, actual);
  };
}
