import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { API_OPERATIONS } from '../../src/http/openapi/operations.ts';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../../src/kernel/errors.ts';
import { startTestService, type TestService } from '../support/app.ts';
import {
  type DocumentedOperation,
  documentedOperations,
  fetchDocument,
  type OpenApiDocument,
  registeredRoutes,
} from '../support/openapi.ts';

/** Every optional area on, so every endpoint of the table exists. */
const EVERYTHING_ON = { PASSWORDLESS: 'on', PASSKEYS: 'on', USERNAMES: 'optional', CONFIRM_EMAIL: 'required', API_DOCS: 'on' };

describe('GET /api/openapi.json: the OpenAPI 3.1 document of the JSON API', () => {
  let service: TestService;
  let document: OpenApiDocument;
  let operations: Map<string, DocumentedOperation>;
  /** `METHOD /api/path` of every /api/ route the app registered, with its route options. */
  let apiRoutes: Map<string, { body: unknown; params: unknown }>;
  before(async () => {
    service = await startTestService(EVERYTHING_ON);
    document = await fetchDocument(service);
    operations = documentedOperations(document);
    apiRoutes = new Map();
    for (const route of await registeredRoutes(service)) {
      if (!route.url.startsWith('/api/')) continue;
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') apiRoutes.set(`${method} ${route.url}`, { body: route.schema?.body, params: route.schema?.params });
      }
    }
  });
  after(() => service.close());

  it('is a valid OpenAPI 3.1 document (@readme/openapi-parser), served as JSON with the service as its server', async () => {
    assert.match(document.openapi, /^3\.1\.\d+$/);
    const result = await validate(structuredClone(document) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.equal(result.specification, 'OpenAPI');
    assert.deepEqual(document.servers, [{ url: service.config.publicUrl.href.replace(/\/$/, '') }]);
    const response = await fetch(service.at('/api/openapi.json'));
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('has every /api/ route the app registered, with its methods, and nothing else', () => {
    assert.ok(apiRoutes.size >= 40, `found ${apiRoutes.size} API routes`);
    assert.deepEqual(
      [...apiRoutes.keys()].filter((key) => !operations.has(key)),
      [],
      'registered but not in the document',
    );
    assert.deepEqual(
      [...operations.keys()].filter((key) => !apiRoutes.has(key)),
      [],
      'in the document but not registered',
    );
  });

  it('the central table describes every route, and has no entry for a route that does not exist', () => {
    assert.deepEqual(
      [...apiRoutes.keys()].filter((key) => !(key in API_OPERATIONS)),
      [],
      'registered but not in API_OPERATIONS',
    );
    assert.deepEqual(
      Object.keys(API_OPERATIONS).filter((key) => !apiRoutes.has(key)),
      [],
      'in API_OPERATIONS but no such route',
    );
    for (const [key, operation] of operations) {
      const entry = API_OPERATIONS[key];
      assert.equal(operation.summary, entry?.summary, key);
      assert.deepEqual(operation.tags, [entry?.tag], key);
      assert.ok(operation.responses[String(entry?.success.status)], `${key}: its success status`);
    }
  });

  it('gives each route the body and path schema the server validates with', () => {
    for (const [key, route] of apiRoutes) {
      const operation = operations.get(key) as DocumentedOperation;
      if (route.body === undefined) {
        assert.equal(operation.requestBody, undefined, key);
        continue;
      }
      const schema = operation.requestBody?.content['application/json']?.schema;
      assert.deepEqual(schema, JSON.parse(JSON.stringify(route.body)), `${key}: request body`);
      assert.equal(operation.requestBody?.required, API_OPERATIONS[key]?.bodyOptional !== true, `${key}: body required`);
    }
    const params = operations.get('DELETE /api/passkeys/:id')?.parameters ?? [];
    assert.deepEqual(
      params.map((p) => [p.name, p.in]),
      [['id', 'path']],
    );
  });

  it('lists under each status only codes of errors.ts with that status, each with an example in the Error shape', () => {
    const errorCodes = (document.components.schemas.Error as { properties: { error: { properties: { code: { enum: string[] } } } } })
      .properties.error.properties.code.enum;
    assert.deepEqual([...errorCodes].sort(), Object.keys(ERROR_CODES).sort());
    let checked = 0;
    for (const [key, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const codes = response['x-error-codes'];
        if (Number(status) >= 400) assert.ok(codes && codes.length > 0, `${key} ${status}: no error codes`);
        if (!codes) continue;
        const content = response.content?.['application/json'];
        assert.deepEqual(content?.schema, { $ref: '#/components/schemas/Error' }, `${key} ${status}`);
        assert.deepEqual(Object.keys(content?.examples ?? {}).sort(), [...codes].sort(), `${key} ${status}: examples`);
        for (const code of codes) {
          assert.ok(Object.hasOwn(ERROR_CODES, code), `${key}: ${code} is not in errors.ts`);
          assert.equal(ERROR_CODES[code as ErrorCode].status, Number(status), `${key}: ${code} documented under ${status}`);
          const example = content?.examples?.[code]?.value as { error: { code: string; message: string } };
          assert.deepEqual(example, { error: { code, message: errorMessage(code as ErrorCode) } });
          checked++;
        }
      }
      for (const code of API_OPERATIONS[key]?.errors ?? []) {
        const listed = operation.responses[String(ERROR_CODES[code].status)]?.['x-error-codes'] ?? [];
        assert.ok(listed.includes(code), `${key}: ${code} from the table is missing`);
      }
    }
    assert.ok(checked > 200, `checked ${checked} codes`);
  });

  it('describes the cookies as security schemes, with the Origin rule, and which endpoints need the session', () => {
    const { session, pendingLogin } = document.components.securitySchemes as Record<string, Record<string, string>>;
    assert.equal(session?.type, 'apiKey');
    assert.equal(session?.in, 'cookie');
    assert.equal(session?.name, 'lk_session');
    assert.match(session?.description ?? '', /Origin/);
    assert.equal(pendingLogin?.in, 'cookie');
    assert.deepEqual(operations.get('GET /api/sessions')?.security, [{ session: [] }]);
    assert.deepEqual(operations.get('POST /api/login/second-factor')?.security, [{ pendingLogin: [] }]);
    assert.deepEqual(operations.get('POST /api/register')?.security, []);
  });

  it('matches what the server answers: malformed JSON, and a call without the session, get a documented status and code', async () => {
    for (const [key, operation] of operations) {
      const [method, path] = key.split(' ') as [string, string];
      const url = service.at(path.replace(/:[A-Za-z]+/g, 'sample'));
      const answer =
        method === 'GET'
          ? await fetch(url)
          : await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: '{"broken"' });
      if (answer.status < 400) continue;
      const body = (await answer.json()) as { error: { code: string } };
      const listed = operation.responses[String(answer.status)]?.['x-error-codes'] ?? [];
      assert.ok(listed.includes(body.error.code), `${key} answered ${answer.status} ${body.error.code}, documented: ${listed}`);
    }
  });
});

describe('the document under a base path (PUBLIC_URL=https://example.com/auth)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ PUBLIC_URL: 'https://example.com/auth' });
  });
  after(() => service.close());

  it('is served under the base path, names PUBLIC_URL as its server and keeps app paths', async () => {
    const outside = await fetch(service.at('/api/openapi.json'));
    assert.equal(outside.status, 404);
    const document = await fetchDocument(service, '/auth/api/openapi.json');
    assert.deepEqual(document.servers, [{ url: 'https://example.com/auth' }]);
    assert.ok(document.paths['/api/login']?.post, 'POST /api/login');
    assert.ok(Object.keys(document.paths).every((path) => path.startsWith('/api/')));
    const schemes = document.components.securitySchemes as Record<string, { name: string }>;
    assert.equal(schemes.session?.name, '__Secure-lk_session');
    const result = await validate(structuredClone(document) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
  });

  it('the reference page links under the base path', async () => {
    const page = await fetch(service.at('/auth/api/docs'));
    assert.equal(page.status, 200);
    const text = await page.text();
    assert.match(text, /href="\/auth\/api\/openapi\.json"/);
    assert.match(text, /https:\/\/example\.com\/auth/);
  });
});
