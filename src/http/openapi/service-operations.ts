import type { OperationTable } from './operation.ts';

const FORWARD_AUTH = 'Forward auth';
const REFERENCE = 'Reference';
const USER_HEADERS = 'Signed in: `Remote-User`, `Remote-Email`, `Remote-Name` and `Remote-Username` headers name the user.';

/** Forward auth for reverse proxies, and this document itself. */
export const SERVICE_OPERATIONS: OperationTable = {
  'GET /api/authz/auth-request': {
    summary: 'Forward auth for nginx auth_request',
    tag: FORWARD_AUTH,
    caller: 'optional',
    description: 'Signed out, the 401 carries the login URL in `Location` (for `auth_request_set`); never a redirect.',
    success: { status: 200, description: USER_HEADERS },
    errors: ['NOT_AUTHENTICATED'],
  },
  'GET /api/authz/forward-auth': {
    summary: 'Forward auth for Traefik and Caddy',
    tag: FORWARD_AUTH,
    caller: 'optional',
    success: { status: 200, description: USER_HEADERS },
    others: { 302: 'Signed out: to the login page, the original URL as `return_to` (when it may be returned to).' },
    description: 'Signed out, a 401 when the original URL may not be returned to.',
    errors: ['NOT_AUTHENTICATED'],
  },
  'GET /api/openapi.json': {
    summary: 'This document',
    tag: REFERENCE,
    caller: 'public',
    success: { status: 200, description: 'The OpenAPI 3.1 description of the JSON API.', body: { type: 'object' } },
    errors: [],
  },
  'GET /api/docs': {
    summary: 'This document as an HTML page',
    tag: REFERENCE,
    caller: 'public',
    description: 'Only with API_DOCS=on (the default outside production).',
    success: { status: 200, description: 'The API reference.', contentType: 'text/html', body: { type: 'string' } },
    errors: [],
  },
};
