import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from '../../scripts/lib/fuzz/FuzzHarness.js';
import { FUZZ_TARGETS } from '../../scripts/lib/fuzz/targets.js';

/*
 * Every wire parser (scripts/lib/fuzz/targets.ts) under the seeded fuzzer for a bounded time: any
 * input must parse or be refused with the parser's typed error, within 200 ms of CPU time. The benchmark's
 * `--only fuzz` runs the same targets for longer. CALLSIGHT_FUZZ_SECONDS and CALLSIGHT_FUZZ_SEED
 * replay or extend a run; a failing input is shrunk and saved, its file named in the failure.
 */
const SECONDS = Number(process.env.CALLSIGHT_FUZZ_SECONDS ?? 2);
const SEED = Number(process.env.CALLSIGHT_FUZZ_SEED ?? 0x5eed);

describe('fuzz: wire parsers give a result or a typed refusal, never a crash or a hang', () => {
  for (const target of FUZZ_TARGETS) {
    test(`${target.name}: ${SECONDS} s of seeded mutations`, () => {
      const report = fuzzTarget(target, { seconds: SECONDS, seed: SEED });
      assert.equal(report.failure, null, JSON.stringify(report.failure, null, 2));
      assert.ok(report.runs >= 200, `only ${report.runs} inputs in ${SECONDS} s`);
    });
  }
});

describe('fuzz: the harness finds what it is for', () => {
  test('a parser that crashes on some byte is reported with a shrunk input saved', () => {
    const report = fuzzTarget(
      {
        name: 'self-test-crash',
        seeds: () => [Buffer.from('INVITE sip:a@b SIP/2.0\r\n\r\n')],
        run: (input) => {
          if (input.includes(0x3b)) throw new RangeError('semicolon');
        },
        refusal: (err) => err instanceof SyntaxError,
      },
      { seconds: 2, seed: 1 },
    );
    assert.ok(report.failure, 'found');
    assert.match(report.failure.error, /RangeError: semicolon/);
    assert.match(report.failure.file, /self-test-crash/);
  });

  test('a parser that hangs on some input is reported as over its time budget', () => {
    const report = fuzzTarget(
      {
        name: 'self-test-hang',
        seeds: () => [Buffer.from('v=0\r\n')],
        run: (input) => {
          if (input.includes(0x3d) && input.length > 6) {
            // 50 ms of CPU time, however busy the machine is.
            const started = process.cpuUsage();
            while (process.cpuUsage(started).user < 50_000);
          }
        },
        refusal: () => false,
      },
      { seconds: 2, seed: 2, perInputBudgetMs: 20 },
    );
    assert.match(report.failure?.error ?? '', /over the 20 ms budget/);
  });
});
