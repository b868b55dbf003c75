import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { type CBORType, encodeCBOR } from '@levischuck/tiny-cbor';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** One passkey held by the software authenticator. */
export interface SoftCredential {
  id: string;
  rpId: string;
  /** The user handle the relying party gave at registration (base64url). */
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  counter: number;
}

/** Knobs to make a response wrong in one precise way. */
export interface CeremonyKnobs {
  /** The origin the "browser" puts in clientDataJSON (default: the one passed in). */
  origin?: string;
  /** The RP ID whose hash goes into authenticatorData (default: the options' rpId / rp.id). */
  rpId?: string;
  /** Leave the user-verified flag off (the authenticator only tested presence). */
  noUserVerification?: boolean;
  /** Sign with a fresh key instead of the credential's. */
  wrongKey?: boolean;
  /** Use this signature counter (and remember it) instead of counter + counterStep. */
  counter?: number;
  /**
   * get(): assert with this credential (default: the first one the options allow, or the newest
   * for the RP). create(): register a new key under this (already used) credential ID.
   */
  credentialId?: string;
  /** Put this user handle in the assertion (default: the credential's; null for none). */
  userHandle?: string | null;
  /** Override the challenge the client data names (default: the options' challenge). */
  challenge?: string;
  /** Override clientDataJSON's type (default webauthn.create / webauthn.get). */
  type?: string;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/**
 * A software WebAuthn authenticator for tests (the client side only: the server stays on
 * @simplewebauthn/server). ES256 key pairs from node:crypto, `none` attestation, discoverable
 * credentials with user verification; authenticatorData with the RP ID hash, flags UP+UV (and
 * BE+BS when `synced`), the signature counter and, at registration, the attested credential data
 * with the COSE key. `counterStep` 0 behaves like a synced passkey (counter always 0).
 */
export class SoftwareAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly o: { counterStep?: number; synced?: boolean } = {}) {}

  /** navigator.credentials.create(): a new passkey for the options' RP and user. */
  create(options: PublicKeyCredentialCreationOptionsJSON, origin: string, knobs: CeremonyKnobs = {}): RegistrationResponseJSON {
    const rpId = knobs.rpId ?? options.rp.id ?? new URL(origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = knobs.credentialId ? Buffer.from(knobs.credentialId, 'base64url') : randomBytes(32);
    const counter = knobs.counter ?? 0;
    const credential: SoftCredential = {
      id: b64url(credentialId),
      rpId,
      userHandle: options.user.id,
      privateKey,
      publicKey,
      counter,
    };
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, credentialId, Buffer.from(cose)]);
    const authData = this.authenticatorData(rpId, counter, knobs, FLAG_AT, attested);
    const clientDataJSON = clientData(knobs.type ?? 'webauthn.create', knobs.challenge ?? options.challenge, knobs.origin ?? origin);
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CBORType>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get(): an assertion by one of its passkeys for the options' challenge. */
  get(options: PublicKeyCredentialRequestOptionsJSON, origin: string, knobs: CeremonyKnobs = {}): AuthenticationResponseJSON {
    const credential = this.pick(options, knobs.credentialId);
    const rpId = knobs.rpId ?? options.rpId ?? credential.rpId;
    const counter = knobs.counter ?? credential.counter + (this.o.counterStep ?? 1);
    credential.counter = counter;
    const authData = this.authenticatorData(rpId, counter, knobs, 0);
    const clientDataJSON = clientData(knobs.type ?? 'webauthn.get', knobs.challenge ?? options.challenge, knobs.origin ?? origin);
    const key = knobs.wrongKey ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : credential.privateKey;
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), key);
    const userHandle = knobs.userHandle === undefined ? credential.userHandle : knobs.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }

  private pick(options: PublicKeyCredentialRequestOptionsJSON, credentialId: string | undefined): SoftCredential {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const wanted = credentialId ?? allowed.find((id) => this.credentials.some((c) => c.id === id));
    const found = wanted
      ? this.credentials.find((c) => c.id === wanted)
      : [...this.credentials].reverse().find((c) => !options.rpId || c.rpId === options.rpId);
    if (!found) throw new Error('the software authenticator holds no passkey for these options');
    return found;
  }

  private authenticatorData(rpId: string, counter: number, knobs: CeremonyKnobs, extraFlags: number, attested?: Buffer): Buffer {
    let flags = FLAG_UP | extraFlags;
    if (!knobs.noUserVerification) flags |= FLAG_UV;
    if (this.o.synced) flags |= FLAG_BE | FLAG_BS;
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counterBytes, ...(attested ? [attested] : [])]);
  }
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}
