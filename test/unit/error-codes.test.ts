import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../src/kernel/errors.ts';

const README = new URL('../../README.md', import.meta.url);
// Codes added for running in production are documented in docs/production.md, linked from the README.
const PRODUCTION_DOC = new URL('../../docs/production.md', import.meta.url);

describe('error codes', () => {
  it('are UPPER_SNAKE and each has a 4xx/5xx status and a sentence for users', () => {
    for (const [code, { status, message }] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^[A-Z][A-Z0-9_]*$/);
      assert.ok(status >= 400 && status < 600, `${code} has status ${status}`);
      assert.match(message, /^[A-Z].*\.$/, `${code} message should be a sentence`);
    }
  });

  it('are all documented in README.md or docs/production.md as `CODE`', () => {
    assert.ok(existsSync(README), 'README.md does not exist yet');
    const readme = readFileSync(README, 'utf8') + (existsSync(PRODUCTION_DOC) ? readFileSync(PRODUCTION_DOC, 'utf8') : '');
    const missing = Object.keys(ERROR_CODES).filter((code) => !readme.includes(`\`${code}\``));
    assert.deepEqual(missing, [], `error codes missing from README.md and docs/production.md: ${missing.join(', ')}`);
  });
});
