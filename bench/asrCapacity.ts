/*
 * Concurrent calls held with transcription on. Ramps N = 1, 2, 3, 4, 6 … calls at once, each a real SIP
 * call playing speech (demo-customer / demo-agent alternately, repeated whole to ≥ stepSeconds) with
 * starts staggered over 2 s, and stops at the first step that falls behind real time.
 *
 * A step FALLS BEHIND when any of these holds:
 *   - final-transcript latency p95 over all its calls exceeds 2.5 s;
 *   - some call's last final arrives more than 3 s after the call's last RTP packet was sent
 *     (the recording ends with a 0.9 s pause, so a recogniser keeping up closes it before that);
 *   - some call fails (rejected, pipeline failed, pipeline not stopped 60 s after hang-up) or gets
 *     no final with words.
 */
import type { SipCaller } from '../scripts/lib/SipCaller.js';
import { demoAudio, loopAudio } from './lib/audio.js';
import { HealthProbe } from './lib/HealthProbe.js';
import { CpuMeter } from './lib/probes.js';
import { round, summary } from './lib/stats.js';
import type { TranscriptFeed } from './lib/TranscriptFeed.js';
import { runTranscribedCall } from './lib/transcribedCall.js';

export const ASR_LIMITS = { finalP95Ms: 2500, lastFinalLagMs: 3000 };
/** perf-anchors #3: 24 concurrent fully analysed calls on the 2-core box. */
export const ASR_CAPACITY_TARGET = 24;
const STAGGER_SPREAD_MS = 2000;

export interface AsrStep {
  readonly calls: number;
  readonly held: boolean;
  /** Why the step fell behind (empty when it held). */
  readonly reasons: string[];
  readonly partial: ReturnType<typeof summary>;
  readonly final: ReturnType<typeof summary>;
  /** Largest (last final arrival − last RTP packet sent) over the step's calls. */
  readonly worstLastFinalLagMs: number;
  /** Callsight's CPU use over the step, in cores (all threads: main and ASR workers). */
  readonly callsightCores: number;
  /** Round trips of GET /healthz during the step (from a separate thread): Callsight's responsiveness. */
  readonly healthRttMs: ReturnType<typeof summary>;
}

export interface AsrCapacityResult {
  readonly audioSecondsPerCall: number;
  readonly steps: AsrStep[];
  /** Largest step that held, every smaller step having held too (0: none). */
  readonly heldCalls: number;
  readonly definition: string;
  readonly target: string;
  readonly pass: boolean;
}

export interface AsrCapacityContext {
  readonly caller: SipCaller;
  readonly sipPort: number;
  readonly feed: TranscriptFeed;
  /** Whose /healthz round trips are measured (the process handling SIP and RTP). */
  readonly httpPort: number;
  /** Callsight's processes, whose CPU is summed (one, or each role's). */
  readonly callsightPid: number | readonly number[];
}

export async function measureAsrCapacity(
  ctx: AsrCapacityContext,
  steps: readonly number[],
  stepSeconds: number,
  progress: (line: string) => void,
): Promise<AsrCapacityResult> {
  const audio = [demoAudio('demo-customer'), demoAudio('demo-agent')].map((a) => loopAudio(a, stepSeconds));
  const results: AsrStep[] = [];
  for (const n of steps) {
    const cpu = new CpuMeter(ctx.callsightPid);
    const probe = new HealthProbe(ctx.httpPort);
    const calls = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        runTranscribedCall({
          ...ctx,
          samples: audio[i % audio.length]!,
          tag: `bench-asr-${n}-${i}`,
          startDelayMs: Math.round((i * STAGGER_SPREAD_MS) / n),
        }),
      ),
    );
    const callsightCores = round(cpu.cores(), 2);
    const healthRttMs = await probe.stop();
    const final = summary(calls.flatMap((c) => c.finalMs));
    // Calls without any final are already reasons of their own.
    const lags = calls.map((c) => c.lastFinalLagMs).filter(Number.isFinite);
    const worstLastFinalLagMs = lags.length > 0 ? round(Math.max(...lags)) : Number.NaN;
    const reasons = [
      ...calls.flatMap((c) => (c.error ? [`${c.tag}: ${c.error}`] : [])),
      ...calls.flatMap((c) => (c.finalMs.length === 0 ? [`${c.tag}: no final with words`] : [])),
      ...(final.p95 > ASR_LIMITS.finalP95Ms
        ? [`final p95 ${final.p95} ms > ${ASR_LIMITS.finalP95Ms} ms`]
        : []),
      ...(worstLastFinalLagMs > ASR_LIMITS.lastFinalLagMs
        ? [
            `a last final came ${worstLastFinalLagMs} ms after its audio ended (> ${ASR_LIMITS.lastFinalLagMs} ms)`,
          ]
        : []),
    ];
    const step: AsrStep = {
      calls: n,
      held: reasons.length === 0,
      reasons,
      partial: summary(calls.flatMap((c) => c.partialMs)),
      final,
      worstLastFinalLagMs,
      callsightCores,
      healthRttMs,
    };
    results.push(step);
    progress(describeAsrStep(step));
    if (!step.held) break;
  }
  let heldCalls = 0;
  for (const step of results) {
    if (!step.held) break;
    heldCalls = step.calls;
  }
  return {
    audioSecondsPerCall: round(audio[0]!.length / 8000, 1),
    steps: results,
    heldCalls,
    definition:
      `falls behind: final latency p95 > ${ASR_LIMITS.finalP95Ms} ms, or a call's last final > ` +
      `${ASR_LIMITS.lastFinalLagMs} ms after its last RTP packet, or a call fails / gets no final`,
    target: `≥ ${ASR_CAPACITY_TARGET} concurrent calls (perf-anchors #3); one transcribed channel per call here`,
    pass: heldCalls >= ASR_CAPACITY_TARGET,
  };
}

export function describeAsrStep(s: AsrStep): string {
  return (
    `  ${String(s.calls).padStart(3)} calls: ${s.held ? 'held' : 'BEHIND'}  partial p50/p95 ${s.partial.p50}/${s.partial.p95} ms` +
    `  final p50/p95 ${s.final.p50}/${s.final.p95} ms  worst last-final lag ${s.worstLastFinalLagMs} ms` +
    `  Callsight CPU ${s.callsightCores} cores, /healthz p95 ${s.healthRttMs.p95} ms${s.reasons.length ? `\n        ${s.reasons.slice(0, 4).join('; ')}` : ''}`
  );
}
