import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phoneSection } from '../../../src/flows/settings/views.ts';

describe('the phone rows of the account page', () => {
  it('show the number with a link to change it, an add link, or nothing when SMS cannot be sent', () => {
    assert.equal(
      phoneSection({ phone: '+33612345678' }, true).value,
      '<dt>Phone</dt><dd>+33612345678 <a href="/account/phone">Change or remove</a></dd>',
    );
    assert.match(phoneSection({ phone: null }, true).value, /—.*Add a phone number/);
    assert.equal(phoneSection({ phone: null }, false).value, '');
    assert.match(phoneSection({ phone: '+33612345678' }, false).value, /Change or remove/, 'a number can still be removed');
  });
});
