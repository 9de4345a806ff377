import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';

/**
 * One wire parser under the fuzzer. `run` parses an input the way the product does (and uses what it
 * got back, so that a half-built result fails here, not in production); returning, or throwing an
 * error `refusal` accepts, is a correct outcome. Anything else thrown is a crash.
 */
export interface FuzzTarget {
  readonly name: string;
  /** Well-formed inputs the mutations start from (fixtures, captures). */
  readonly seeds: () => readonly Buffer[];
  readonly run: (input: Buffer) => void;
  /** The typed errors by which the parser refuses input. */
  readonly refusal: (err: unknown) => boolean;
}

export interface FuzzOptions {
  /** How long to fuzz this target. */
  readonly seconds: number;
  /** fast-check seed: the same seed replays the same inputs. */
  readonly seed: number;
  /** An input taking more CPU time than this to parse is a hang. */
  readonly perInputBudgetMs?: number;
  /** Where failing inputs are written (default: the system's temp folder). */
  readonly crashDir?: string;
}

export interface FuzzReport {
  readonly target: string;
  readonly seed: number;
  readonly runs: number;
  readonly slowestMs: number;
  /** null when no input crashed or hung; else the (shrunk) input's file and what happened. */
  readonly failure: { readonly file: string; readonly error: string } | null;
}

/** Bytes that break grammars: separators, quotes, escapes, overlong numbers, markup, NUL. */
const TOKENS = [
  '\r\n',
  '\r\n\r\n',
  '\n',
  '\r',
  ' ',
  '\t',
  ';',
  ',',
  ':',
  '=',
  '<',
  '>',
  '"',
  '\\',
  '?',
  '@',
  '%',
  '%00',
  '\0',
  '--',
  '-1',
  '0',
  '4294967296',
  '99999999999999999999',
  'Content-Length: 99999',
  'SIP/2.0',
  'sip:',
  'sips:',
  'm=audio 0 RTP/AVP',
  'a=rtpmap:',
  'c=IN IP6 ::',
  '<?xml version="1.0"?>',
  '&amp;',
  '<![CDATA[',
  ']]>',
  '\u00e9',
  '\ud83d',
  '\xff\xfe',
].map((t) => Buffer.from(t, 'latin1'));

type Edit =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'token'; at: number; token: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const at = fc.nat();
const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('token' as const), at, token: fc.nat({ max: TOKENS.length - 1 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.nat({ max: 256 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
);

function applyEdit(input: Buffer, edit: Edit): Buffer {
  const i = input.length === 0 ? 0 : edit.at % (input.length + 1);
  const head = input.subarray(0, i);
  switch (edit.kind) {
    case 'flip': {
      const copy = Buffer.from(input);
      if (i < copy.length) copy[i] = edit.byte;
      return copy;
    }
    case 'insert':
      return Buffer.concat([head, edit.bytes, input.subarray(i)]);
    case 'token':
      return Buffer.concat([head, TOKENS[edit.token]!, input.subarray(i)]);
    case 'delete':
      return Buffer.concat([head, input.subarray(i + edit.length)]);
    case 'duplicate':
      return Buffer.concat([input.subarray(0, i + edit.length), input.subarray(i)]);
    case 'truncate':
      return Buffer.from(head);
  }
}

/** Mutated seeds mostly (structure survives, so parsers get deep), random bytes sometimes. */
function inputArbitrary(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const mutated = fc
    .record({
      seed: fc.constantFrom(...seeds),
      edits: fc.array(editArbitrary, { minLength: 1, maxLength: 8 }),
    })
    .map(({ seed, edits }) => edits.reduce(applyEdit, seed));
  const random = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));
  return fc.oneof({ weight: 9, arbitrary: mutated }, { weight: 1, arbitrary: random });
}

/**
 * Runs one target under fast-check for `seconds`: every input must parse or be refused with the
 * target's typed error, each within the time budget. A failure is shrunk to a small input, written to
 * the crash folder and reported (never thrown), so that a caller can run every target and list them.
 */
export function fuzzTarget(target: FuzzTarget, options: FuzzOptions): FuzzReport {
  const budget = options.perInputBudgetMs ?? 200;
  let slowestMs = 0;
  // CPU time, not wall time: other processes on a shared machine stretch the wall clock, not this.
  const timed = (input: Buffer): number => {
    const started = process.cpuUsage();
    try {
      target.run(input);
    } catch (err) {
      if (!target.refusal(err)) throw err;
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  const property = fc.property(inputArbitrary(target.seeds()), (input) => {
    let ms = timed(input);
    // A real hang repeats; a garbage collection does not.
    for (let retry = 0; retry < 2 && ms > budget; retry++) ms = Math.min(ms, timed(input));
    slowestMs = Math.max(slowestMs, ms);
    if (ms > budget) throw new Error(`took ${ms.toFixed(0)} ms, over the ${budget} ms budget (a hang)`);
  });
  const details = fc.check(property, {
    seed: options.seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: options.seconds * 1000,
    markInterruptAsFailure: false,
  });
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  if (!details.failed || !details.counterexample)
    return {
      target: target.name,
      seed: options.seed,
      runs: details.numRuns,
      slowestMs: round(slowestMs),
      failure: null,
    };
  const [input] = details.counterexample;
  const dir = join(options.crashDir ?? join(tmpdir(), 'callsight-fuzz'), target.name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha1').update(input).digest('hex').slice(0, 12)}.bin`);
  writeFileSync(file, input);
  const error =
    details.errorInstance instanceof Error
      ? (details.errorInstance.stack ?? String(details.errorInstance))
      : String(details.errorInstance);
  return {
    target: target.name,
    seed: options.seed,
    runs: details.numRuns,
    slowestMs: round(slowestMs),
    failure: { file, error: error.split('\n').slice(0, 6).join('\n') },
  };
}
