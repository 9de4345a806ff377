/*
 * Soak (issue 12): many calls of mixed length and concurrency through the SIP path into one
 * Callsight process transcribing with examples/full-analytics.yaml, and what the process holds after
 * every block of calls: resident memory, JavaScript heap, external memory, pocketsphinx decoders,
 * open file descriptors and threads. Memory that grows with the number of calls served (rather than
 * with the calls in progress) shows up as a slope here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DetailType, isTranscribeCallAnalytics } from '../client/src/index.js';
import { TEST_TOKEN } from '../test/helpers/callsight.js';
import { fliteVoice, spokenScript } from '../scripts/lib/Speech.js';
import { SipCaller } from '../scripts/lib/SipCaller.js';
import { startBenchServer } from './lib/server.js';
import { followStream, TranscriptFeed } from './lib/TranscriptFeed.js';
import { runTranscribedCall } from './lib/transcribedCall.js';
import { mapLimit, sleep } from './lib/util.js';

const FULL_ANALYTICS = fileURLToPath(new URL('../examples/full-analytics.yaml', import.meta.url));

/** What a caller says: rendered once with flite, from about 1 s to about 6 s of speech. */
const SCRIPTS: readonly string[] = [
  'Hello there, good morning.',
  'I would like to check my balance.',
  'My card was charged twice for the same order last week.',
  'I have been waiting for a refund for three weeks and nobody has called me back about it.',
  'Can you tell me when the technician will arrive, because I have to leave for work at noon today.',
  'I want to cancel my subscription, close my account, and get the last payment back, this is the third time I am calling about it.',
];

export const SOAK_TARGET = {
  /** Resident memory after the last half of the calls, relative to after the first half. */
  rssGrowth: 0.05,
  /** File descriptors and threads may differ by this much between those two points. */
  fdsSlack: 2,
  threadsSlack: 0,
};

export interface SoakSample {
  readonly calls: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly externalMiB: number;
  readonly decodersBusy: number;
  readonly decodersIdle: number;
  readonly fds: number;
  readonly threads: number;
  readonly failedCalls: number;
  readonly seconds: number;
}

export interface SoakResult {
  readonly calls: number;
  readonly concurrency: readonly number[];
  readonly speechSeconds: readonly number[];
  readonly failedCalls: number;
  /** Failures by reason (first 10 reasons). */
  readonly failures: Record<string, number>;
  readonly transcribedCalls: number;
  /** Before the first call. */
  readonly idle: SoakSample;
  readonly samples: readonly SoakSample[];
  readonly rssGrowth: number;
  readonly fdsGrowth: number;
  readonly threadsGrowth: number;
  readonly pass: boolean;
  readonly durationSeconds: number;
}

export interface SoakOptions {
  readonly calls: number;
  /** Calls in flight, one value per block of `every` calls (cycled). */
  readonly concurrency: readonly number[];
  readonly every: number;
  /** Leave out the clips longer than this (a busy machine cannot run 1,000 six-second calls in time). */
  readonly maxSpeechSeconds: number;
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  readonly progress: (line: string) => void;
}

const MiB = 2 ** 20;
const ASR_WORKERS = 2;
const round1 = (n: number) => Math.round(n * 10) / 10;

function procStatus(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

async function sample(
  pid: number,
  httpPort: number,
  calls: number,
  failedCalls: number,
  started: number,
): Promise<SoakSample> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const metric = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    calls,
    rssMiB: round1((procStatus(pid, 'VmRSS') * 1024) / MiB),
    heapUsedMiB: round1(metric(/^nodejs_heap_size_used_bytes ([0-9.eE+-]+)$/m) / MiB),
    externalMiB: round1(metric(/^nodejs_external_memory_bytes ([0-9.eE+-]+)$/m) / MiB),
    decodersBusy: metric(/^callsight_asr_decoders\{engine="pocketsphinx",state="busy"\} (\d+)$/m),
    decodersIdle: metric(/^callsight_asr_decoders\{engine="pocketsphinx",state="idle"\} (\d+)$/m),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    threads: procStatus(pid, 'Threads'),
    failedCalls,
    seconds: Math.round((performance.now() - started) / 1000),
  };
}

/** Calls (by To number) that got a call-analytics final with words (the feed reads Transcribe records only). */
async function analyticsFinals(httpPort: number): Promise<{ calls: Set<string>; close(): void }> {
  const calls = new Set<string>();
  const close = await followStream(httpPort, [DetailType.TranscribeCallAnalytics], TEST_TOKEN, (record) => {
    if (!isTranscribeCallAnalytics(record)) return;
    const u = record.UtteranceEvent;
    if (u.IsPartial || !u.Transcript) return;
    const { toNumber } = JSON.parse(record.metadata) as { toNumber?: string };
    if (toNumber) calls.add(toNumber);
  });
  return { calls, close };
}

/** Waits until the idle decoders are down to one per worker (asr.decoderIdleSeconds), so samples compare. */
async function decodersSettled(httpPort: number, workers: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const idle = /^callsight_asr_decoders\{engine="pocketsphinx",state="idle"\} (\d+)$/m.exec(text);
    if (idle && Number(idle[1]) <= workers) return;
    await sleep(500);
  }
}

