import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpPacket } from '../../../src/media/rtp/RtpPacket.js';
import { newMasterKey } from '../../../src/media/srtp/SdesCrypto.js';
import { estimateRoc, SrtpSession } from '../../../src/media/srtp/SrtpSession.js';
import { ReplayWindow } from '../../../src/media/srtp/ReplayWindow.js';
import { OFFERED_SUITES } from '../../../src/media/srtp/SrtpSuite.js';

const rtp = (seq: number, ssrc = 0x1234, payload = Buffer.alloc(160, seq & 0xff)) =>
  new RtpPacket({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc, payload }).serialize();

const pair = (suite = OFFERED_SUITES[1]!) => {
  const master = newMasterKey(suite);
  return { sender: new SrtpSession(master), receiver: new SrtpSession(master) };
};

describe('SrtpSession', () => {
  for (const suite of OFFERED_SUITES) {
    test(`${suite}: packets, extension and CSRCs round-trip; the header stays readable, the payload does not`, () => {
      const { sender, receiver } = pair(suite);
      const plain = new RtpPacket({
        payloadType: 8,
        sequenceNumber: 7,
        timestamp: 99,
        ssrc: 5,
        csrcs: [1, 2],
        extension: { profile: 0xbede, data: Buffer.from([1, 2, 3, 4]) },
        payload: Buffer.from('hello, secret world'),
      }).serialize();
      const sealed = sender.protectRtp(plain);
      assert.equal(sealed.length, plain.length + sender.rtpOverhead);
      assert.deepEqual(sealed.subarray(0, 28), plain.subarray(0, 28), 'header in the clear');
      assert.ok(!sealed.includes(Buffer.from('secret')), 'payload encrypted');
      assert.deepEqual(receiver.unprotectRtp(sealed), plain);
    });
  }

  test('a flipped bit anywhere, a cut packet or another key is refused, and refusals move no state', () => {
    const { sender, receiver } = pair();
    const sealed = sender.protectRtp(rtp(100));
    for (const at of [1, 5, 12, 40, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      assert.equal(receiver.unprotectRtp(bad), 'unauthenticated', `bit at ${at}`);
    }
    assert.equal(receiver.unprotectRtp(sealed.subarray(0, 24)), 'unauthenticated');
    assert.equal(receiver.unprotectRtp(sealed.subarray(0, 21)), 'malformed', 'shorter than header and tag');
    assert.equal(receiver.unprotectRtp(sealed.subarray(0, 11)), 'malformed');
    assert.equal(pair().receiver.unprotectRtp(sealed), 'unauthenticated');
    assert.deepEqual(receiver.unprotectRtp(sealed), rtp(100), 'the genuine packet still passes');
  });

  test('replay list: a packet seen once is refused the second time, older ones in the window still pass', () => {
    const { sender, receiver } = pair();
    const sealed = Array.from({ length: 300 }, (_, i) => sender.protectRtp(rtp(1000 + i)));
    const passes = (i: number) => Buffer.isBuffer(receiver.unprotectRtp(sealed[i]!));
    assert.ok(passes(0));
    assert.equal(receiver.unprotectRtp(sealed[0]!), 'replayed');
    for (let i = 2; i < 200; i++) assert.ok(passes(i));
    assert.equal(receiver.unprotectRtp(sealed[100]!), 'replayed', 'seen');
    assert.equal(
      receiver.unprotectRtp(sealed[1]!),
      'replayed',
      '198 behind the newest: older than the window',
    );
    assert.ok(passes(250));
    assert.ok(passes(249), 'late, in the window, not seen');
    assert.ok(passes(210), '40 behind the newest, never seen');
  });

  test('ROC: a stream across the 16-bit wrap, reordered around it, decrypts every packet once', () => {
    const { sender, receiver } = pair();
    const seqs = Array.from({ length: 12 }, (_, i) => (65530 + i) & 0xffff);
    const sealed = seqs.map((seq) => ({ seq, packet: sender.protectRtp(rtp(seq)) }));
    // Arrival order: 65530, 65531, 1 (past the wrap), 65532–65535, 0, 2, 3, 4, 5.
    const order = [0, 1, 7, 2, 3, 4, 5, 6, 8, 9, 10, 11];
    for (const i of order)
      assert.deepEqual(
        receiver.unprotectRtp(sealed[i]!.packet),
        rtp(sealed[i]!.seq),
        `seq ${sealed[i]!.seq}`,
      );
    for (const i of order) assert.equal(receiver.unprotectRtp(sealed[i]!.packet), 'replayed');
  });

  test('ROC: a long stream wraps the sequence three times and keeps decrypting', () => {
    const { sender, receiver } = pair('AES_CM_128_HMAC_SHA1_32');
    for (let n = 0; n < 3 * 65536 + 10; n += 97) {
      const seq = n & 0xffff;
      assert.deepEqual(
        receiver.unprotectRtp(sender.protectRtp(rtp(seq, 9, Buffer.alloc(4)))),
        rtp(seq, 9, Buffer.alloc(4)),
      );
    }
  });

  test('the RFC 3711 Appendix A index estimate', () => {
    assert.equal(estimateRoc(0, 100, 101), 0);
    assert.equal(estimateRoc(3, 65500, 10), 4, 'wrapped forward');
    assert.equal(estimateRoc(4, 10, 65500), 3, 'late packet from before the wrap');
    assert.equal(estimateRoc(0, 10, 65500), 0xffffffff, 'no ROC below 0: authentication will fail');
    assert.equal(estimateRoc(2, 40000, 30000), 2);
  });

  test('SRTCP: indexes count up per sender, replays and forgeries are refused', () => {
    for (const suite of OFFERED_SUITES) {
      const { sender, receiver } = pair(suite);
      const report = Buffer.from('81c8000c0000abcd' + '11'.repeat(44), 'hex');
      const first = sender.protectRtcp(report);
      const second = sender.protectRtcp(report);
      assert.notDeepEqual(first, second, 'another index, another keystream');
      assert.deepEqual(receiver.unprotectRtcp(second), report);
      assert.deepEqual(receiver.unprotectRtcp(first), report, 'late but fresh');
      assert.equal(receiver.unprotectRtcp(first), 'replayed');
      const forged = Buffer.from(second);
      forged[10]! ^= 0x80;
      assert.equal(pair(suite).receiver.unprotectRtcp(forged), 'unauthenticated');
      assert.equal(receiver.unprotectRtcp(report.subarray(0, 10)), 'malformed');
    }
  });

  test('an MKI announced in SDES sits before the tag and is skipped', () => {
    const master = newMasterKey('AES_CM_128_HMAC_SHA1_80');
    const sender = new SrtpSession(master);
    const receiver = new SrtpSession({ ...master, mkiLength: 2 });
    const sealed = sender.protectRtp(rtp(1));
    const withMki = Buffer.concat([
      sealed.subarray(0, sealed.length - 10),
      Buffer.from([0, 1]),
      sealed.subarray(-10),
    ]);
    assert.deepEqual(receiver.unprotectRtp(withMki), rtp(1));
  });
});

describe('ReplayWindow', () => {
  test('new, seen, too old', () => {
    const window = new ReplayWindow(64);
    assert.ok(window.check(10));
    window.accept(10);
    assert.ok(!window.check(10));
    assert.ok(window.check(9));
    window.accept(200);
    assert.ok(!window.check(136), 'exactly the window size below: too old');
    assert.ok(window.check(137));
    window.accept(137);
    assert.ok(!window.check(137));
    window.accept(100_000);
    assert.ok(window.check(99_999) && !window.check(100_000) && !window.check(200));
  });
});
