import { ACCOUNT_OPERATIONS } from './account-operations.ts';
import type { ApiOperation, OperationTable } from './operation.ts';
import { PASSKEY_OPERATIONS } from './passkey-operations.ts';
import { SERVICE_OPERATIONS } from './service-operations.ts';
import { SIGN_IN_OPERATIONS } from './sign-in-operations.ts';

/** Every JSON API endpoint the document describes, keyed by "METHOD /api/path" (the route's own path). */
export const API_OPERATIONS: OperationTable = {
  ...SIGN_IN_OPERATIONS,
  ...PASSKEY_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...SERVICE_OPERATIONS,
};

/** The tags in the order the document and the reference page list them. */
export const API_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'Registration', description: 'New accounts and email confirmation.' },
  { name: 'Sign-in', description: 'Password, mailed link or code, passkey; signing out.' },
  { name: 'Second step', description: 'A sign-in waiting for its second factor (the pending-login cookie).' },
  { name: 'Password recovery', description: 'Forgot password, reset, forgot username.' },
  { name: 'Account', description: 'The signed-in account: overview, activity, password and email.' },
  { name: 'Sessions', description: 'The signed-in account’s sessions.' },
  { name: 'Re-authentication', description: 'Confirm it is you before a sensitive change (RECENT_AUTH_TTL).' },
  { name: 'Two-step settings', description: 'Authenticator app and recovery codes.' },
  { name: 'Passkeys', description: 'Adding, naming and removing passkeys (PASSKEYS=on).' },
  { name: 'Phone', description: 'The phone number for codes by text message.' },
  { name: 'Forward auth', description: 'For reverse proxies: nginx auth_request, Traefik and Caddy.' },
  { name: 'Reference', description: 'This description of the API.' },
];

/** The key of a route in API_OPERATIONS: `POST /api/passkeys/:id`. */
export function operationKey(method: string, routePath: string): string {
  return `${method.toUpperCase()} ${routePath}`;
}

/** The operation of a route, if the table has it. */
export function operationOf(method: string, routePath: string): ApiOperation | undefined {
  return API_OPERATIONS[operationKey(method, routePath)];
}

/** A stable operationId for client generators: `POST /api/passkeys/:id` is `postPasskeysById`. */
export function operationIdOf(method: string, routePath: string): string {
  const words = routePath
    .split('/')
    .filter((part) => part !== '' && part !== 'api')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[-_.]/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}
