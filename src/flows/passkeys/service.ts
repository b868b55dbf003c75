import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { PasskeyRecord } from '../../store/passkeys-repository.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { RequestContext } from '../context.ts';
import { publicUser, type SignedIn } from '../login/service.ts';
import type { SessionService } from '../login/session-service.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import type { SecondStepService } from '../mfa/second-step.ts';
import type { SecondStepDone } from '../mfa/second-step-port.ts';
import type { WebauthnCeremonies } from './ceremonies.ts';

/** The amr of a session signed in with a user-verifying passkey alone (RFC 8176): both factors. */
export const PASSKEY_AMR = ['hwk', 'user'] as const;

/** At most this many passkeys per account (each one is a row the login options never list, but settings do). */
export const MAX_PASSKEYS = 20;

export type PasskeyProblem = 'PASSKEY_INVALID' | 'PASSKEY_ALREADY_REGISTERED' | 'PASSKEY_LIMIT_REACHED';

/** What the settings list shows of a passkey (never its key or counter). */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** A synced passkey (iCloud Keychain, Google Password Manager...) rather than one bound to a device. */
  synced: boolean;
}

export function summarise(p: PasskeyRecord): PasskeySummary {
  return {
    id: p.id,
    name: p.name,
    createdAt: new Date(p.createdAtMs).toISOString(),
    lastUsedAt: p.lastUsedAtMs === null ? null : new Date(p.lastUsedAtMs).toISOString(),
    synced: p.deviceType === 'multiDevice',
  };
}

/**
 * Passkeys: adding one (bound to the signed-in session), signing in with one alone (a
 * user-verifying passkey is both factors: amr hwk user), and one as the second step after a
 * password or an emailed link. Every assertion answers a challenge this server issued for that
 * very ceremony, once; the credential must belong to the account the ceremony is about, and its
 * signature counter must move forward (recorded with a conditional UPDATE, so of two parallel
 * uses of one assertion at most one counts). Recent authentication is the caller's (routes);
 * adding and removing write their audit event and queue a notice to the account's address in the
 * same transaction as the change.
 */
export class PasskeyService {
  constructor(
    private readonly deps: {
      store: Store;
      ceremonies: WebauthnCeremonies;
      sessions: SessionService;
      secondStep: SecondStepService;
      outbox: Outbox;
      clock: Clock;
    },
  ) {}

  list(userId: string): Promise<PasskeyRecord[]> {
    return this.deps.store.passkeys.listForUser(userId);
  }

  /** Options to add a passkey to the signed-in account (the caller checked recent authentication). */
  async registrationOptions(auth: ActiveSession): Promise<Result<PublicKeyCredentialCreationOptionsJSON, PasskeyProblem>> {
    const { store, ceremonies } = this.deps;
    const existing = await store.passkeys.listForUser(auth.user.id);
    if (existing.length >= MAX_PASSKEYS) return fail('PASSKEY_LIMIT_REACHED');
    return ok(await ceremonies.registrationOptions(store, auth.user, existing, { sessionId: auth.session.id }));
  }

  /** Verifies and stores a new passkey for the signed-in account, with its audit event. */
  async register(
    auth: ActiveSession,
    response: RegistrationResponseJSON,
    name: string,
    context: RequestContext,
  ): Promise<Result<PasskeyRecord, PasskeyProblem>> {
    const { store, ceremonies, clock } = this.deps;
    const challenge = await ceremonies.takeChallenge(store, response, 'register', { userId: auth.user.id, sessionId: auth.session.id });
    if (!challenge) return fail('PASSKEY_INVALID');
    const verified = await ceremonies.verifyRegistration(response, challenge);
    if (!verified) return fail('PASSKEY_INVALID');
    const result = await store.transaction(async (tx): Promise<Result<PasskeyRecord, PasskeyProblem>> => {
      if ((await tx.passkeys.countForUser(auth.user.id)) >= MAX_PASSKEYS) return fail('PASSKEY_LIMIT_REACHED');
      const id = newId();
      const nowMs = clock.nowMs();
      if (!(await tx.passkeys.create({ id, userId: auth.user.id, name, nowMs, ...verified }))) return fail('PASSKEY_ALREADY_REGISTERED');
      await tx.audit.record({ type: 'passkey.added', userId: auth.user.id, ...context, nowMs, detail: { passkey: id } });
      await this.notify(tx, auth.user.id, 'added', name, nowMs);
      const created = await tx.passkeys.findForUser(auth.user.id, id);
      return created ? ok(created) : fail('PASSKEY_INVALID');
    });
    if (result.ok) this.deps.outbox.wake();
    return result;
  }

