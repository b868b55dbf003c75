import type { Kysely, Selectable } from 'kysely';
import type { Database, OidcClientsTable } from './schema.ts';

export type ClientRecord = Selectable<OidcClientsTable>;

/** Registered OpenID Connect clients (applications). */
export class OidcClientsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(client: ClientRecord): Promise<void> {
    await this.db.insertInto('oidc_clients').values(client).execute();
  }

  find(clientId: string): Promise<ClientRecord | undefined> {
    return this.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  /** Oldest first. */
  list(): Promise<ClientRecord[]> {
    return this.db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
  }

  /** Replaces the secret digest (the same secret, digested under the current SECRET_KEYS key). */
  async updateSecretDigest(clientId: string, from: string, to: string): Promise<void> {
    await this.db
      .updateTable('oidc_clients')
      .set({ secret_digest: to })
      .where('client_id', '=', clientId)
      .where('secret_digest', '=', from)
      .execute();
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
