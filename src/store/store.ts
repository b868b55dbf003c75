import type { Kysely } from 'kysely';
import { AuditRepository } from './audit-repository.ts';
import { CleanupRepository } from './cleanup-repository.ts';
import { type Capabilities, retryingConflicts } from './database.ts';
import { LoginThrottlesRepository } from './login-throttles-repository.ts';
import { MfaRepository } from './mfa-repository.ts';
import { OidcClientsRepository } from './oidc-clients-repository.ts';
import { OidcKeysRepository } from './oidc-keys-repository.ts';
import { OidcRepository } from './oidc-repository.ts';
import { OutboxRepository } from './outbox-repository.ts';
import { PasskeysRepository } from './passkeys-repository.ts';
import { PendingLoginsRepository } from './pending-logins-repository.ts';
import type { Database } from './schema.ts';
import { SessionsRepository } from './sessions-repository.ts';
import { TokensRepository } from './tokens-repository.ts';
import { UsersRepository } from './users-repository.ts';

/**
 * Told (after the commit) about each user whose sessions were all ended — reset, password
 * change, sign out everywhere, admin disable or revoke — so that what hangs on sessions ends
 * too (the OpenID Connect grants and refresh tokens of that user).
 */
export type SessionsEndedListener = (userId: string) => Promise<void>;

/**
 * All repositories over one connection or one transaction. `transaction(fn)` hands `fn` a Store
 * whose repositories all run inside the same transaction: all or nothing (S16).
 */
export class Store {
  readonly users: UsersRepository;
  readonly tokens: TokensRepository;
  readonly sessions: SessionsRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly cleanup: CleanupRepository;
  readonly loginThrottles: LoginThrottlesRepository;
  readonly oidc: OidcRepository;
  readonly oidcKeys: OidcKeysRepository;
  readonly oidcClients: OidcClientsRepository;
  readonly mfa: MfaRepository;
  readonly pendingLogins: PendingLoginsRepository;
  readonly passkeys: PasskeysRepository;

  constructor(
    readonly db: Kysely<Database>,
    readonly capabilities: Capabilities,
    private readonly inTransaction = false,
    private readonly listeners: SessionsEndedListener[] = [],
    /** Inside a transaction: users whose sessions ended, told once it commits. */
    private readonly endedInTransaction?: Set<string>,
  ) {
    this.users = new UsersRepository(db, capabilities, inTransaction);
    this.tokens = new TokensRepository(db);
    this.sessions = new SessionsRepository(db, (userId) => this.sessionsEnded(userId));
    this.outbox = new OutboxRepository(db, capabilities, inTransaction);
    this.audit = new AuditRepository(db);
    this.cleanup = new CleanupRepository(db);
    this.loginThrottles = new LoginThrottlesRepository(db, capabilities);
    this.oidc = new OidcRepository(db, capabilities);
    this.oidcKeys = new OidcKeysRepository(db);
    this.oidcClients = new OidcClientsRepository(db);
    this.mfa = new MfaRepository(db);
    this.pendingLogins = new PendingLoginsRepository(db);
    this.passkeys = new PasskeysRepository(db, capabilities);
  }

  /** Registers a listener for "every session of this user ended" (see SessionsEndedListener). */
  onAllSessionsEnded(listener: SessionsEndedListener): void {
    this.listeners.push(listener);
  }

  private async sessionsEnded(userId: string): Promise<void> {
    if (this.endedInTransaction) this.endedInTransaction.add(userId);
    else for (const listener of this.listeners) await listener(userId);
  }

  /**
   * Runs `fn` in one transaction. When the engine reports a transient lock conflict (an InnoDB
   * deadlock victim, a serialization failure), the whole transaction is rolled back and run
   * again, a few times: `fn` must therefore only touch the database (queue side effects in the
   * outbox, wake workers after it resolves).
   */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const result = await retryingConflicts(
      this.capabilities,
      async () => {
        const ended = new Set<string>();
        const value = await this.db.transaction().execute((trx) => fn(new Store(trx, this.capabilities, true, this.listeners, ended)));
        return { value, ended };
      },
      20,
    );
    for (const userId of result.ended) for (const listener of this.listeners) await listener(userId);
    return result.value;
  }
}
