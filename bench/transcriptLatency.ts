/*
 * Audio-to-WebSocket latency of Transcribe records: a few calls, one at a time, each playing
 * demo-customer.wav over SIP/RTP in real time. Every record's media time (a partial's EndTime, a
 * final's last word EndTime) is mapped back to the wall-clock time the RTP packet holding that audio
 * was sent (SendLog), and subtracted from the time the record's WebSocket frame arrived.
 */
import type { SipCaller } from '../scripts/lib/SipCaller.js';
import { demoAudio } from './lib/audio.js';
import { summary } from './lib/stats.js';
import type { TranscriptFeed } from './lib/TranscriptFeed.js';
import { runTranscribedCall, type TranscribedCallResult } from './lib/transcribedCall.js';

export const LATENCY_TARGETS = { partialP50Ms: 400, finalP50Ms: 1000 };

export interface LatencyResult {
  readonly method: string;
  readonly calls: number;
  readonly partial: ReturnType<typeof summary>;
  readonly final: ReturnType<typeof summary>;
  readonly emptyFinals: number;
  readonly errors: string[];
  readonly target: string;
  readonly pass: { partial: boolean; final: boolean };
}

export interface LatencyContext {
  readonly caller: SipCaller;
  readonly sipPort: number;
  readonly feed: TranscriptFeed;
}

export async function measureTranscriptLatency(ctx: LatencyContext, calls: number): Promise<LatencyResult> {
  const samples = demoAudio('demo-customer');
  // A short call first, not measured: a freshly started Callsight's first call pays for JIT warm-up.
  await runTranscribedCall({ ...ctx, samples: samples.subarray(0, 4 * 8000), tag: 'bench-latency-warmup' });
  const results: TranscribedCallResult[] = [];
  for (let i = 0; i < calls; i++) {
    results.push(await runTranscribedCall({ ...ctx, samples, tag: `bench-latency-${i}` }));
  }
  const partial = summary(results.flatMap((r) => r.partialMs));
  const final = summary(results.flatMap((r) => r.finalMs));
  return {
    method:
      `${calls} sequential SIP calls of demo-customer.wav (after an unmeasured 4 s warm-up call), one at a time; ` +
      'each Transcribe record: WebSocket frame arrival − send time of the RTP packet holding its media time ' +
      "(partials: EndTime; finals: the last Item's EndTime; seconds from the INVITE)",
    calls,
    partial,
    final,
    emptyFinals: results.reduce((n, r) => n + r.emptyFinals, 0),
    errors: results.flatMap((r) => [
      ...(r.error ? [`${r.tag}: ${r.error}`] : []),
      ...(r.clamped ? [`${r.tag}: ${r.clamped} media times outside the audio sent`] : []),
    ]),
    target: `partial p50 ≤ ${LATENCY_TARGETS.partialP50Ms} ms, final p50 ≤ ${LATENCY_TARGETS.finalP50Ms} ms`,
    pass: {
      partial: partial.n > 0 && partial.p50 <= LATENCY_TARGETS.partialP50Ms,
      final: final.n > 0 && final.p50 <= LATENCY_TARGETS.finalP50Ms,
    },
  };
}

export function describeLatency(r: LatencyResult): string[] {
  const line = (what: string, s: LatencyResult['partial']) =>
    `  ${what.padEnd(8)} n=${String(s.n).padEnd(4)} p50 ${s.p50} ms  p95 ${s.p95} ms  max ${s.max} ms`;
  return [
    `  ${r.calls} sequential calls of demo-customer.wav`,
    line('partial', r.partial),
    line('final', r.final),
    ...r.errors.map((e) => `  ! ${e}`),
  ];
}
