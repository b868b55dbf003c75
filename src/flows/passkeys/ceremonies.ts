import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { generateToken, isTokenShaped, type TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import type { PasskeyRecord } from '../../store/passkeys-repository.ts';
import type { WebauthnCeremony } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';

/**
 * @simplewebauthn/server and its helpers (with their X.509 and ASN.1 dependencies, a few hundred
 * modules) are loaded at the first ceremony, not when the service starts: once, then shared.
 */
let library: Promise<[typeof import('@simplewebauthn/server'), typeof import('@simplewebauthn/server/helpers')]> | undefined;
function webauthn() {
  library ??= Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')]);
  return library;
}

/** How long a ceremony's challenge lives (the browser's timeout is the same). */
export const CHALLENGE_SECONDS = 300;

/** The relying party: everything from PUBLIC_URL (S9), never from a request header. */
export interface RelyingParty {
  /** The host of PUBLIC_URL. */
  id: string;
  /** The origin of PUBLIC_URL: the only origin an assertion may come from. */
  origin: string;
  name: string;
}

/** What a ceremony is bound to; the challenge is refused for any other. */
export interface CeremonyBinding {
  userId?: string | null;
  sessionId?: string | null;
  pendingLoginId?: string | null;
}

export interface VerifiedRegistration {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  aaguid: string;
}

/**
 * WebAuthn ceremonies through @simplewebauthn/server, with their challenges kept here: 256
 * random bits, only the keyed digest stored, single use (one conditional UPDATE), 5 minutes,
 * bound to the purpose and to the user, session or pending sign-in that asked (S1-S4 for
 * challenges). User verification is required everywhere, so a passkey is both factors.
 */
export class WebauthnCeremonies {
  constructor(private readonly deps: { digester: TokenDigester; random: RandomSource; clock: Clock; rp: RelyingParty }) {}

  get rp(): RelyingParty {
    return this.deps.rp;
  }

  /** Options for navigator.credentials.create(): a discoverable, user-verifying passkey for `user`. */
  async registrationOptions(
    tx: Store,
    user: { id: string; email: string; name: string | null },
    existing: PasskeyRecord[],
    binding: CeremonyBinding,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const [{ generateRegistrationOptions }, { isoBase64URL }] = await webauthn();
    const challenge = await this.issue(tx, 'register', { ...binding, userId: user.id });
    return generateRegistrationOptions({
      rpName: this.deps.rp.name,
      rpID: this.deps.rp.id,
      userName: user.email,
      userDisplayName: user.name ?? user.email,
      userID: new TextEncoder().encode(user.id),
      challenge: isoBase64URL.toBuffer(challenge),
      timeout: CHALLENGE_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    });
  }

  /** Options for navigator.credentials.get(): any discoverable passkey (no account named), or the listed ones. */
  async authenticationOptions(
    tx: Store,
    purpose: Exclude<WebauthnCeremony, 'register'>,
    allow: PasskeyRecord[] | undefined,
    binding: CeremonyBinding,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const [{ generateAuthenticationOptions }, { isoBase64URL }] = await webauthn();
    const challenge = await this.issue(tx, purpose, binding);
    return generateAuthenticationOptions({
      rpID: this.deps.rp.id,
      challenge: isoBase64URL.toBuffer(challenge),
      timeout: CHALLENGE_SECONDS * 1000,
      userVerification: 'required',
      ...(allow ? { allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports })) } : {}),
    });
  }

  /**
   * Uses the challenge a response answers, when it was issued for this purpose and binding and is
   * live, and returns it (to verify the response against); undefined otherwise (unknown,
   * replayed, expired, another ceremony or another account).
   */
  async takeChallenge(
    tx: Store,
    response: { response?: { clientDataJSON?: unknown } },
    purpose: WebauthnCeremony,
    binding: CeremonyBinding,
  ): Promise<string | undefined> {
    const challenge = challengeOf(response, (await webauthn())[1]);
    if (!challenge) return undefined;
    const row = await tx.passkeys.consumeChallenge(
      this.deps.digester.candidateDigests(challengeSubject(challenge)),
      purpose,
      this.deps.clock.nowMs(),
    );
    if (!row) return undefined;
    if (binding.userId !== undefined && row.user_id !== binding.userId) return undefined;
    if (binding.sessionId !== undefined && row.session_id !== binding.sessionId) return undefined;
    if (binding.pendingLoginId !== undefined && row.pending_login_id !== binding.pendingLoginId) return undefined;
    return challenge;
  }

  /** Verifies a registration response against its (already taken) challenge; undefined when it does not verify. */
  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<VerifiedRegistration | undefined> {
    const [{ verifyRegistrationResponse }, { isoBase64URL }] = await webauthn();
    try {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.deps.rp.origin,
        expectedRPID: this.deps.rp.id,
        requireUserVerification: true,
      });
      if (!result.verified) return undefined;
      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
        counter: info.credential.counter,
        transports: (response.response.transports ?? []).filter((t) => /^[a-z-]{1,20}$/.test(t)).slice(0, 8),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Verifies an assertion by `passkey` against its (already taken) challenge: signature, origin,
   * RP ID, user verification and the signature counter. The new counter, or undefined.
   */
  async verifyAssertion(response: AuthenticationResponseJSON, challenge: string, passkey: PasskeyRecord): Promise<number | undefined> {
    const [{ verifyAuthenticationResponse }, { isoBase64URL }] = await webauthn();
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.deps.rp.origin,
        expectedRPID: this.deps.rp.id,
        requireUserVerification: true,
        credential: {
          id: passkey.credentialId,
          publicKey: isoBase64URL.toBuffer(passkey.publicKey),
          counter: passkey.counter,
          transports: passkey.transports,
        },
      });
      return result.verified ? result.authenticationInfo.newCounter : undefined;
    } catch {
      return undefined;
    }
  }

  private async issue(tx: Store, purpose: WebauthnCeremony, binding: CeremonyBinding): Promise<string> {
    const challenge = generateToken(this.deps.random);
    const nowMs = this.deps.clock.nowMs();
    await tx.passkeys.createChallenge({
      id: newId(),
      digest: this.deps.digester.digest(challengeSubject(challenge)),
      purpose,
      userId: binding.userId ?? null,
      sessionId: binding.sessionId ?? null,
      pendingLoginId: binding.pendingLoginId ?? null,
      nowMs,
      expiresAtMs: nowMs + CHALLENGE_SECONDS * 1000,
    });
    return challenge;
  }
}

/** The challenge a response's clientDataJSON names, when it has the shape of one of ours. */
function challengeOf(
  response: { response?: { clientDataJSON?: unknown } },
  { decodeClientDataJSON }: typeof import('@simplewebauthn/server/helpers'),
): string | undefined {
  const data = response.response?.clientDataJSON;
  if (typeof data !== 'string' || data.length > 4096) return undefined;
  try {
    const challenge = decodeClientDataJSON(data).challenge;
    return isTokenShaped(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

function challengeSubject(challenge: string): string {
  return `webauthn-challenge.${challenge}`;
}
