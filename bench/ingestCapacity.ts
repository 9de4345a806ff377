/*
 * Concurrent calls held with transcription off (RTP ingest, jitter buffer, G.711 decode, resampling,
 * events): N calls are set up over SIP (SipCaller.dial), and RtpLoad drives all their RTP from one
 * 20 ms ticker for `stepSeconds`. Steps add calls to those already up.
 *
 * Each step: dial the new calls with the load stopped, snapshot packets sent (RtpLoad) and received
 * (GET /api/calls: each stream's jitter-buffer counters), run the load, stop it, poll /api/calls until
 * the counters stop moving (Callsight has read everything it will), snapshot again. The step's loss
 * is Σ(sent − received) / Σ sent over its window.
 *
 * A step HOLDS when loss < 0.1 % (LOSS_LIMIT), every call is still up, every dial succeeded, and
 * Callsight had read its backlog within 1 s of the sender stopping (else it was behind real time,
 * hidden by the 1 MiB socket buffers). The largest step with exactly 0 loss is reported too.
 */
import type { DialedCall, SipCaller } from '../scripts/lib/SipCaller.js';
import { authFetch } from '../test/helpers/callsight.js';
import { demoAudio } from './lib/audio.js';
import { HealthProbe } from './lib/HealthProbe.js';
import { counterDelta, CpuMeter, scrapeRuntime, udpCounters } from './lib/probes.js';
import { RtpLoad } from './lib/RtpLoad.js';
import { round, type summary } from './lib/stats.js';
import { mapLimit, pct, sleep } from './lib/util.js';
import { asError } from '../src/platform/errors.js';

export const LOSS_LIMIT = 0.001;
export const INGEST_TARGET = 500;
const SETTLE_LIMIT_MS = 1000;
/** Below this share of calls × 50 pps the step did not offer the load it names. */
const MIN_GENERATOR_SHARE = 0.97;
const DIAL_CONCURRENCY = 32;
const POLL_MS = 200;

interface StreamCounters {
  packetsReceived: number;
  packetsLost: number;
  packetsLate: number;
  packetsDuplicate: number;
  packetsInvalid: number;
  packetsSpoofed: number;
}

type Snapshot = Map<string, StreamCounters>;

export interface IngestStep {
  readonly calls: number;
  readonly held: boolean;
  readonly zeroLoss: boolean;
  readonly reasons: string[];
  /** Time to dial this step's new calls, and the resulting calls per second. */
  readonly dialSeconds: number;
  readonly windowSeconds: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly lossRatio: number;
  /** Gaps the jitter buffer gave up on, packets too late, malformed/unknown/spoofed. */
  readonly jitterLost: number;
  readonly late: number;
  readonly invalid: number;
  /** Packets per second the load generator achieved, against calls × 50. */
  readonly sentPps: number;
  readonly nominalPps: number;
  /** From stopping the sender until Callsight's counters stopped moving. */
  readonly settleMs: number;
  /** Kernel-wide UDP receive-buffer drops during the window (other processes' too). */
  readonly kernelRcvbufErrors: number;
  readonly callsightCores: number;
  readonly benchCores: number;
  /** Round trips of GET /healthz during the window (from a separate thread): Callsight's responsiveness. */
  readonly healthRttMs: ReturnType<typeof summary>;
  /** Time Callsight spent in garbage collection during the step. */
  readonly gcMs: number;
  readonly residentMb: number;
}

export interface IngestResult {
  readonly steps: IngestStep[];
  /** Largest step that held (< 0.1 % loss …), every smaller step having held too. */
  readonly heldCalls: number;
  /** Largest step with no packet lost at all, every smaller step too. */
  readonly zeroLossCalls: number;
  readonly definition: string;
  readonly target: string;
  readonly pass: boolean;
}

export interface IngestContext {
  readonly caller: SipCaller;
  readonly sipPort: number;
  readonly httpPort: number;
  readonly callsightPid: number;
}

