import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipLimitKey } from '../../../src/rate-limits/ip-key.ts';

describe('ipLimitKey: the key per-IP limits count a client under (audit finding 13)', () => {
  it('keeps an IPv4 address, and anything that is not an address, as it is', () => {
    assert.equal(ipLimitKey('203.0.113.7'), '203.0.113.7');
    assert.equal(ipLimitKey('unknown'), 'unknown');
    assert.equal(ipLimitKey(''), '');
    assert.equal(ipLimitKey('2001:db8::g'), '2001:db8::g');
  });

  it('counts an IPv6 client by its /64: every address of one subnet is one key', () => {
    const key = ipLimitKey('2001:db8:1:2::1');
    assert.equal(key, '2001:db8:1:2:0:0:0:0/64');
    for (const same of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:abcd::42', '2001:db8:1:2:0:0:0:0']) {
      assert.equal(ipLimitKey(same), key, same);
    }
    assert.notEqual(ipLimitKey('2001:db8:1:3::1'), key, 'the next /64 is another client');
    assert.equal(ipLimitKey('::1'), '0:0:0:0:0:0:0:0/64');
    assert.equal(ipLimitKey('fe80::1%eth0'), 'fe80:0:0:0:0:0:0:0/64', 'a zone id is ignored');
  });

  it('takes the prefix length from IPV6_SUBNET_PREFIX (32..128), bits inside a group included', () => {
    assert.equal(ipLimitKey('2001:db8:abcd:1234::1', 48), '2001:db8:abcd:0:0:0:0:0/48');
    assert.equal(ipLimitKey('2001:db8:abcd:12ff::1', 56), '2001:db8:abcd:1200:0:0:0:0/56');
    assert.equal(ipLimitKey('2001:db8:ffff::1', 32), '2001:db8:0:0:0:0:0:0/32');
    assert.equal(ipLimitKey('2001:db8::1', 128), '2001:db8:0:0:0:0:0:1/128');
    assert.notEqual(ipLimitKey('2001:db8::1', 128), ipLimitKey('2001:db8::2', 128));
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address it maps, in either notation', () => {
    assert.equal(ipLimitKey('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(ipLimitKey('::FFFF:1.2.3.4'), '1.2.3.4');
    assert.equal(ipLimitKey('::ffff:102:304'), '1.2.3.4');
    assert.equal(ipLimitKey('0:0:0:0:0:ffff:c000:0201'), '192.0.2.1');
    assert.equal(ipLimitKey('::ffff:1.2.3.4', 128), '1.2.3.4', 'whatever the prefix');
    assert.equal(ipLimitKey('64:ff9b::1.2.3.4'), '64:ff9b:0:0:0:0:0:0/64', 'other embeddings are IPv6 clients');
  });
});
