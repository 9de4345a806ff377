import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLock } from '../../../src/media/rtp/SourceLock.js';

const SDP = { address: '192.0.2.10', port: 4000 };
const NAT = { address: '198.51.100.7', port: 61002 };
const SIDE_PORT = { address: '192.0.2.10', port: 4100 };

function lock(learn = true) {
  const l = new SourceLock<number>({ learn });
  l.setExpected(SDP.address, SDP.port);
  return l;
}

/** Offers packets seq..seq+n-1 of one SSRC from `source`; returns the verdicts' kinds. */
function run(l: SourceLock<number>, source: typeof SDP, seq: number, n: number, ssrc = 1) {
  return Array.from({ length: n }, (_, i) => {
    const s = (seq + i) & 0xffff;
    return l.screen(source) === 'refused' ? 'refused' : l.offer(source, ssrc, s, s).kind;
  });
}

describe('SourceLock', () => {
  test("the SDP's address and port lock with their first packet", () => {
    const l = lock();
    assert.deepEqual(l.offer(SDP, 1, 10, 10), { kind: 'lock', released: [10] });
    assert.equal(l.screen(SDP), 'locked');
    assert.equal(l.learned, null);
    assert.equal(l.screen(NAT), 'refused');
  });

  test('another source locks after 4 consecutive packets of one SSRC, releasing them in order', () => {
    const l = lock();
    assert.deepEqual(run(l, NAT, 65534, 3), ['held', 'held', 'held'], 'across the sequence wrap');
    assert.deepEqual(l.offer(NAT, 1, 1, 1), { kind: 'lock', released: [65534, 65535, 0, 1] });
    assert.deepEqual(l.learned, NAT);
  });

  test('a gap, a repeat or another SSRC starts the run over', () => {
    const l = lock();
    run(l, NAT, 10, 3);
    assert.equal(l.offer(NAT, 1, 14, 14).kind, 'held', 'gap');
    run(l, NAT, 15, 2);
    assert.equal(l.offer(NAT, 1, 16, 16).kind, 'held', 'repeat');
    assert.equal(l.offer(NAT, 2, 17, 17).kind, 'held', 'another SSRC');
    assert.equal(l.locked, null);
  });

  test("ties: the SDP's source takes the stream back from a learned one, never the other way", () => {
    const l = lock();
    run(l, SIDE_PORT, 100, 4);
    assert.deepEqual(l.locked, SIDE_PORT);
    assert.equal(l.screen(SDP), 'candidate');
    assert.equal(l.offer(SDP, 9, 5, 5).kind, 'lock');
    assert.deepEqual(l.locked, SDP);
    assert.deepEqual(run(l, SIDE_PORT, 104, 10), Array(10).fill('refused'));
  });

  test('strict: only the SDP address may send (another port still needs its run)', () => {
    const l = lock(false);
    assert.deepEqual(run(l, NAT, 1, 10), Array(10).fill('refused'));
    assert.deepEqual(run(l, SIDE_PORT, 1, 4), ['held', 'held', 'held', 'lock']);
  });

  test('no SDP address (hold, 0.0.0.0): the first run locks; a re-INVITE starts over', () => {
    const l = new SourceLock<number>({ learn: false });
    l.setExpected('0.0.0.0', 4000);
    assert.equal(l.offer(SDP, 1, 1, 1).kind, 'held', 'port 4000 means nothing without an address');
    assert.deepEqual(run(l, NAT, 50, 4).at(-1), 'lock');
    l.setExpected(SDP.address, SDP.port);
    assert.equal(l.locked, null);
    assert.equal(l.screen(NAT), 'refused');
  });

  test('a spray of sources is tracked 8 at a time and cannot lock without its own run', () => {
    const l = lock();
    for (let port = 1; port <= 100; port++) {
      const source = { address: '203.0.113.9', port };
      assert.equal(l.offer(source, 1, port, port).kind, 'held');
    }
    assert.equal(l.locked, null);
  });
});