async function snapshot(httpPort: number): Promise<Snapshot> {
  const res = await authFetch(`http://127.0.0.1:${httpPort}/api/calls`);
  const { calls } = (await res.json()) as { calls: { sipCallId: string; rtp: StreamCounters[] }[] };
  return new Map(calls.flatMap((c) => (c.rtp[0] ? [[c.sipCallId, c.rtp[0]]] : [])));
}

const totalReceived = (s: Snapshot): number => [...s.values()].reduce((n, c) => n + c.packetsReceived, 0);

/** Polls until Callsight's received counters stop moving; returns the final snapshot and when it was reached. */
async function settle(httpPort: number, stoppedAt: number): Promise<{ snap: Snapshot; settleMs: number }> {
  let snap = await snapshot(httpPort);
  let reachedAt = performance.now();
  for (const deadline = performance.now() + 10_000; performance.now() < deadline;) {
    await sleep(POLL_MS);
    const next = await snapshot(httpPort);
    if (totalReceived(next) === totalReceived(snap)) break;
    snap = next;
    reachedAt = performance.now();
  }
  return { snap, settleMs: round(reachedAt - stoppedAt, 0) };
}

export async function measureIngestCapacity(
  ctx: IngestContext,
  steps: readonly number[],
  stepSeconds: number,
  progress: (line: string) => void,
): Promise<IngestResult> {
  const samples = demoAudio('demo-customer');
  const load = new RtpLoad(samples);
  await load.ready();
  const dialed: DialedCall[] = [];
  const results: IngestStep[] = [];
  try {
    for (const n of steps) {
      const reasons: string[] = [];
      // Dial the new calls, all answered before any is added, so stream i is sent from sourcePort(i).
      const dialStart = performance.now();
      const base = load.size;
      const fresh = await mapLimit(
        Array.from({ length: n - dialed.length }, (_, k) => k),
        DIAL_CONCURRENCY,
        async (k) =>
          ctx.caller
            .dial({
              host: '127.0.0.1',
              port: ctx.sipPort,
              fromNumber: '+15555550100',
              toNumber: `bench-ingest-${base + k}`,
              rtpPort: load.sourcePort(base + k),
            })
            .catch((err: unknown) => asError(err)),
      );
      const dialSeconds = round((performance.now() - dialStart) / 1000, 2);
      for (const call of fresh) {
        if (call instanceof Error) {
          reasons.push(`dial failed: ${call.message}`);
          continue;
        }
        dialed.push(call);
        load.add({ ...call.rtpTarget, samples });
      }
      await sleep(300);

      const before = await snapshot(ctx.httpPort);
      const sentBefore = dialed.map((_, i) => load.sent(i));
      const udp0 = udpCounters();
      const cpu = new CpuMeter(ctx.callsightPid);
      const ownCpu = new CpuMeter(process.pid);
      const runtime0 = await scrapeRuntime(ctx.httpPort);
      const probe = new HealthProbe(ctx.httpPort);
      const started = performance.now();
      load.start();
      await sleep(stepSeconds * 1000);
      load.stop();
      const stoppedAt = performance.now();
      const windowSeconds = (stoppedAt - started) / 1000;
      const benchCores = round(ownCpu.cores(), 2);
      const healthRttMs = await probe.stop();
      const { snap: after, settleMs } = await settle(ctx.httpPort, stoppedAt);
      const callsightCores = round(cpu.cores(), 2);
      const runtime = await scrapeRuntime(ctx.httpPort);
      const udp1 = udpCounters();

      let sent = 0;
      let received = 0;
      let jitterLost = 0;
      let late = 0;
      let invalid = 0;
      let gone = 0;
      dialed.forEach((call, i) => {
        const a = before.get(call.sipCallId);
        const b = after.get(call.sipCallId);
        if (!a || !b || call.signal.aborted) {
          gone++;
          return;
        }
        sent += load.sent(i) - sentBefore[i]!;
        received += b.packetsReceived - a.packetsReceived;
        jitterLost += b.packetsLost - a.packetsLost;
        late += b.packetsLate - a.packetsLate;
        invalid += b.packetsInvalid + b.packetsSpoofed - a.packetsInvalid - a.packetsSpoofed;
      });
      const lossRatio = sent > 0 ? (sent - received) / sent : Number.NaN;
      if (gone > 0) reasons.push(`${gone} calls were no longer up`);
      if (!(lossRatio < LOSS_LIMIT)) reasons.push(`loss ${pct(lossRatio, 3)} ≥ ${pct(LOSS_LIMIT, 1)}`);
      if (settleMs > SETTLE_LIMIT_MS) reasons.push(`Callsight needed ${settleMs} ms to read its backlog`);
      const nominalPps = dialed.length * 50;
      if (sent < MIN_GENERATOR_SHARE * nominalPps * windowSeconds) {
        reasons.push(
          `the load generator sent only ${pct(sent / (nominalPps * windowSeconds), 1)} of the nominal rate: step not valid`,
        );
      }
      const step: IngestStep = {
        calls: n,
        held: reasons.length === 0,
        zeroLoss: reasons.length === 0 && sent === received,
        reasons,
        dialSeconds,
        windowSeconds: round(windowSeconds, 2),
        packetsSent: sent,
        packetsReceived: received,
        lossRatio: round(lossRatio, 6),
        jitterLost,
        late,
        invalid,
        sentPps: round(sent / windowSeconds, 0),
        nominalPps,
        settleMs,
        kernelRcvbufErrors: counterDelta(udp0, udp1, 'RcvbufErrors'),
        callsightCores,
        benchCores,
        healthRttMs,
        gcMs: round(runtime.gcMs - runtime0.gcMs, 0),
        residentMb: runtime.residentMb,
      };
      results.push(step);
      progress(describeIngestStep(step));
      if (!step.held) break;
    }
  } finally {
    load.close();
    await mapLimit(dialed, DIAL_CONCURRENCY, (call) => call.hangup().catch(() => undefined));
  }
  const lastOf = (ok: (s: IngestStep) => boolean) => {
    let calls = 0;
    for (const step of results) {
      if (!ok(step)) break;
      calls = step.calls;
    }
    return calls;
  };
  const heldCalls = lastOf((s) => s.held);
  return {
    steps: results,
    heldCalls,
    zeroLossCalls: lastOf((s) => s.zeroLoss),
    definition:
      `holds: app-level loss (sent by the generator − packetsReceived by Callsight) < ${pct(LOSS_LIMIT, 1)} over a ` +
      `${stepSeconds} s window, all calls still up, backlog read within ${SETTLE_LIMIT_MS} ms of the sender stopping, ` +
      `generator at ≥ ${pct(MIN_GENERATOR_SHARE, 0)} of calls × 50 pps`,
    target: `≥ ${INGEST_TARGET} concurrent calls (one G.711 stream each) with < ${pct(LOSS_LIMIT, 1)} loss`,
    pass: heldCalls >= INGEST_TARGET,
  };
}

export function describeIngestStep(s: IngestStep): string {
  return (
    `  ${String(s.calls).padStart(5)} calls: ${s.held ? (s.zeroLoss ? 'held, 0 loss' : 'held') : 'NOT HELD'}` +
    `  sent ${s.packetsSent} (${s.sentPps}/${s.nominalPps} pps)  received ${s.packetsReceived}  loss ${pct(s.lossRatio, 3)}` +
    `  settle ${s.settleMs} ms  Callsight ${s.callsightCores} cores, /healthz p50/p95 ${s.healthRttMs.p50}/${s.healthRttMs.p95} ms, GC ${s.gcMs} ms, RSS ${s.residentMb} MB` +
    `  (dial ${s.dialSeconds} s)${s.reasons.length ? `\n        ${s.reasons.slice(0, 4).join('; ')}` : ''}`
  );
}
