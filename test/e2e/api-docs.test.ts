import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_OPERATIONS, operationIdOf } from '../../src/http/openapi/operations.ts';
import { catalogues } from '../../src/i18n/catalogue.ts';
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

  it('the catalogue’s English of every summary, description and answer is the document’s, and nothing else', () => {
    const english = catalogues().get('en') ?? {};
    const expected: Record<string, string> = {};
    for (const [key, operation] of Object.entries(API_OPERATIONS)) {
      const [method, path] = key.split(' ') as [string, string];
      const id = `apidocs.op.${operationIdOf(method, path)}`;
      expected[`${id}.summary`] = operation.summary;
      if (operation.description) expected[`${id}.description`] = operation.description;
      expected[`${id}.response.${operation.success.status}`] = operation.success.description;
      for (const [status, text] of Object.entries(operation.others ?? {})) expected[`${id}.response.${status}`] = text;
    }
    const inCatalogue = Object.fromEntries(Object.entries(english).filter(([key]) => key.startsWith('apidocs.op.')));
    assert.deepEqual(inCatalogue, expected);
  });

  it('shows the document’s prose in the page’s language, its code as it is', async () => {
    const page = await (await fetch(service.at('/api/docs?lang=de'))).text();
    assert.match(page, /<html lang="de"/);
    const section = page.slice(page.indexOf('<code>POST /api/password/reset</code>'));
    const reset = section.slice(0, section.indexOf('</section>'));
    assert.match(reset, /<p>Ein neues Passwort mit dem zugesandten Token oder mit Adresse und Code wählen\. Wer: /);
    assert.match(
      reset,
      /<p>Senden Sie <code>token<\/code> und <code>password<\/code> oder <code>email<\/code>, <code>code<\/code> und <code>password<\/code>\.<\/p>/,
    );
    assert.match(
      reset,
      /<td>200<\/td><td><code>\{message, user\?\}<\/code> Das Passwort ist geändert und jede Sitzung beendet; mit AUTO_LOGIN_AFTER_RESET zusätzlich <code>user<\/code>/,
    );
    assert.doesNotMatch(page, /The same answer for every well-formed address/);
    // The machine document stays English.
    const document = await (await fetch(service.at('/api/openapi.json?lang=de'), { headers: { 'accept-language': 'de' } })).json();
    assert.equal(
      document.paths['/api/password/reset'].post.summary,
      'Choose a new password with the mailed token, or the address and the code',
    );
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