export async function benchSoak(options: SoakOptions): Promise<SoakResult> {
  const { progress } = options;
  const voice = fliteVoice('slt');
  const clips = SCRIPTS.map((text) => spokenScript(voice, [text]))
    .filter((c, i) => i === 0 || c.length <= options.maxSpeechSeconds * 8000)
    .map((c) => c.subarray(0, options.maxSpeechSeconds * 8000));
  const speechSeconds = clips.map((c) => round1(c.length / 8000));
  progress(`  speech clips (flite slt): ${speechSeconds.join(', ')} s`);

  const server = await startBenchServer({
    asrEnabled: true,
    rtpPortMin: options.rtpPortMin,
    rtpPortMax: options.rtpPortMax,
    // Decoders idle for 5 s are freed, so every sample sees one per worker whatever the last block needed.
    env: {
      CALLSIGHT_CONFIG: FULL_ANALYTICS,
      CALLSIGHT_ASR_WORKERS: String(ASR_WORKERS),
      CALLSIGHT_ASR_DECODER_IDLE_SECONDS: '5',
    },
  });
  const caller = await SipCaller.open('127.0.0.1');
  const feed = await TranscriptFeed.connect(server.httpPort, TEST_TOKEN);
  const finals = await analyticsFinals(server.httpPort);
  const pid = server.process.pid!;
  const started = performance.now();
  const failures: Record<string, number> = {};
  let failedCalls = 0;
  try {
    // Settled: the engines have loaded and the start's garbage has been collected.
    await sleep(5_000);
    const idle = await sample(pid, server.httpPort, 0, 0, started);
    progress(`  idle process: ${describe(idle)}`);
    const samples: SoakSample[] = [];
    for (let done = 0, block = 0; done < options.calls; block++) {
      const size = Math.min(options.every, options.calls - done);
      const concurrency = options.concurrency[block % options.concurrency.length]!;
      const indexes = Array.from({ length: size }, (_, i) => done + i);
      const results = await mapLimit(indexes, concurrency, (index, i) =>
        runTranscribedCall({
          caller,
          sipPort: server.sipPort,
          feed,
          // Lengths mixed within every block, and the lanes do not start in step.
          samples: clips[(index * 7 + block) % clips.length]!,
          tag: `+1555${String(index).padStart(7, '0')}`,
          ...(i < concurrency ? { startDelayMs: i * 250 } : {}),
        }),
      );
      for (const r of results) {
        if (r.error !== null) {
          failedCalls++;
          const reason = r.error.slice(0, 120);
          if (reason in failures || Object.keys(failures).length < 10)
            failures[reason] = (failures[reason] ?? 0) + 1;
        }
      }
      done += size;
      await decodersSettled(server.httpPort, ASR_WORKERS);
      const s = await sample(pid, server.httpPort, done, failedCalls, started);
      samples.push(s);
      progress(`  ${String(done).padStart(5)} calls (${concurrency} at a time): ${describe(s)}`);
    }
    const transcribedCalls = finals.calls.size;
    const half = samples.find((s) => s.calls >= options.calls / 2) ?? samples[0]!;
    const last = samples.at(-1)!;
    const rssGrowth = (last.rssMiB - half.rssMiB) / half.rssMiB;
    const fdsGrowth = last.fds - half.fds;
    const threadsGrowth = last.threads - half.threads;
    return {
      calls: options.calls,
      concurrency: options.concurrency,
      speechSeconds,
      failedCalls,
      failures,
      transcribedCalls,
      idle,
      samples,
      rssGrowth: Math.round(rssGrowth * 10_000) / 10_000,
      fdsGrowth,
      threadsGrowth,
      pass:
        Math.abs(rssGrowth) <= SOAK_TARGET.rssGrowth &&
        fdsGrowth <= SOAK_TARGET.fdsSlack &&
        threadsGrowth <= SOAK_TARGET.threadsSlack &&
        failedCalls === 0,
      durationSeconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    finals.close();
    feed.close();
    caller.close();
    await server.close();
  }
}

function describe(s: SoakSample): string {
  return (
    `RSS ${s.rssMiB} MiB, heap ${s.heapUsedMiB} MiB, external ${s.externalMiB} MiB, ` +
    `decoders ${s.decodersBusy} busy ${s.decodersIdle} idle, ${s.fds} fds, ${s.threads} threads` +
    (s.failedCalls ? `, ${s.failedCalls} calls failed` : '') +
    ` (${s.seconds} s)`
  );
}

export function describeSoak(r: SoakResult): string[] {
  return [
    `  RSS after ${r.calls} calls ${r.samples.at(-1)!.rssMiB} MiB vs after ${r.calls / 2}: ${(r.rssGrowth * 100).toFixed(1)} % ` +
      `(target within ±${SOAK_TARGET.rssGrowth * 100} %); fds ${r.fdsGrowth >= 0 ? '+' : ''}${r.fdsGrowth}, threads ${r.threadsGrowth >= 0 ? '+' : ''}${r.threadsGrowth}`,
    `  ${r.transcribedCalls} of ${r.calls} calls got a final transcript, ${r.failedCalls} failed`,
  ];
}
