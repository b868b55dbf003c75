import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breachCount, noBreachCheck, rangeKey } from '../../../src/crypto/passwords/breached.ts';

// SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
const SUFFIX = '1E4C9B93F3F0682250B6CF8331B7EE68FD8';

describe('breached-password range lookup (k-anonymity)', () => {
  it('sends the first 5 upper-case hex characters of the SHA-1 and keeps the other 35', () => {
    assert.deepEqual(rangeKey('password'), { prefix: '5BAA6', suffix: SUFFIX });
  });

  it('hashes the password as the hasher sees it: NFKC-normalised', () => {
    assert.deepEqual(rangeKey('ｐａｓｓｗｏｒｄ'), rangeKey('password'), 'full-width letters');
    assert.deepEqual(rangeKey('caf\u0065\u0301 au lait'), rangeKey('caf\u00e9 au lait'), 'a decomposed é');
    assert.notDeepEqual(rangeKey('Password'), rangeKey('password'), 'case is kept');
  });

  it('finds the suffix and its count in a range answer, whatever the case and line endings', () => {
    const body = ['0018A45C4D1DEF81644B54AB7F969B88D65:1', `${SUFFIX}:10434004`, '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2'].join('\r\n');
    assert.equal(breachCount(body, SUFFIX), 10_434_004);
    assert.equal(breachCount(body.toLowerCase(), SUFFIX), 10_434_004);
    assert.equal(breachCount(body.replaceAll('\r\n', '\n'), SUFFIX.toLowerCase()), 10_434_004);
  });

  it('does not count a padding line (count 0), an absent suffix, or malformed lines', () => {
    assert.equal(breachCount(`${SUFFIX}:0\r\n0018A45C4D1DEF81644B54AB7F969B88D65:3`, SUFFIX), 0);
    assert.equal(breachCount('0018A45C4D1DEF81644B54AB7F969B88D65:3', SUFFIX), 0);
    assert.equal(breachCount('', SUFFIX), 0);
    assert.equal(breachCount(`${SUFFIX}\r\n${SUFFIX}:many\r\n<html>${SUFFIX}:5</html>`, SUFFIX), 0);
    assert.equal(breachCount(`5BAA6${SUFFIX}:5`, SUFFIX), 0, 'a full hash is not a suffix');
  });

  it('with the check off, nothing is breached', async () => {
    assert.equal(await noBreachCheck.isBreached('password'), false);
  });
});
