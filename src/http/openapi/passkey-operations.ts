import { arrayOf, type OperationTable, obj, ref } from './operation.ts';

const PASSKEYS = 'Passkeys';
const SIGN_IN = 'Sign-in';
const SECOND_STEP = 'Second step';
const REAUTH = 'Re-authentication';

const CREATION_OPTIONS = {
  type: 'object',
  description: 'PublicKeyCredentialCreationOptionsJSON: pass to startRegistration() of @simplewebauthn/browser.',
};
const REQUEST_OPTIONS = {
  type: 'object',
  description: 'PublicKeyCredentialRequestOptionsJSON: pass to startAuthentication() of @simplewebauthn/browser.',
};
const ONE_PASSKEY = obj({ passkey: ref('Passkey') });
const SIGNED_IN = obj({ user: ref('User') });

/** Passkeys (PASSKEYS=on): settings, sign-in with one alone, as the second step, and to confirm it is you. */
export const PASSKEY_OPERATIONS: OperationTable = {
  'GET /api/passkeys': {
    summary: "The account's passkeys",
    tag: PASSKEYS,
    caller: 'session',
    success: { status: 200, description: 'Oldest first.', body: obj({ passkeys: arrayOf(ref('Passkey')) }) },
    errors: [],
  },
  'POST /api/passkeys/register/options': {
    bodyOptional: true,
    summary: 'Options to create a passkey',
    tag: PASSKEYS,
    caller: 'session',
    success: {
      status: 200,
      description: 'For navigator.credentials.create(); the account’s passkeys are excluded.',
      body: CREATION_OPTIONS,
    },
    errors: ['REAUTH_REQUIRED', 'PASSKEY_LIMIT_REACHED'],
  },
  'POST /api/passkeys/register/verify': {
    summary: 'Add the created passkey',
    tag: PASSKEYS,
    caller: 'session',
    description: '`response` is what startRegistration() returns.',
    success: { status: 201, description: 'Added; a notice mail goes to the account’s address.', body: ONE_PASSKEY },
    errors: ['REAUTH_REQUIRED', 'PASSKEY_INVALID', 'PASSKEY_ALREADY_REGISTERED', 'PASSKEY_LIMIT_REACHED'],
  },
  'PATCH /api/passkeys/:id': {
    summary: 'Rename a passkey',
    tag: PASSKEYS,
    caller: 'session',
    success: { status: 200, description: 'Renamed.', body: ONE_PASSKEY },
    errors: ['PASSKEY_NOT_FOUND'],
  },
  'DELETE /api/passkeys/:id': {
    summary: 'Remove a passkey',
    tag: PASSKEYS,
    caller: 'session',
    success: { status: 204, description: 'Removed; a notice mail goes to the account’s address.' },
    errors: ['REAUTH_REQUIRED', 'PASSKEY_NOT_FOUND'],
  },
  'POST /api/login/passkey/options': {
    bodyOptional: true,
    summary: 'Options to sign in with a passkey',
    tag: SIGN_IN,
    caller: 'public',
    success: { status: 200, description: 'For navigator.credentials.get(): a 5-minute single-use challenge.', body: REQUEST_OPTIONS },
    errors: ['RATE_LIMITED'],
  },
  'POST /api/login/passkey/verify': {
    summary: 'Sign in with a passkey',
    tag: SIGN_IN,
    caller: 'optional',
    description: '`response` is what startAuthentication() returns.',
    success: { status: 200, description: 'Signed in (no second step): the session cookie is set.', body: SIGNED_IN },
    errors: ['PASSKEY_INVALID', 'RATE_LIMITED'],
  },
  'POST /api/login/second-factor/passkey/options': {
    bodyOptional: true,
    summary: 'Options for a passkey as the second step',
    tag: SECOND_STEP,
    caller: 'pending',
    success: { status: 200, description: 'The challenge is bound to this pending sign-in.', body: REQUEST_OPTIONS },
    errors: ['PASSKEY_NOT_FOUND', 'SECOND_FACTOR_EXPIRED'],
  },
  'POST /api/login/second-factor/passkey/verify': {
    summary: 'Finish signing in with a passkey',
    tag: SECOND_STEP,
    caller: 'pending',
    success: { status: 200, description: 'Signed in: the session cookie is set.', body: SIGNED_IN },
    errors: ['PASSKEY_INVALID', 'SECOND_FACTOR_EXPIRED'],
  },
  'POST /api/reauthenticate/passkey/options': {
    bodyOptional: true,
    summary: 'Options to confirm it is you with a passkey',
    tag: REAUTH,
    caller: 'session',
    success: { status: 200, description: 'The challenge is bound to this session.', body: REQUEST_OPTIONS },
    errors: ['PASSKEY_NOT_FOUND'],
  },
  'POST /api/reauthenticate/passkey/verify': {
    summary: 'Confirm it is you with a passkey',
    tag: REAUTH,
    caller: 'session',
    success: { status: 204, description: 'The session counts as recently authenticated.' },
    errors: ['PASSKEY_INVALID'],
  },
};
