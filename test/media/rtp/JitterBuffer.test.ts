import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer } from '../../../src/media/rtp/JitterBuffer.js';
import type { JitterBufferCounters, JitterItem } from '../../../src/media/rtp/JitterBufferTypes.js';
import { RtpPacket } from '../../../src/media/rtp/RtpPacket.js';

type Step =
  | { push: number; at: number; ts?: number; ssrc?: number; out: string }
  | { drain: number; out: string }
  | { flush: true; out: string };

const payload = new Uint8Array(160);

function packet(seq: number, ts = wrapTs(seq), ssrc = 1): RtpPacket {
  return new RtpPacket({ payloadType: 0, sequenceNumber: seq, timestamp: ts, ssrc, payload });
}

/** "12" is a packet, "L12" a lost marker, "R" a resync. */
function render(items: JitterItem[]): string {
  return items
    .map((i) =>
      i.kind === 'packet' ? String(i.packet.sequenceNumber) : i.kind === 'lost' ? `L${i.sequence}` : 'R',
    )
    .join(' ');
}

interface Scenario {
  name: string;
  steps: Step[];
  counters: Partial<JitterBufferCounters>;
  capacity?: number;
}

const inOrder = (seqs: number[], start = 0): Step[] =>
  seqs.map((s, i) => ({ push: s, at: start + 20 * i, out: String(s) }));

/** Timestamps that keep counting when small sequence numbers follow a wrap. */
const wrapTs = (seq: number): number => (seq < 30000 ? seq + 65536 : seq) * 160;

const scenarios: Scenario[] = [
  {
    name: 'in-order packets are released at once',
    steps: inOrder([1, 2, 3, 4, 5]),
    counters: { received: 5, lost: 0, reordered: 0 },
  },
  {
    name: 'a packet overtaken within the depth is put back in order',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 3, at: 20, out: '' },
      { push: 2, at: 25, out: '2 3' },
      { push: 4, at: 40, out: '4' },
    ],
    counters: { received: 4, reordered: 1, lost: 0 },
  },
  {
    name: 'several packets reversed within the depth',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 4, at: 20, out: '' },
      { push: 3, at: 21, out: '' },
      { push: 2, at: 22, out: '2 3 4' },
    ],
    counters: { received: 4, reordered: 2 },
  },
  {
    name: 'a duplicate of a released packet is dropped and counted',
    steps: [...inOrder([1, 2]), { push: 2, at: 30, out: '' }, { push: 3, at: 40, out: '3' }],
    counters: { received: 3, duplicate: 1 },
  },
  {
    name: 'a duplicate of a held packet is dropped and counted',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 3, at: 20, out: '' },
      { push: 3, at: 21, out: '' },
      { push: 2, at: 30, out: '2 3' },
    ],
    counters: { received: 3, duplicate: 1 },
  },
  {
    name: 'a gap is given up as lost once the depth has passed since the next packet arrived',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 3, at: 20, out: '' },
      { push: 4, at: 40, out: '' },
      { drain: 79, out: '' },
      { drain: 80, out: 'L2 3 4' },
    ],
    counters: { received: 3, lost: 1 },
  },
  {
    name: 'a packet arriving after its slot was given up is late',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 3, at: 20, out: '' },
      { drain: 80, out: 'L2 3' },
      { push: 2, at: 90, out: '' },
      { push: 4, at: 95, out: '4' },
    ],
    counters: { received: 3, lost: 1, late: 1, duplicate: 0 },
  },
  {
    name: 'a later push also gives up an expired gap',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 3, at: 20, out: '' },
      { push: 4, at: 85, out: 'L2 3 4' },
    ],
    counters: { lost: 1 },
  },
  {
    name: 'sequence numbers wrap around 65535 → 0',
    steps: [...inOrder([65533, 65534, 65535, 0, 1])],
    counters: { received: 5, lost: 0, resyncs: 0 },
  },
  {
    name: 'reordering across the wrap',
    steps: [
      { push: 65534, at: 0, ts: wrapTs(65534), out: '65534' },
      { push: 0, at: 20, ts: wrapTs(0), out: '' },
      { push: 65535, at: 22, ts: wrapTs(65535), out: '65535 0' },
      { push: 1, at: 40, ts: wrapTs(1), out: '1' },
    ],
    counters: { reordered: 1, lost: 0 },
  },
  {
    name: 'loss across the wrap',
    steps: [
      { push: 65535, at: 0, ts: wrapTs(65535), out: '65535' },
      { push: 1, at: 40, ts: wrapTs(1), out: '' },
      { flush: true, out: 'L0 1' },
    ],
    counters: { lost: 1 },
  },
  {
    name: 'flush releases held packets with the gaps between them as lost',
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 3, at: 20, out: '' },
      { push: 5, at: 40, out: '' },
      { flush: true, out: 'L2 3 L4 5' },
    ],
    counters: { lost: 2 },
  },
  {
    name: 'a new SSRC confirmed by a second packet resyncs the stream',
    steps: [
      ...inOrder([1, 2]),
      { push: 900, at: 40, ssrc: 2, ts: 777, out: '' },
      { push: 901, at: 60, ssrc: 2, ts: 937, out: 'R 900 901' },
      { push: 902, at: 80, ssrc: 2, ts: 1097, out: '902' },
    ],
    counters: { resyncs: 1, discarded: 0, lost: 0, received: 5 },
  },
  {
    name: 'a lone packet from another SSRC is discarded, the stream goes on',
    steps: [...inOrder([1, 2]), { push: 500, at: 30, ssrc: 9, out: '' }, { push: 3, at: 40, out: '3' }],
    counters: { resyncs: 0, discarded: 1, received: 3 },
  },
  {
    name: 'a sequence jump beyond MAX_DROPOUT resyncs after two packets',
    steps: [...inOrder([1, 2]), { push: 9000, at: 40, out: '' }, { push: 9001, at: 60, out: 'R 9000 9001' }],
    counters: { resyncs: 1, lost: 0 },
  },
  {
    name: 'a timestamp jump that disagrees with arrival time resyncs',
    steps: [
      ...inOrder([1, 2]),
      { push: 3, at: 40, ts: 2_000_000_000, out: '' },
      { push: 4, at: 60, ts: 2_000_000_160, out: 'R 3 4' },
    ],
    counters: { resyncs: 1 },
  },
  {
    name: 'silence suppression (timestamp jump matching the pause) is not a resync',
    steps: [...inOrder([1, 2]), { push: 3, at: 5020, ts: wrapTs(2) + 5000 * 8, out: '3' }],
    counters: { resyncs: 0, lost: 0 },
  },
  {
    name: 'a gap wider than the capacity is given up at once',
    capacity: 8,
    steps: [
      { push: 1, at: 0, out: '1' },
      { push: 12, at: 20, out: 'L2 L3 L4 L5 L6 L7 L8 L9 L10 L11 12' },
    ],
    counters: { lost: 10 },
  },
];

