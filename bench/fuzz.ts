import { fuzzTarget, type FuzzReport } from '../scripts/lib/fuzz/FuzzHarness.js';
import { FUZZ_TARGETS } from '../scripts/lib/fuzz/targets.js';

/** Pass: no target crashed or hung in its run. */
export interface FuzzResult {
  readonly secondsPerTarget: number;
  readonly seed: number;
  readonly targets: readonly FuzzReport[];
  readonly totalRuns: number;
  readonly pass: boolean;
}

/**
 * The long run of the wire-parser fuzzer: every target of scripts/lib/fuzz/targets.ts (the suite
 * gives each 2 s) for `secondsPerTarget`, from one seed, so that a failure replays with
 * CALLSIGHT_FUZZ_SEED and CALLSIGHT_FUZZ_SECONDS in test/e2e/WireParsersFuzz.test.ts.
 */
export function benchFuzz(options: {
  secondsPerTarget: number;
  seed: number;
  progress: (line: string) => void;
}): FuzzResult {
  const targets = FUZZ_TARGETS.map((target) => {
    const report = fuzzTarget(target, { seconds: options.secondsPerTarget, seed: options.seed });
    options.progress(
      `  ${target.name.padEnd(20)} ${String(report.runs).padStart(8)} inputs, slowest ${report.slowestMs} ms` +
        (report.failure ? `  FAILED: ${report.failure.file}\n${report.failure.error}` : ''),
    );
    return report;
  });
  return {
    secondsPerTarget: options.secondsPerTarget,
    seed: options.seed,
    targets,
    totalRuns: targets.reduce((sum, t) => sum + t.runs, 0),
    pass: targets.every((t) => t.failure === null),
  };
}
