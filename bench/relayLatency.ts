/*
 * Added one-way latency and jitter of the trunk relay (RtpRelay): `calls` concurrent calls routed
 * through a running Callsight to a UAS in this process (BenchUas, on src/sip/SipUserAgent.ts), RTP
 * both ways at 50 packets/s per direction (StampedRtpLoad: each payload carries its send time; the
 * far party reads it on the same clock).
 *
 * Two windows with the same sockets, streams and rate:
 *   baseline  each stream sent straight to the far party's socket (no Callsight): what the loopback
 *             and this process's own event loop cost;
 *   relayed   each stream sent to the relay's port and forwarded by Callsight to the far party.
 * Added latency = relayed − baseline, percentile by percentile. Jitter is the RFC 3550 transit-time
 * difference |D(i−1, i)| of consecutive packets of a stream, for both windows.
 *
 * Speech recognition is off (as in ingestCapacity): the relay's taps still decode both directions
 * and feed the pipeline, but 400 recognised channels would need ~60 cores, not the relay's budget.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SipCaller, type DialedCall } from '../scripts/lib/SipCaller.js';
import { BenchUas } from './lib/BenchUas.js';
import { CpuMeter, counterDelta, udpCounters } from './lib/probes.js';
import { startBenchServer } from './lib/server.js';
import { StampedRtpLoad, type StampedStream } from './lib/StampedRtpLoad.js';
import { round, summary } from './lib/stats.js';
import { mapLimit, pct, sleep } from './lib/util.js';
import { errorMessage } from '../src/platform/errors.js';

export const RELAY_LATENCY_TARGET = { calls: 200, p99AddedMs: 5, p99AddedJitterMs: 2 };
const DIAL_CONCURRENCY = 32;
/** Sockets on each side: streams share them round-robin (the far party tells them apart by payload). */
const SOCKETS_PER_SIDE = 8;
const PREFIX = 'relay-';
/** After the senders stop, how long the receivers keep counting (the relay adds well under 1 ms). */
const DRAIN_MS = 200;

export interface RelayLatencyOptions {
  readonly calls?: number;
  readonly warmupSeconds?: number;
  readonly windowSeconds?: number;
  readonly rtpPortMin?: number;
  readonly rtpPortMax?: number;
  readonly progress?: (line: string) => void;
}

type Summary = ReturnType<typeof summary>;

interface WindowResult {
  readonly latencyMs: Summary;
  readonly jitterMs: Summary;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly lossRatio: number;
}

export type RelayLatencyResult = {
  readonly method: string;
  readonly calls: number;
  readonly streams: number;
  readonly windowSeconds: number;
  readonly baseline: WindowResult;
  readonly relayed: WindowResult;
  /** relayed − baseline at each percentile (ms). */
  readonly addedLatencyMs: { p50: number; p95: number; p99: number; max: number };
  readonly addedJitterMs: { p50: number; p95: number; p99: number; max: number };
  readonly callsightCores: number;
  readonly benchCores: number;
  readonly kernelRcvbufErrors: number;
  readonly errors: string[];
  readonly target: string;
  readonly pass: boolean;
};

const difference = (a: Summary, b: Summary) => ({
  p50: round(a.p50 - b.p50, 2),
  p95: round(a.p95 - b.p95, 2),
  p99: round(a.p99 - b.p99, 2),
  max: round(a.max - b.max, 2),
});

interface RawWindow {
  readonly latencies: number[];
  readonly variations: number[];
  readonly sent: number;
  readonly received: number;
}

/** Runs both parties' streams: warm-up, then `windowSeconds` of recording at each receiving party. */
async function measureWindow(
  loads: readonly StampedRtpLoad[],
  warmupSeconds: number,
  windowSeconds: number,
): Promise<WindowResult> {
  for (const load of loads) load.start();
  await sleep(warmupSeconds * 1000);
  for (const load of loads) load.record();
  await sleep(windowSeconds * 1000);
  // Stop sending first and let the last packets land, so that every packet sent is counted once.
  for (const load of loads) load.stop();
  await sleep(DRAIN_MS);
  for (const load of loads) load.stopRecording();
  const raw: RawWindow = {
    latencies: loads.flatMap((l) => l.latencies),
    variations: loads.flatMap((l) => l.variations),
    sent: loads.reduce((n, l) => n + l.sentWhileRecording, 0),
    received: loads.reduce((n, l) => n + l.received, 0),
  };
  return {
    latencyMs: summaryOf(raw.latencies),
    jitterMs: summaryOf(raw.variations),
    packetsSent: raw.sent,
    packetsReceived: raw.received,
    // Packets sent just before the window and received in it can make up for losses: counted at ≥ 0.
    lossRatio: raw.sent > 0 ? round(Math.max(0, raw.sent - raw.received) / raw.sent, 6) : Number.NaN,
  };
}

