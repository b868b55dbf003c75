import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../../src/kernel/errors.ts';

const README = new URL('../../README.md', import.meta.url);
const DOCS = new URL('../../docs/', import.meta.url);

describe('error codes', () => {
  it('are UPPER_SNAKE and each has a 4xx/5xx status and a sentence for users in the catalogue', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^[A-Z][A-Z0-9_]*$/);
      assert.ok(status >= 400 && status < 600, `${code} has status ${status}`);
      assert.match(errorMessage(code as ErrorCode), /^[A-Z].*\.$/, `${code} message should be a sentence`);
    }
  });

  it('are all documented in README.md or the pages under docs/ as `CODE`', () => {
    assert.ok(existsSync(README), 'README.md does not exist yet');
    const pages = existsSync(DOCS)
      ? readdirSync(DOCS)
          .filter((f) => f.endsWith('.md'))
          .map((f) => readFileSync(new URL(f, DOCS), 'utf8'))
      : [];
    const documentation = [readFileSync(README, 'utf8'), ...pages].join('\n');
    const missing = Object.keys(ERROR_CODES).filter((code) => !documentation.includes(`\`${code}\``));
    assert.deepEqual(missing, [], `error codes missing from README.md and docs/: ${missing.join(', ')}`);
  });
});
