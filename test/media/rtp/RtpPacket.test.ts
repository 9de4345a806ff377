import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RtpPacket } from '../../../src/media/rtp/RtpPacket.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const load = (name: string): Buffer => readFileSync(fixtures + name);
const names = readdirSync(fixtures).filter((n) => n.endsWith('.bin'));

describe('RtpPacket', () => {
  test('fixtures exist in both kinds', () => {
    assert.ok(names.filter((n) => n.startsWith('valid-')).length >= 3);
    assert.ok(names.filter((n) => n.startsWith('invalid-')).length >= 5);
  });

  for (const name of names.filter((n) => n.startsWith('valid-'))) {
    test(`${name}: serialize(parse(x)) equals x`, () => {
      const bytes = load(name);
      const packet = RtpPacket.parse(bytes);
      assert.ok(packet, 'parses');
      assert.equal(packet.serializeSize, bytes.length);
      assert.deepEqual(packet.serialize(), bytes);
    });
  }

  for (const name of names.filter((n) => n.startsWith('invalid-'))) {
    test(`${name}: rejected with null`, () => {
      assert.equal(RtpPacket.parse(load(name)), null);
    });
  }

  test('every truncation of a valid packet with extension and padding is rejected or shorter', () => {
    const bytes = load('valid-csrc-extension-padding.bin');
    for (let n = 0; n < bytes.length; n++) {
      const packet = RtpPacket.parse(bytes.subarray(0, n));
      // A cut packet can only parse if its last byte happens to look like a padding count that fits.
      if (packet) assert.ok(packet.serializeSize === n);
    }
  });

  test('header fields, CSRCs, extension and padding are read at their offsets', () => {
    const packet = RtpPacket.parse(load('valid-csrc-extension-padding.bin'))!;
    assert.deepEqual(packet.toJSON(), {
      payloadType: 0,
      sequenceNumber: 100,
      timestamp: 8000,
      ssrc: 42,
      marker: false,
      csrcs: [0x01020304, 0xa0b0c0d0],
      extension: { profile: 0xbede, length: 8 },
      payloadSize: 80,
      paddingSize: 4,
    });
    assert.equal(packet.payload[0], 0);
    assert.equal(packet.payload[79], 79);
  });

  test('payload is a view into the datagram, not a copy', () => {
    const bytes = load('valid-pcmu-20ms.bin');
    const packet = RtpPacket.parse(bytes)!;
    assert.equal(packet.payload.buffer, bytes.buffer);
    assert.equal(packet.payload.byteOffset, bytes.byteOffset + 12);
    assert.equal(packet.marker, true);
    assert.equal(packet.sequenceNumber, 4711);
  });

  test('a constructed packet round-trips through the wire', () => {
    const original = new RtpPacket({
      payloadType: 8,
      sequenceNumber: 65535,
      timestamp: 0xffffffff,
      ssrc: 0x80000001,
      marker: true,
      payload: new Uint8Array([1, 2, 3]),
      padding: new Uint8Array([0, 2]),
    });
    const parsed = RtpPacket.parse(original.serialize())!;
    assert.deepEqual(parsed.toJSON(), original.toJSON());
    assert.deepEqual([...parsed.payload], [1, 2, 3]);
  });

  test('inconsistent padding is refused at construction', () => {
    assert.throws(
      () =>
        new RtpPacket({
          payloadType: 0,
          sequenceNumber: 0,
          timestamp: 0,
          ssrc: 0,
          payload: new Uint8Array(1),
          padding: new Uint8Array([0, 0, 7]),
        }),
      RangeError,
    );
  });

  test('random bytes never throw (fuzz)', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 20000; i++) {
      const buf = Buffer.alloc(rand() % 64);
      for (let j = 0; j < buf.length; j++) buf[j] = rand();
      if (i % 2 === 0 && buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x80;
      const packet = RtpPacket.parse(buf);
      if (packet) assert.deepEqual(packet.serialize(), buf);
    }
  });
});