/** Nearest-rank percentiles to 0.01 ms (the relay's share is a fraction of a millisecond), sorted once. */
function summaryOf(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return {
    n: sorted.length,
    p50: round(at(50), 2),
    p95: round(at(95), 2),
    p99: round(at(99), 2),
    max: round(sorted.at(-1) ?? Number.NaN, 2),
  };
}

/** Runs the whole measurement against its own Callsight (routes: every call to the bench's UAS). */
export async function benchRelayLatency(options: RelayLatencyOptions = {}): Promise<RelayLatencyResult> {
  const calls = options.calls ?? RELAY_LATENCY_TARGET.calls;
  const warmupSeconds = options.warmupSeconds ?? 3;
  const windowSeconds = options.windowSeconds ?? 15;
  const say = options.progress ?? (() => undefined);
  const errors: string[] = [];

  const callers = new StampedRtpLoad(SOCKETS_PER_SIDE);
  const farEnd = new StampedRtpLoad(SOCKETS_PER_SIDE);
  await Promise.all([callers.ready(), farEnd.ready()]);
  const uas = await BenchUas.start(PREFIX, (index) => farEnd.port(index % SOCKETS_PER_SIDE));
  const config = join(mkdtempSync(join(tmpdir(), 'callsight-bench-relay-')), 'callsight.yaml');
  writeFileSync(
    config,
    stringify({ routes: [{ name: 'everything-to-the-bench-uas', target: `sip:127.0.0.1:${uas.port}` }] }),
  );
  const server = await startBenchServer({
    asrEnabled: false,
    rtpPortMin: options.rtpPortMin ?? 20000,
    rtpPortMax: options.rtpPortMax ?? 29999,
    env: { CALLSIGHT_CONFIG: config, CALLSIGHT_RTP_MEDIA_TIMEOUT_SEC: '0' },
  });
  const caller = await SipCaller.open('127.0.0.1');
  let dialed: (DialedCall | null)[] = [];
  try {
    const dialStart = performance.now();
    dialed = await mapLimit(
      Array.from({ length: calls }, (_, i) => i),
      DIAL_CONCURRENCY,
      (i) =>
        caller
          .dial({
            host: '127.0.0.1',
            port: server.sipPort,
            fromNumber: '+15555550100',
            toNumber: `${PREFIX}${i}`,
            rtpPort: callers.port(i % SOCKETS_PER_SIDE),
            direction: 'sendrecv',
          })
          .catch((err: unknown) => {
            errors.push(`call ${i}: ${errorMessage(err)}`);
            return null;
          }),
    );
    const up = dialed.flatMap((call, i) => (call && uas.calls.has(i) ? [i] : []));
    say(
      `  ${up.length}/${calls} calls relayed to the UAS in ${round((performance.now() - dialStart) / 1000, 1)} s`,
    );

    // Baseline: the same streams, straight from one party's socket to the other's.
    const direct = (i: number, toFar: boolean): StampedStream => ({
      socket: i % SOCKETS_PER_SIDE,
      target: { address: '127.0.0.1', port: (toFar ? farEnd : callers).port(i % SOCKETS_PER_SIDE) },
    });
    callers.setStreams(up.map((i) => direct(i, true)));
    farEnd.setStreams(up.map((i) => direct(i, false)));
    const baseline = await measureWindow([callers, farEnd], warmupSeconds, windowSeconds);
    await sleep(500);

    // Relayed: caller → relay (port from the 200 OK), far end → relay (port from Callsight's INVITE).
    callers.setStreams(up.map((i) => ({ socket: i % SOCKETS_PER_SIDE, target: dialed[i]!.rtpTarget })));
    farEnd.setStreams(
      up.map((i) => ({
        socket: i % SOCKETS_PER_SIDE,
        target: { address: '127.0.0.1', port: uas.calls.get(i)!.relayPort },
      })),
    );
    const udp0 = udpCounters();
    const cpu = new CpuMeter(server.process.pid!);
    const ownCpu = new CpuMeter(process.pid);
    const relayed = await measureWindow([callers, farEnd], warmupSeconds, windowSeconds);
    // The CPU figures include the relayed window's warm-up.
    const callsightCores = round(cpu.cores(), 2);
    const benchCores = round(ownCpu.cores(), 2);
    const udp1 = udpCounters();

    const addedLatencyMs = difference(relayed.latencyMs, baseline.latencyMs);
    const addedJitterMs = difference(relayed.jitterMs, baseline.jitterMs);
    if (up.length < calls) errors.push(`${calls - up.length} calls could not be set up`);
    return {
      method:
        `${up.length} concurrent calls routed through Callsight (ASR off) to a UAS in the bench process; RTP both ways at 50 pps ` +
        `per direction (${up.length * 100} pps), each payload stamped with its send time (performance.now()) and read by the other party ` +
        `in the same process. ${windowSeconds} s windows after ${warmupSeconds} s of warm-up: baseline (socket to socket, no Callsight), ` +
        'then relayed (both directions pooled). Added = relayed − baseline per percentile. ' +
        'Jitter: |D(i−1,i)| of consecutive packets per stream (RFC 3550 transit difference).',
      calls: up.length,
      streams: up.length * 2,
      windowSeconds,
      baseline,
      relayed,
      addedLatencyMs,
      addedJitterMs,
      callsightCores,
      benchCores,
      kernelRcvbufErrors: counterDelta(udp0, udp1, 'RcvbufErrors'),
      errors,
      target: `p99 added one-way latency ≤ ${RELAY_LATENCY_TARGET.p99AddedMs} ms and added jitter ≤ ${RELAY_LATENCY_TARGET.p99AddedJitterMs} ms at ${RELAY_LATENCY_TARGET.calls} concurrent relayed calls`,
      pass:
        up.length >= RELAY_LATENCY_TARGET.calls &&
        addedLatencyMs.p99 <= RELAY_LATENCY_TARGET.p99AddedMs &&
        addedJitterMs.p99 <= RELAY_LATENCY_TARGET.p99AddedJitterMs &&
        relayed.lossRatio < 0.001,
    };
  } finally {
    callers.close();
    farEnd.close();
    await mapLimit(
      dialed.filter((c): c is DialedCall => c !== null),
      DIAL_CONCURRENCY,
      (call) => call.hangup().catch(() => undefined),
    );
    caller.close();
    await server.close();
    await uas.close();
  }
}

