import { timingSafeEqual } from 'node:crypto';
import { generateToken, type TokenDigester } from '../../crypto/tokens.ts';
import type { RandomSource } from '../../kernel/random.ts';
import type { ClientRecord } from '../../store/oidc-clients-repository.ts';
import type { Store } from '../../store/store.ts';
import type { ClientProblem, ClientRegistry, NewClient, RegisteredClient } from './ports.ts';
import { redirectUriProblem } from './redirect-uris.ts';

export interface ClientRegistryDeps {
  store: Store;
  digester: TokenDigester;
  random: RandomSource;
}

type AddResult = Awaited<ReturnType<ClientRegistry['add']>>;

const problem = (code: ClientProblem, detail: string): AddResult => ({ ok: false, code, detail });

function toClient(row: ClientRecord): RegisteredClient {
  return {
    clientId: row.client_id,
    name: row.name,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    isPublic: row.is_public === 1,
    skipConsent: row.skip_consent === 1,
    createdAtMs: row.created_at,
  };
}

/**
 * Registered applications in the database. The client_id is random; a confidential client's
 * secret (256 bits) is returned once by `add` and stored only as a keyed digest bound to the
 * client_id, so a database dump cannot authenticate as a client.
 */
export class StoredClientRegistry implements ClientRegistry {
  constructor(private readonly deps: ClientRegistryDeps) {}

  private secretLabel(clientId: string, secret: string): string {
    return `oidc-client-secret:${clientId}:${secret}`;
  }

  async add(input: NewClient, nowMs: number): Promise<AddResult> {
    const name = input.name.trim();
    if (name.length === 0 || [...name].length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
      return problem('CLIENT_NAME_INVALID', 'the name must be 1 to 100 printable characters');
    }
    if (input.redirectUris.length === 0) return problem('REDIRECT_URI_INVALID', 'at least one redirect URI is required');
    for (const [list, kind] of [
      [input.redirectUris, 'redirect URI'],
      [input.postLogoutRedirectUris, 'post-logout redirect URI'],
    ] as const) {
      for (const uri of list) {
        const why = redirectUriProblem(uri);
        if (why) return problem('REDIRECT_URI_INVALID', `the ${kind} "${uri}" is refused: ${why}`);
      }
    }
    const clientId = this.deps.random.bytes(16).toString('hex');
    const clientSecret = input.isPublic ? undefined : generateToken(this.deps.random);
    const row: ClientRecord = {
      client_id: clientId,
      name,
      redirect_uris: JSON.stringify([...new Set(input.redirectUris)]),
      post_logout_redirect_uris: JSON.stringify([...new Set(input.postLogoutRedirectUris)]),
      is_public: input.isPublic ? 1 : 0,
      skip_consent: input.skipConsent ? 1 : 0,
      secret_digest: clientSecret === undefined ? null : this.deps.digester.digest(this.secretLabel(clientId, clientSecret)),
      created_at: nowMs,
    };
    await this.deps.store.oidcClients.insert(row);
    const client = toClient(row);
    return clientSecret === undefined ? { ok: true, client } : { ok: true, client, clientSecret };
  }

  async list(): Promise<RegisteredClient[]> {
    return (await this.deps.store.oidcClients.list()).map(toClient);
  }

  async find(clientId: string): Promise<RegisteredClient | undefined> {
    if (clientId.length > 64) return undefined;
    const row = await this.deps.store.oidcClients.find(clientId);
    return row ? toClient(row) : undefined;
  }

  /** Removes the client and every grant, code and token issued to it, in one transaction. */
  async remove(clientId: string): Promise<boolean> {
    if (clientId.length > 64) return false;
    return this.deps.store.transaction(async (tx) => {
      const removed = await tx.oidcClients.delete(clientId);
      if (removed) await tx.oidc.deleteForClient(clientId);
      return removed;
    });
  }

  async verifySecret(clientId: string, secret: string): Promise<boolean> {
    if (clientId.length > 64 || secret.length > 512) return false;
    const row = await this.deps.store.oidcClients.find(clientId);
    const stored = Buffer.from(row?.secret_digest ?? '');
    const candidates = this.deps.digester.candidateDigests(this.secretLabel(clientId, secret));
    let matchedIndex = -1;
    // Every candidate is compared (one per SECRET_KEYS key), in constant time, whatever matched before.
    candidates.forEach((candidate, index) => {
      const given = Buffer.from(candidate);
      if (given.length === stored.length && timingSafeEqual(given, stored)) matchedIndex = index;
    });
    if (matchedIndex < 0 || !row || row.is_public !== 0) return false;
    // Digested under an older SECRET_KEYS key: store the current key's digest, so the old key can be dropped.
    if (matchedIndex > 0)
      await this.deps.store.oidcClients.updateSecretDigest(clientId, row.secret_digest as string, candidates[0] as string);
    return true;
  }
}
