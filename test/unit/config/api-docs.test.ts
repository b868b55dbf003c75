import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/config/parse.ts';

const KEY = 'k'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'latchkey-api-docs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dir, SECRET_KEYS: KEY, ...env }, { cwd: dir });
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
    assert.throws(
      () => load({ API_DOCS: 'yes' }),
      (error: unknown) => error instanceof ConfigError && /API_DOCS must be one of on, off, got "yes"/.test(error.message),
    );
  });
});