describe('JitterBuffer', () => {
  for (const scenario of scenarios) {
    test(scenario.name, () => {
      const jb = new JitterBuffer({ depthMs: 60, capacity: scenario.capacity ?? 256 });
      scenario.steps.forEach((step, i) => {
        let items: JitterItem[];
        if ('push' in step) items = jb.push(packet(step.push, step.ts, step.ssrc), step.at);
        else if ('drain' in step) items = jb.drain(step.drain);
        else items = jb.flush();
        assert.equal(render(items), step.out, `step ${i}`);
      });
      for (const [key, value] of Object.entries(scenario.counters)) {
        assert.equal(jb.counters[key as keyof JitterBufferCounters], value, key);
      }
    });
  }

  test('lost markers carry timestamps interpolated between their neighbours', () => {
    const jb = new JitterBuffer();
    jb.push(packet(10, 1600), 0);
    jb.push(packet(13, 2080), 20);
    const items = jb.flush();
    assert.deepEqual(
      items.map((i) => (i.kind === 'lost' ? i.timestamp : i.kind === 'packet' ? i.packet.timestamp : -1)),
      [1760, 1920, 2080],
    );
  });

  test('released packets keep their arrival time', () => {
    const jb = new JitterBuffer();
    jb.push(packet(1), 5);
    const [item] = jb.push(packet(2), 27.5);
    assert.equal(item?.kind === 'packet' && item.arrivalMs, 27.5);
  });

  test('a long random shuffle within the depth comes out complete and in order', () => {
    const jb = new JitterBuffer({ depthMs: 60 });
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    // The first packet arrives first: the buffer starts from it, so anything before it would be late.
    const sent = Array.from({ length: 5000 }, (_, i) => ({
      seq: (60000 + i) & 0xffff,
      ext: i,
      at: i && i * 20 + rand() * 50,
    }));
    sent.sort((a, b) => a.at - b.at);
    const out: number[] = [];
    for (const s of sent) {
      for (const item of jb.push(packet(s.seq, s.ext * 160), s.at)) {
        assert.equal(item.kind, 'packet');
        if (item.kind === 'packet') out.push(item.packet.sequenceNumber);
      }
    }
    for (const item of jb.flush()) if (item.kind === 'packet') out.push(item.packet.sequenceNumber);
    assert.deepEqual(
      out,
      sent.map((s) => s.seq).sort((a, b) => ((a - 60000) & 0xffff) - ((b - 60000) & 0xffff)),
    );
    assert.equal(jb.counters.lost, 0);
    assert.ok(jb.counters.reordered > 100, `reordered ${jb.counters.reordered}`);
  });
});
