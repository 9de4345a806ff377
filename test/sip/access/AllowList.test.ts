import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallsightError } from '../../../src/platform/errors.js';
import { AllowList, AllowListError } from '../../../src/sip/access/AllowList.js';

describe('AllowList', () => {
  test('an empty list allows every source (the demo default)', () => {
    for (const list of [AllowList.everyone(), AllowList.parse(''), AllowList.parse(' , ,')]) {
      assert.equal(list.allowsEveryone, true);
      assert.deepEqual(list.entries, []);
      for (const source of ['127.0.0.1', '203.0.113.9', '2001:db8::1', '::ffff:198.51.100.1'])
        assert.equal(list.allows(source), true, source);
    }
  });

  test('an IPv4 CIDR allows its block and nothing next to it', () => {
    const list = AllowList.parse('192.0.2.0/24');
    assert.equal(list.allowsEveryone, false);
    for (const inside of ['192.0.2.0', '192.0.2.1', '192.0.2.255'])
      assert.equal(list.allows(inside), true, inside);
    for (const outside of ['192.0.1.255', '192.0.3.0', '10.0.0.1', '0.0.0.0', '255.255.255.255'])
      assert.equal(list.allows(outside), false, outside);
  });

  test('a bare address is a /32 or a /128', () => {
    const list = AllowList.parse('198.51.100.7, 2001:db8::7');
    assert.deepEqual(list.entries, ['198.51.100.7/32', '2001:db8::7/128']);
    assert.equal(list.allows('198.51.100.7'), true);
    assert.equal(list.allows('198.51.100.8'), false);
    assert.equal(list.allows('2001:db8::7'), true);
    assert.equal(list.allows('2001:db8::8'), false);
  });

  test('IPv6 CIDRs match whatever way the address is written', () => {
    const list = AllowList.parse('2001:db8:1::/48');
    for (const inside of [
      '2001:db8:1::1',
      '2001:DB8:1:0:0:0:0:1',
      '2001:db8:1:ffff:ffff:ffff:ffff:ffff',
      '[2001:db8:1::9]',
    ])
      assert.equal(list.allows(inside), true, inside);
    for (const outside of ['2001:db8:2::1', '2001:db8::1', '::1', '192.0.2.1'])
      assert.equal(list.allows(outside), false, outside);
  });

  test('IPv4-mapped IPv6 sources (a dual-stack socket) match IPv4 CIDRs, and ::ffff:0:0/96 matches IPv4', () => {
    const list = AllowList.parse('192.0.2.0/24');
    assert.equal(list.allows('::ffff:192.0.2.7'), true);
    assert.equal(list.allows('::ffff:c000:207'), true, 'the same address in hex');
    assert.equal(list.allows('::FFFF:192.0.2.7'), true);
    assert.equal(list.allows('::ffff:192.0.3.7'), false);
    assert.equal(list.allows('64:ff9b::192.0.2.7'), false, 'NAT64 is another address');
    const mapped = AllowList.parse('::ffff:192.0.2.0/120');
    assert.equal(mapped.allows('192.0.2.200'), true);
    assert.equal(mapped.allows('192.0.3.1'), false);
  });

  test('a link-local source with a zone id is matched on its address', () => {
    const list = AllowList.parse('fe80::/10');
    assert.equal(list.allows('fe80::1%eth0'), true);
    assert.equal(list.allows('fe80::1'), true);
    assert.equal(list.allows('2001:db8::1%eth0'), false);
  });

  test('/0 allows its whole family, and only that family', () => {
    const v4 = AllowList.parse('0.0.0.0/0');
    assert.equal(v4.allows('203.0.113.1'), true);
    assert.equal(v4.allows('2001:db8::1'), false);
    const v6 = AllowList.parse('::/0');
    assert.equal(v6.allows('2001:db8::1'), true);
  });

  test('a source that is not an address is refused (when the list is not empty)', () => {
    const list = AllowList.parse('0.0.0.0/0, ::/0');
    for (const source of ['', 'localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'fe80::1%', '[::1'])
      assert.equal(list.allows(source), false, JSON.stringify(source));
  });

  test('entries are trimmed, canonical, listed by toJSON, and the list is frozen', () => {
    const list = AllowList.parse(' 10.0.0.0/8 ,\t2001:db8::/32,, 127.0.0.1 ');
    assert.deepEqual(list.entries, ['10.0.0.0/8', '2001:db8::/32', '127.0.0.1/32']);
    assert.equal(JSON.stringify(list), '["10.0.0.0/8","2001:db8::/32","127.0.0.1/32"]');
    assert.ok(Object.isFrozen(list.entries));
    assert.deepEqual(AllowList.of(['127.0.0.0/8']).entries, ['127.0.0.0/8']);
  });

  const refused: [string, RegExp][] = [
    ['example.com', /host names are not allowed/],
    ['10.0.0', /not an IPv4 or IPv6 address/],
    ['01.2.3.4', /not an IPv4 or IPv6 address/],
    ['10.0.0.0/33', /prefix length that is not 0 to 32/],
    ['2001:db8::/129', /prefix length that is not 0 to 128/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/8/8', /prefix length/],
    ['10.0.0.0/ 8', /prefix length/],
    ['10.0.0.0/0x8', /prefix length/],
    ['fe80::1%eth0', /not an IPv4 or IPv6 address/],
    ['10.0.0.1/8', /host bits set below \/8 \(did you mean 10\.0\.0\.0\/8\?\)/],
    ['192.168.1.10/2', /did you mean 192\.0\.0\.0\/2\?/],
    ['2001:db8::1/32', /did you mean 2001:db8::\/32\?/],
    ['::ffff:10.1.2.3/104', /did you mean ::ffff:a00:0\/104\?/],
  ];
  for (const [entry, message] of refused) {
    test(`refuses ${JSON.stringify(entry)} with a message naming it`, () => {
      assert.throws(
        () => AllowList.parse(`127.0.0.1, ${entry}`),
        (err: unknown) => {
          assert.ok(err instanceof AllowListError);
          assert.ok(err instanceof CallsightError);
          assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
          assert.equal(err.entry, entry.trim());
          assert.ok(err.message.includes(JSON.stringify(entry.trim())), err.message);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  test('agrees with a bit-by-bit reference on random IPv4 blocks and addresses', () => {
    // A small seeded generator (mulberry32) so a failure repeats.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const toText = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
    for (let i = 0; i < 500; i++) {
      const prefix = Math.floor(random() * 33);
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const network = (Math.floor(random() * 2 ** 32) & mask) >>> 0;
      const list = AllowList.parse(`${toText(network)}/${prefix}`);
      // Half the probes inside the block (network with random host bits), half anywhere.
      const probe =
        random() < 0.5
          ? (network | (Math.floor(random() * 2 ** 32) & ~mask)) >>> 0
          : Math.floor(random() * 2 ** 32);
      const expected = (probe & mask) >>> 0 === network;
      assert.equal(list.allows(toText(probe)), expected, `${toText(probe)} in ${toText(network)}/${prefix}`);
      assert.equal(list.allows(`::ffff:${toText(probe)}`), expected, 'mapped form');
    }
  });
});