  /** Renames one of the account's passkeys; undefined when it has no such passkey. */
  async rename(auth: ActiveSession, id: string, name: string, context: RequestContext): Promise<PasskeyRecord | undefined> {
    const { store, clock } = this.deps;
    return store.transaction(async (tx) => {
      if (!(await tx.passkeys.rename(auth.user.id, id, name))) return undefined;
      await tx.audit.record({ type: 'passkey.renamed', userId: auth.user.id, ...context, nowMs: clock.nowMs(), detail: { passkey: id } });
      return tx.passkeys.findForUser(auth.user.id, id);
    });
  }

  /** Removes one of the account's passkeys (the caller checked recent authentication); false when it has no such passkey. */
  async remove(auth: ActiveSession, id: string, context: RequestContext): Promise<boolean> {
    const { store, clock } = this.deps;
    const removed = await store.transaction(async (tx) => {
      const passkey = await tx.passkeys.findForUser(auth.user.id, id);
      if (!passkey || !(await tx.passkeys.remove(auth.user.id, id))) return false;
      const nowMs = clock.nowMs();
      await tx.audit.record({ type: 'passkey.removed', userId: auth.user.id, ...context, nowMs, detail: { passkey: id } });
      await this.notify(tx, auth.user.id, 'removed', passkey.name, nowMs);
      return true;
    });
    if (removed) this.deps.outbox.wake();
    return removed;
  }

  /** The notice of an added or removed passkey, to the address stored for the account (S21), inside `tx`. */
  private async notify(tx: Store, userId: string, change: 'added' | 'removed', passkeyName: string, nowMs: number): Promise<void> {
    const user = await tx.users.findById(userId);
    if (!user) return;
    await this.deps.outbox.enqueue(tx.outbox, 'mail', {
      template: 'passkey-changed',
      to: user.email,
      locale: user.locale,
      data: { name: greetingNameOf(user), change, passkeyName, changedAtMs: nowMs },
    });
  }