export function describeRelayLatency(r: RelayLatencyResult): string[] {
  const row = (what: string, s: Summary) =>
    `  ${what.padEnd(22)} n=${String(s.n).padEnd(7)} p50 ${s.p50} ms  p95 ${s.p95} ms  p99 ${s.p99} ms  max ${s.max} ms`;
  return [
    `  ${r.calls} relayed calls, ${r.streams} streams at 50 pps, ${r.windowSeconds} s windows`,
    row('baseline latency', r.baseline.latencyMs),
    row('relayed latency', r.relayed.latencyMs),
    row('baseline jitter', r.baseline.jitterMs),
    row('relayed jitter', r.relayed.jitterMs),
    `  added latency          p50 ${r.addedLatencyMs.p50} ms  p95 ${r.addedLatencyMs.p95} ms  p99 ${r.addedLatencyMs.p99} ms  max ${r.addedLatencyMs.max} ms`,
    `  added jitter           p50 ${r.addedJitterMs.p50} ms  p95 ${r.addedJitterMs.p95} ms  p99 ${r.addedJitterMs.p99} ms`,
    `  loss relayed ${pct(r.relayed.lossRatio, 3)} (baseline ${pct(r.baseline.lossRatio, 3)}), Callsight ${r.callsightCores} cores, bench ${r.benchCores} cores, kernel rcvbuf drops ${r.kernelRcvbufErrors}`,
    ...r.errors.slice(0, 5).map((e) => `  ! ${e}`),
  ];
}
