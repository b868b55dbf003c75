import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhone, phoneForLogs } from '../../../src/kernel/phone-number.ts';

const ANY = { allowedCountries: [] };

describe('parsePhone', () => {
  it('normalises what people type to E.164, with the number’s country', () => {
    for (const typed of ['+33 6 12 34 56 78', '+33612345678', '+33 (0)6 12-34-56-78', ' +33.6.12.34.56.78 ']) {
      assert.deepEqual(parsePhone(typed, ANY), { ok: true, value: { e164: '+33612345678', country: 'FR' } }, typed);
    }
    assert.deepEqual(parsePhone('+1 (415) 555-2671', ANY), { ok: true, value: { e164: '+14155552671', country: 'US' } });
    assert.deepEqual(parsePhone('+81 90-1234-5678', ANY), { ok: true, value: { e164: '+819012345678', country: 'JP' } });
  });

  it('reads a national number in DEFAULT_PHONE_COUNTRY, and needs the + without one', () => {
    assert.deepEqual(parsePhone('06 12 34 56 78', { ...ANY, defaultCountry: 'FR' }), {
      ok: true,
      value: { e164: '+33612345678', country: 'FR' },
    });
    assert.deepEqual(parsePhone('06 12 34 56 78', ANY), { ok: false, code: 'PHONE_INVALID' });
    // A + number is read as written, whatever the default country.
    assert.equal(
      (parsePhone('+1 415 555 2671', { ...ANY, defaultCountry: 'FR' }) as { value: { e164: string } }).value.e164,
      '+14155552671',
    );
  });

  it('refuses what is not a valid number', () => {
    for (const typed of [
      '',
      '   ',
      'abc',
      '+1234',
      '+33 6 12',
      '+33 6 12 34 56 78 90 12',
      'tel:+33612345678',
      '+3361234567８',
      '1'.repeat(41),
    ]) {
      assert.deepEqual(parsePhone(typed, ANY), { ok: false, code: 'PHONE_INVALID' }, JSON.stringify(typed));
    }
  });

  it('refuses numbers that cannot receive an SMS: fixed lines, toll-free and premium-rate numbers', () => {
    for (const typed of ['+33 1 42 68 53 00', '+1 800 555 0100', '+33 899 12 34 56']) {
      assert.deepEqual(parsePhone(typed, ANY), { ok: false, code: 'PHONE_NOT_MOBILE' }, typed);
    }
  });

  it('refuses countries outside a non-empty SMS_COUNTRIES', () => {
    const rules = { allowedCountries: ['FR', 'BE'] };
    assert.equal(parsePhone('+33 6 12 34 56 78', rules).ok, true);
    assert.deepEqual(parsePhone('+1 415 555 2671', rules), { ok: false, code: 'PHONE_COUNTRY_NOT_ALLOWED' });
    assert.deepEqual(parsePhone('+49 151 23456789', rules), { ok: false, code: 'PHONE_COUNTRY_NOT_ALLOWED' });
    // An invalid number stays invalid: the allow-list is not asked first.
    assert.deepEqual(parsePhone('+1234', rules), { ok: false, code: 'PHONE_INVALID' });
  });
});

describe('phoneForLogs', () => {
  it('names the country and the last two digits only', () => {
    assert.equal(phoneForLogs('+33612345678'), 'FR …78');
    assert.equal(phoneForLogs('+14155552671'), 'US …71');
    assert.ok(!phoneForLogs('+33612345678').includes('3456'));
    assert.equal(phoneForLogs('garbage'), '?? …');
  });
});