  /** Options for signing in with any discoverable passkey (the browser lets the person pick one). */
  async loginOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.deps.ceremonies.authenticationOptions(this.deps.store, 'login', undefined, {});
  }

  /**
   * Signs in with a passkey alone: a session with amr hwk user, no second step (the passkey
   * verified the user, S27). Unknown credentials, another ceremony's challenge, a replayed
   * assertion, a disabled account and a bad signature all give the same PASSKEY_INVALID.
   */
  async login(
    response: AuthenticationResponseJSON,
    context: RequestContext,
    options: { remember: boolean },
  ): Promise<Result<SignedIn, PasskeyProblem>> {
    const { store, ceremonies, sessions, clock } = this.deps;
    const challenge = await ceremonies.takeChallenge(store, response, 'login', {});
    const found = challenge && (await this.assertedPasskey(response));
    if (!challenge || !found) return this.failed(undefined, context);
    const { passkey, user } = found;
    const counter = await ceremonies.verifyAssertion(response, challenge, passkey);
    if (counter === undefined) return this.failed(user, context);
    const session = await store.transaction(async (tx) => {
      if (!(await tx.passkeys.recordUse(passkey.id, passkey.counter, counter, clock.nowMs()))) return undefined;
      return sessions.signIn(tx, user.id, context, { persistent: options.remember, amr: PASSKEY_AMR, detail: { passkey: passkey.id } });
    });
    if (!session) return this.failed(user, context);
    return ok({ user: publicUser(user), session });
  }

  /**
   * Options for a passkey as the second step of a live pending sign-in: that account's passkeys
   * only. SECOND_FACTOR_EXPIRED when there is no live pending sign-in, PASSKEY_NOT_FOUND when its
   * account has no passkey (the pending sign-in stays, for a code).
   */
  async secondFactorOptions(
    pendingToken: string | undefined,
  ): Promise<Result<PublicKeyCredentialRequestOptionsJSON, 'SECOND_FACTOR_EXPIRED' | 'PASSKEY_NOT_FOUND'>> {
    const { store, ceremonies, secondStep } = this.deps;
    const found = await secondStep.livePending(pendingToken);
    if (!found) return fail('SECOND_FACTOR_EXPIRED');
    const passkeys = await store.passkeys.listForUser(found.user.id);
    if (passkeys.length === 0) return fail('PASSKEY_NOT_FOUND');
    const binding = { userId: found.user.id, pendingLoginId: found.pending.id };
    return ok(await ceremonies.authenticationOptions(store, 'second-factor', passkeys, binding));
  }

  /**
   * Completes a pending sign-in with a passkey: the assertion must answer the challenge issued
   * for this pending sign-in, by a passkey of its account. A refused assertion counts as a wrong
   * code on the pending sign-in (at most 5).
   */
  async completeSecondFactor(
    pendingToken: string | undefined,
    response: AuthenticationResponseJSON,
    o: { rememberDevice: boolean },
    context: RequestContext,
  ): Promise<Result<SecondStepDone, PasskeyProblem | 'SECOND_FACTOR_EXPIRED'>> {
    const { store, ceremonies, secondStep, clock } = this.deps;
    const live = await secondStep.livePending(pendingToken);
    if (!live) return fail('SECOND_FACTOR_EXPIRED');
    const { pending, user } = live;
    if (!(await secondStep.countAttempt(pending))) return fail('SECOND_FACTOR_EXPIRED');
    const challenge = await ceremonies.takeChallenge(store, response, 'second-factor', { userId: user.id, pendingLoginId: pending.id });
    const found = challenge && (await this.assertedPasskey(response));
    const counter =
      challenge && found && found.user.id === user.id ? await ceremonies.verifyAssertion(response, challenge, found.passkey) : undefined;
    if (!found || counter === undefined) {
      await secondStep.attemptFailed(pending);
      await this.failed(user, context, 'login.second_factor_failed');
      return fail('PASSKEY_INVALID');
    }
    const done = await store.transaction(async (tx) => {
      if (!(await tx.passkeys.recordUse(found.passkey.id, found.passkey.counter, counter, clock.nowMs()))) return undefined;
      return secondStep.signIn(tx, pending, user, { method: 'passkey', rememberDevice: o.rememberDevice }, context);
    });
    if (!done?.ok) return fail(done ? 'SECOND_FACTOR_EXPIRED' : 'PASSKEY_INVALID');
    return ok(done.value);
  }

  /** Options to confirm it is still the account's owner with one of their passkeys (recent authentication). */
  async reauthOptions(auth: ActiveSession): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
    const { store, ceremonies } = this.deps;
    const passkeys = await store.passkeys.listForUser(auth.user.id);
    if (passkeys.length === 0) return undefined;
    return ceremonies.authenticationOptions(store, 'reauth', passkeys, { userId: auth.user.id, sessionId: auth.session.id });
  }

  /** Marks the session recently authenticated after a passkey of its account verified. */
  async reauthenticate(
    auth: ActiveSession,
    response: AuthenticationResponseJSON,
    context: RequestContext,
  ): Promise<Result<void, PasskeyProblem>> {
    const { store, ceremonies, clock } = this.deps;
    const challenge = await ceremonies.takeChallenge(store, response, 'reauth', { userId: auth.user.id, sessionId: auth.session.id });
    const found = challenge && (await this.assertedPasskey(response));
    if (!challenge || !found || found.user.id !== auth.user.id) return fail('PASSKEY_INVALID');
    const counter = await ceremonies.verifyAssertion(response, challenge, found.passkey);
    if (counter === undefined) return fail('PASSKEY_INVALID');
    const nowMs = clock.nowMs();
    if (!(await store.passkeys.recordUse(found.passkey.id, found.passkey.counter, counter, nowMs))) return fail('PASSKEY_INVALID');
    await store.sessions.markAuthenticated(auth.session.id, nowMs);
    await store.audit.record({ type: 'reauthenticated', userId: auth.user.id, ...context, nowMs, detail: { passkey: found.passkey.id } });
    return ok(undefined);
  }

  /** The passkey an assertion names and its account, when both exist and the account may sign in. */
  private async assertedPasskey(response: AuthenticationResponseJSON): Promise<{ passkey: PasskeyRecord; user: UserRecord } | undefined> {
    if (typeof response.id !== 'string' || response.id.length === 0 || response.id.length > 1400) return undefined;
    const passkey = await this.deps.store.passkeys.findByCredentialId(response.id);
    if (!passkey) return undefined;
    // A discoverable passkey names its account too (the user handle we set at registration).
    const handle = response.response?.userHandle;
    if (handle !== undefined && handle !== null && Buffer.from(handle, 'base64url').toString('utf8') !== passkey.userId) return undefined;
    const user = await this.deps.store.users.findById(passkey.userId);
    if (!user || user.disabled_at !== null) return undefined;
    return { passkey, user };
  }

  private async failed<T>(
    user: UserRecord | undefined,
    context: RequestContext,
    type: 'login.failed' | 'login.second_factor_failed' = 'login.failed',
  ): Promise<Result<T, PasskeyProblem>> {
    await this.deps.store.audit.record({
      type,
      userId: user?.id ?? null,
      ...context,
      nowMs: this.deps.clock.nowMs(),
      detail: { method: 'passkey' },
    });
    return fail('PASSKEY_INVALID');
  }
}
