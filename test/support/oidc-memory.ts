import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Adapter, AdapterPayload, JWK } from 'oidc-provider';
import type { OidcPorts } from '../../src/deps/oidc.ts';
import type { ClientRegistry, NewClient, OidcStorage, RegisteredClient, SigningKeyStore } from '../../src/flows/oidc/ports.ts';
import type { Clock } from '../../src/kernel/clock.ts';

interface Entry {
  model: string;
  payload: AdapterPayload;
  expiresAtMs: number | undefined;
}

/**
 * In-memory OIDC ports for tests of the provider side (the database ones are tested by their
 * own contract suite). Expiry follows the injected clock, as the database adapter does.
 */
export class MemoryOidcStorage implements OidcStorage {
  readonly entries = new Map<string, Entry>();
  constructor(private readonly clock: Clock) {}

  adapter(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    const live = (entry: Entry | undefined) =>
      entry && (entry.expiresAtMs === undefined || entry.expiresAtMs > this.clock.nowMs()) ? entry : undefined;
    return {
      upsert: async (id, payload, expiresIn) => {
        this.entries.set(key(id), {
          model,
          payload: structuredClone(payload),
          expiresAtMs: expiresIn ? this.clock.nowMs() + expiresIn * 1000 : undefined,
        });
      },
      find: async (id) => structuredClone(live(this.entries.get(key(id)))?.payload),
      findByUid: async (uid) => {
        for (const entry of this.entries.values())
          if (entry.model === model && entry.payload.uid === uid && live(entry)) return structuredClone(entry.payload);
        return undefined;
      },
      findByUserCode: async () => undefined,
      consume: async (id) => {
        const entry = this.entries.get(key(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const [k, entry] of this.entries) if (entry.model === model && entry.payload.grantId === grantId) this.entries.delete(k);
      },
    };
  }

  async endEverythingForUser(userId: string): Promise<number> {
    const grants = new Set<string>();
    for (const entry of this.entries.values())
      if (entry.payload.accountId === userId && entry.payload.grantId) grants.add(entry.payload.grantId);
    let n = 0;
    for (const [k, entry] of this.entries) {
      if (
        entry.payload.accountId === userId ||
        (entry.payload.grantId && grants.has(entry.payload.grantId)) ||
        (entry.model === 'Grant' && grants.has(k.slice(6)))
      ) {
        this.entries.delete(k);
        n++;
      }
    }
    return n;
  }

  async purgeExpired(nowMs: number): Promise<number> {
    let n = 0;
    for (const [k, entry] of this.entries) if (entry.expiresAtMs !== undefined && entry.expiresAtMs <= nowMs && this.entries.delete(k)) n++;
    return n;
  }

  count(model: string): number {
    return [...this.entries.values()].filter((e) => e.model === model).length;
  }
}

export class MemorySigningKeys implements SigningKeyStore {
  private keys: JWK[] = [];
  async privateJwks(): Promise<JWK[]> {
    if (this.keys.length === 0) this.addKey();
    return this.keys;
  }
  async rotate(): Promise<string> {
    return this.addKey();
  }
  private addKey(): string {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomBytes(8).toString('base64url');
    this.keys = [{ ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' }, ...this.keys];
    return kid;
  }
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

export class MemoryClientRegistry implements ClientRegistry {
  private readonly clients = new Map<string, { client: RegisteredClient; secretDigest?: Buffer }>();
  async add(input: NewClient, nowMs: number) {
    const client: RegisteredClient = { ...input, clientId: randomBytes(12).toString('base64url'), createdAtMs: nowMs };
    const clientSecret = input.isPublic ? undefined : randomBytes(32).toString('base64url');
    this.clients.set(client.clientId, { client, ...(clientSecret ? { secretDigest: digest(clientSecret) } : {}) });
    return { ok: true as const, client, ...(clientSecret ? { clientSecret } : {}) };
  }
  async list() {
    return [...this.clients.values()].map((c) => c.client);
  }
  async remove(clientId: string) {
    return this.clients.delete(clientId);
  }
  async find(clientId: string) {
    return this.clients.get(clientId)?.client;
  }
  async verifySecret(clientId: string, secret: string) {
    const stored = this.clients.get(clientId)?.secretDigest;
    return stored !== undefined && timingSafeEqual(stored, digest(secret));
  }
}

export function memoryOidcPorts(clock: Clock): OidcPorts & { storage: MemoryOidcStorage; signingKeys: MemorySigningKeys } {
  return { storage: new MemoryOidcStorage(clock), signingKeys: new MemorySigningKeys(), clients: new MemoryClientRegistry() };
}
