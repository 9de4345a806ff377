/*
 * What call analytics adds to each utterance: the round trip of one ASR result through the analytics
 * worker (PII, redaction, sentiment, issues), measured on the main thread the way the call analytics
 * processor waits for it, for every utterance of the labelled fixture calls, first partial-style
 * then final. The time the record then takes to the stream is the same as a plain Transcribe record's.
 */
import { silentLogger } from '../src/platform/logger.js';
import { AnalyticsPool } from '../src/analytics/worker/AnalyticsPool.js';
import { fixtureCalls } from '../test/analytics/callFixture.js';
import { round, summary } from './lib/stats.js';

/** issue 5: analytics must add under 20 ms p95 per utterance. */
export const ANALYTICS_LATENCY_TARGET_MS = 20;

export interface AnalyticsLatencyResult {
  readonly method: string;
  readonly utterances: number;
  readonly addedMs: ReturnType<typeof summary>;
  readonly target: string;
  readonly pass: boolean;
}

export async function measureAnalyticsLatency(rounds = 5): Promise<AnalyticsLatencyResult> {
  const pool = new AnalyticsPool(1, silentLogger);
  await pool.ready();
  const options = { contentRedactionType: 'PII' as const, piiEntityTypes: 'ALL' };
  const utterances = fixtureCalls().flatMap((call) => call.utterances);
  const added: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const utterance of utterances) {
        for (const isPartial of [true, false]) {
          const started = performance.now();
          await pool.analyze(options, { ...utterance, isPartial });
          if (r > 0) added.push(performance.now() - started); // round 0 warms the worker up
        }
      }
    }
  } finally {
    await pool.close();
  }
  const addedMs = summary(added.map((ms) => round(ms, 3)));
  return {
    method:
      'AnalyticsPool.analyze round trip (1 worker, PII redaction on) for every utterance of test/fixtures/analytics/calls.json, as partial and as final; first round discarded',
    utterances: added.length,
    addedMs,
    target: `p95 ≤ ${ANALYTICS_LATENCY_TARGET_MS} ms`,
    pass: addedMs.p95 <= ANALYTICS_LATENCY_TARGET_MS,
  };
}
