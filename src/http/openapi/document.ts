import { readFileSync } from 'node:fs';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { ERROR_CODES, type ErrorCode, errorBody, errorMessage } from '../../kernel/errors.ts';
import type { CookiePolicy } from '../cookies.ts';
import { introduction, SCHEMAS, securitySchemes } from './components.ts';
import type { ApiOperation, Caller, JsonSchema } from './operation.ts';
import { API_TAGS, operationIdOf, operationOf } from './operations.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const RETRY_AFTER: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'OVERLOADED', 'DATABASE_UNAVAILABLE']);

type Operation = Record<string, unknown> & { requestBody?: { required?: boolean }; parameters?: unknown[] };
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>>;

export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** The route path of a document path: `/api/passkeys/{id}` is `/api/passkeys/:id`. */
export function routePathOf(documentPath: string): string {
  return documentPath.replace(/\{([^}]+)\}/g, ':$1');
}

/**
 * The codes any request of this kind can get, whatever the endpoint: an outage or a bug; for a
 * call that is not GET the guards (Origin, content type) and the body parser; VALIDATION_FAILED
 * where there is a body or path parameter to validate; NOT_AUTHENTICATED without the session.
 */
export function automaticErrors(method: string, operation: Pick<ApiOperation, 'caller'>, validated: boolean): ErrorCode[] {
  const codes: ErrorCode[] = ['INTERNAL_ERROR', 'DATABASE_UNAVAILABLE'];
  const changes = method.toUpperCase() !== 'GET';
  if (changes) codes.push('ORIGIN_NOT_ALLOWED', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON', 'PAYLOAD_TOO_LARGE');
  if (changes || validated) codes.push('VALIDATION_FAILED');
  if (operation.caller === 'session') codes.push('NOT_AUTHENTICATED');
  return codes;
}

/** One response per status, listing its codes (x-error-codes, and an example each) over the shared Error schema. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const examples = Object.fromEntries(list.map((code) => [code, { summary: code, value: errorBody(code) }]));
    responses[String(status)] = {
      description: list.map((code) => `${code}: ${errorMessage(code)}`).join('\n'),
      ...(list.some((code) => RETRY_AFTER.has(code))
        ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } } }
        : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, examples } },
      'x-error-codes': list,
    };
  }
  return responses;
}

const SECURITY: Record<Caller, Array<Record<string, string[]>>> = {
  session: [{ session: [] }],
  pending: [{ pendingLogin: [] }],
  optional: [{}, { session: [] }],
  public: [],
};

/** Fills one generated operation from its entry in the table (undocumented routes keep only their errors). */
function describe(method: string, routePath: string, generated: Operation): Operation {
  const entry = operationOf(method, routePath);
  const operation = entry ?? { caller: 'public' as const, errors: [] };
  const validated = generated.requestBody !== undefined || (generated.parameters?.length ?? 0) > 0;
  const errors = errorResponses([...automaticErrors(method, operation, validated), ...operation.errors]);
  const responses: Record<string, JsonSchema> = {};
  if (entry) {
    const { status, description, body, contentType } = entry.success;
    responses[String(status)] = { description, ...(body ? { content: { [contentType ?? 'application/json']: { schema: body } } } : {}) };
    for (const [other, text] of Object.entries(entry.others ?? {})) responses[other] = { description: text };
  } else {
    responses.default = { description: 'Not described yet.' };
  }
  const described: Operation = {
    ...generated,
    operationId: operationIdOf(method, routePath),
    security: SECURITY[operation.caller],
    responses: { ...responses, ...errors },
  };
  if (entry) {
    described.summary = entry.summary;
    described.tags = [entry.tag];
    if (entry.description) described.description = entry.description;
    if (entry.bodyOptional && generated.requestBody) described.requestBody = { ...generated.requestBody, required: false };
  }
  return described;
}

/**
 * @fastify/swagger's options: the document is generated from the routes the server registers
 * (their body, path and query schemas are the ones it validates with), only `/api/` ones, and
 * completed from the central table (operations.ts): summary, tag, success answer and error codes.
 * Responses are never put on the routes (`schema.response` would make Fastify serialise, and
 * strip, the answers); they exist only in the document.
 */
export function swaggerOptions(publicUrl: URL, cookies: CookiePolicy, pendingCookie: string): FastifyDynamicSwaggerOptions {
  const server = publicUrl.href.replace(/\/$/, '');
  return {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Latchkey JSON API', version: VERSION, description: introduction(server) },
      servers: [{ url: server }],
      tags: API_TAGS.map((tag) => ({ ...tag })),
      components: {
        schemas: SCHEMAS as never,
        securitySchemes: securitySchemes(cookies, pendingCookie) as never,
      },
    },
    // Route paths are app paths; the base path is in the server URL, never stripped from them.
    stripBasePath: false,
    // OpenAPI 3.1 is JSON Schema 2020-12: `const` stays as the server validates it.
    convertConstToEnum: false,
    transform: ({ schema, url }) => ({ schema: { ...schema, hide: !isApiPath(url) }, url }),
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      const paths = (document.openapiObject.paths ?? {}) as Record<string, PathItem>;
      for (const [path, item] of Object.entries(paths)) {
        for (const method of METHODS) {
          const generated = item[method];
          if (generated) item[method] = describe(method, routePathOf(path), generated);
        }
      }
      return document.openapiObject;
    },
  };
}
