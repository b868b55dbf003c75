import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { OidcPayloadRecord } from '../../store/oidc-repository.ts';
import type { Store } from '../../store/store.ts';
import type { OidcStorage } from './ports.ts';

export interface OidcStorageDeps {
  store: Store;
  digester: TokenDigester;
  box: SecretBox;
  clock: Clock;
}

/** Rows purged per statement by `purgeExpired`. */
const PURGE_BATCH = 500;

/** The account a payload belongs to: tokens, grants and sessions carry it; interactions carry the session's or the login result's. */
function accountOf(payload: AdapterPayload): string | null {
  const login = (payload.result as { login?: { accountId?: unknown } } | undefined)?.login;
  const accountId = payload.accountId ?? payload.session?.accountId ?? login?.accountId;
  return typeof accountId === 'string' && accountId.length > 0 && accountId.length <= 128 ? accountId : null;
}

function clientOf(payload: AdapterPayload): string | null {
  const clientId = payload.clientId ?? (payload.params as { client_id?: unknown } | undefined)?.client_id;
  return typeof clientId === 'string' && clientId.length > 0 && clientId.length <= 64 ? clientId : null;
}

/**
 * oidc-provider's storage in Latchkey's database. Ids (codes and tokens are their own ids, the
 * session id is its cookie), uids, user codes and grant ids are stored as HMAC digests under
 * SECRET_KEYS, each with its own label, and payloads are sealed (AES-256-GCM, bound to their row):
 * a database dump holds nothing usable (S2).
 */
export class SealedOidcStorage implements OidcStorage {
  private readonly adapters = new Map<string, Adapter>();

  constructor(private readonly deps: OidcStorageDeps) {}

  adapter(model: string): Adapter {
    let adapter = this.adapters.get(model);
    if (!adapter) {
      adapter = new SealedAdapter(model, this.deps);
      this.adapters.set(model, adapter);
    }
    return adapter;
  }

  endEverythingForUser(userId: string): Promise<number> {
    return this.deps.store.oidc.deleteForUser(userId);
  }

  async purgeExpired(nowMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.deps.store.cleanup.deleteBatch('oidc_payloads', nowMs, PURGE_BATCH);
      total += n;
      if (n === 0) return total;
    }
  }
}

/** Digest labels: one per kind of value, so a digest of one kind never matches another. */
const label = {
  id: (model: string, id: string) => `oidc:${model}:id:${id}`,
  uid: (model: string, uid: string) => `oidc:${model}:uid:${uid}`,
  userCode: (model: string, code: string) => `oidc:${model}:user-code:${code}`,
  grant: (grantId: string) => `oidc:grant:${grantId}`,
};

class SealedAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly deps: OidcStorageDeps,
  ) {}

  private digests(value: string): string[] {
    return this.deps.digester.candidateDigests(value);
  }

  private associatedData(key: string): string {
    return `oidc-payload:${this.model}:${key}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const { digester, box, clock, store } = this.deps;
    const [key, ...olderKeys] = this.digests(label.id(this.model, id)) as [string, ...string[]];
    const nowMs = clock.nowMs();
    // The grant's own row carries its grant digest too, so revoking a grant removes it with its tokens.
    const grantId = payload.grantId ?? (this.model === 'Grant' ? id : undefined);
    const row: OidcPayloadRecord = {
      key,
      model: this.model,
      grant_id: grantId ? digester.digest(label.grant(grantId)) : null,
      user_id: accountOf(payload),
      client_id: clientOf(payload),
      uid_digest: payload.uid ? digester.digest(label.uid(this.model, payload.uid)) : null,
      user_code_digest: payload.userCode ? digester.digest(label.userCode(this.model, payload.userCode)) : null,
      payload: box.seal(JSON.stringify(payload), this.associatedData(key)),
      consumed_at: typeof payload.consumed === 'number' ? payload.consumed * 1000 : null,
      expires_at: typeof expiresIn === 'number' ? nowMs + expiresIn * 1000 : null,
    };
    // A row written under a previous SECRET_KEYS signing key is replaced, not duplicated.
    if (olderKeys.length > 0) await store.oidc.delete(this.model, olderKeys);
    await store.oidc.upsert(row);
  }

  private open(row: OidcPayloadRecord | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.deps.clock.nowMs()) return undefined;
    const payload = JSON.parse(this.deps.box.open(row.payload, this.associatedData(row.key))) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
    return payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.open(await this.deps.store.oidc.find(this.model, this.digests(label.id(this.model, id))));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.open(await this.deps.store.oidc.findByUid(this.model, this.digests(label.uid(this.model, uid))));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.open(await this.deps.store.oidc.findByUserCode(this.model, this.digests(label.userCode(this.model, userCode))));
  }

  /**
   * Marks a code or token used, atomically (S3). oidc-provider checks `consumed` before calling
   * this, but two concurrent redemptions both pass that check; the conditional UPDATE lets exactly
   * one through. The loser is treated as a reuse: the grant and everything issued from it are
   * revoked and the request fails with `invalid_grant`.
   */
  async consume(id: string): Promise<void> {
    const { store, clock } = this.deps;
    const keys = this.digests(label.id(this.model, id));
    if (await store.oidc.consume(this.model, keys, clock.nowMs())) return;
    const row = await store.oidc.find(this.model, keys);
    if (row?.grant_id) await store.oidc.deleteByGrant([row.grant_id]);
    const { errors } = await import('oidc-provider');
    throw new errors.InvalidGrant(`${this.model} already consumed`);
  }

  async destroy(id: string): Promise<void> {
    await this.deps.store.oidc.delete(this.model, this.digests(label.id(this.model, id)));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.deps.store.oidc.deleteByGrant(this.digests(label.grant(grantId)), this.model);
  }
}
