import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { documentedOperations, fetchDocument } from '../support/openapi.ts';

describe('GET /api/docs: the API reference page', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ PASSKEYS: 'on' });
  });
  after(() => service.close());

  it('lists every endpoint of the document with its body fields and error codes, without a script', async () => {
    const response = await fetch(service.at('/api/docs'));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(response.headers.get('content-security-policy') ?? '', /script-src/);
    const page = await response.text();
    assert.doesNotMatch(page, /<script/i);
    const operations = documentedOperations(await fetchDocument(service));
    assert.ok(operations.size >= 30);
    for (const [key, operation] of operations) {
      const [method, path] = key.split(' ') as [string, string];
      const shown = `<code>${method} ${path.replace(/:([A-Za-z]+)/g, '{$1}')}</code>`;
      assert.ok(page.includes(shown), `${key} is not on the page`);
      for (const field of Object.keys(operation.requestBody?.content['application/json']?.schema.properties ?? {})) {
        assert.ok(page.includes(`<code>${field}</code>`), `${key}: field ${field}`);
      }
    }
    // One endpoint in full: its body, its success and each of its codes.
    const section = page.slice(page.indexOf('<code>POST /api/password/forgot</code>'));
    const forgot = section.slice(0, section.indexOf('</section>'));
    assert.match(forgot, /<td><code>email<\/code><\/td><td>string \(1-320 characters\)<\/td><td>yes<\/td>/);
    assert.match(forgot, /<td><code>method<\/code><\/td><td>[^<]*&quot;link&quot;[^<]*<\/td><td>no<\/td>/);
    assert.match(forgot, /<td>202<\/td>/);
    for (const code of ['EMAIL_INVALID', 'RECOVERY_METHOD_NOT_ALLOWED', 'VALIDATION_FAILED']) {
      assert.match(forgot, new RegExp(`<code>${code}</code>`));
    }
  });
});

describe('with API_DOCS=off, and by default in production', () => {
  for (const env of [{ API_DOCS: 'off' }, { NODE_ENV: 'production' }] as Array<Record<string, string>>) {
    it(`${JSON.stringify(env)}: /api/docs is 404 NOT_FOUND, /api/openapi.json is still served`, async () => {
      const service = await startTestService(env);
      try {
        const docs = await fetch(service.at('/api/docs'));
        assert.equal(docs.status, 404);
        assert.equal(((await docs.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
        const document = await fetchDocument(service);
        assert.equal(document.paths['/api/docs'], undefined);
        assert.ok(document.paths['/api/openapi.json']?.get);
      } finally {
        await service.close();
      }
    });
  }
});
