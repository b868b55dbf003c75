import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordRulesHint } from '../../../src/views/password-rules.ts';

describe('the password rules shown under a new password (src/views/password-rules.ts)', () => {
  it('names the lengths from the config', () => {
    assert.equal(
      passwordRulesHint({ minLength: 12, maxLength: 64 }),
      '12 to 64 characters. Long passphrases are good; very common passwords are refused.',
    );
  });

  it('mentions breached passwords only when the breach check is on', () => {
    assert.match(
      passwordRulesHint({ minLength: 8, maxLength: 128, breachCheck: true }),
      /passwords found in known data breaches are refused\.$/,
    );
    assert.doesNotMatch(passwordRulesHint({ minLength: 8, maxLength: 128, breachCheck: false }), /breach/);
  });
});
