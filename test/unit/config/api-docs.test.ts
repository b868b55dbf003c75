import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configInTempDir } from '../../support/config.ts';

const { load, problemsOf } = configInTempDir('api-docs');

const PRODUCTION = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:25' };

describe('API_DOCS', () => {
  it('is on by default in development and test, off by default in production', () => {
    assert.equal(load({}).apiDocs, true);
    assert.equal(load({ NODE_ENV: 'test' }).apiDocs, true);
    assert.equal(load(PRODUCTION).apiDocs, false);
  });

  it('can be turned on in production and off elsewhere', () => {
    assert.equal(load({ ...PRODUCTION, API_DOCS: 'on' }).apiDocs, true);
    assert.equal(load({ API_DOCS: 'off' }).apiDocs, false);
  });

  it('refuses anything else, naming the variable and the values it takes', () => {
    assert.match(problemsOf({ API_DOCS: 'yes' }), /API_DOCS must be one of on, off, got "yes"/);
  });
});
