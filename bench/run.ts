/*
 * `npm run bench`: Callsight's benchmarks, measured in one run on this machine, printed as a report
 * and written to bench/results.json. Each measurement is its own module:
 *   asrRtf             speech-recognition real-time factor per channel (engine on one worker)
 *   transcriptLatency  audio → WebSocket latency of partial and final Transcribe records
 *   asrCapacity        concurrent calls transcribed before one falls behind real time
 *   ingestCapacity     concurrent calls received (transcription off) before packets are lost
 *   relayLatency       one-way latency and jitter the trunk relay adds, at 200 concurrent relayed calls
 *   streamThroughput   data stream records/s appended (acknowledged) and read back: JetStream vs SQLite
 *   analyticsLatency   what call analytics adds to each utterance (worker round trip)
 *   webResponsiveness  the web page in headless Chromium with 1,000 messages/s arriving: long tasks
 *   scaleOut           calls transcribed in real time by one worker process and by two (roles over NATS)
 *   fuzz               every wire parser under the seeded fuzzer, a minute each: zero crashes and hangs
 *   soak               1,000 calls through one process: memory, decoders, fds and threads after every 100
 *                      (only when asked for: --only soak; written to bench/soak.json)
 *
 *   npm run bench -- [--only rtf,latency,asr,ingest,relay,stream,analytics,web,scale,fuzz,soak] [--out FILE]
 *                    [--latency-calls N] [--asr-steps 2,4,…] [--asr-seconds S] [--ingest-steps 100,250,…]
 *                    [--ingest-seconds S] [--relay-calls N] [--relay-seconds S] [--scale-steps 2,4,…]
 *                    [--scale-seconds S] [--fuzz-seconds S] [--fuzz-seed N] [--soak-calls N]
 *                    [--soak-concurrency 8,4,…] [--soak-max-speech S]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SipCaller } from '../scripts/lib/SipCaller.js';
import {
  ANALYTICS_LATENCY_TARGET_MS,
  measureAnalyticsLatency,
  type AnalyticsLatencyResult,
} from './analyticsLatency.js';
import { benchFuzz, type FuzzResult } from './fuzz.js';
import { benchWebResponsiveness } from './webResponsiveness.js';
import { ASR_CAPACITY_TARGET, measureAsrCapacity, type AsrCapacityResult } from './asrCapacity.js';
import { describeAsrRtf, measureAsrRtf, RTF_TARGET, type RtfResult } from './asrRtf.js';
import { INGEST_TARGET, measureIngestCapacity, type IngestResult } from './ingestCapacity.js';
import { machineFacts } from './lib/machine.js';
import {
  benchRelayLatency,
  describeRelayLatency,
  RELAY_LATENCY_TARGET,
  type RelayLatencyResult,
} from './relayLatency.js';
import {
  benchStreamThroughput,
  describeStreamThroughput,
  STREAM_THROUGHPUT_TARGET,
} from './streamThroughput.js';
import { benchScaleOut, describeScaleOut, SCALE_OUT_TARGET, type ScaleOutResult } from './scaleOut.js';
import { startBenchServer } from './lib/server.js';
import { benchSoak, describeSoak, SOAK_TARGET, type SoakResult } from './soak.js';
import { TranscriptFeed } from './lib/TranscriptFeed.js';
import {
  describeLatency,
  LATENCY_TARGETS,
  measureTranscriptLatency,
  type LatencyResult,
} from './transcriptLatency.js';

const MEASUREMENTS = [
  'rtf',
  'latency',
  'asr',
  'ingest',
  'relay',
  'stream',
  'analytics',
  'web',
  'scale',
  'fuzz',
  'soak',
] as const;
type Measurement = (typeof MEASUREMENTS)[number];
/** Run only when named: it takes about 20 minutes and has a results file of its own. */
const ON_REQUEST: readonly Measurement[] = ['soak'];

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: MEASUREMENTS.filter((m) => !ON_REQUEST.includes(m)).join(',') },
    out: { type: 'string' },
    'latency-calls': { type: 'string', default: '3' },
    'asr-steps': { type: 'string', default: '1,2,3,4,6,8,12,16,24' },
    'asr-seconds': { type: 'string', default: '20' },
    'ingest-steps': { type: 'string', default: '100,250,500,750,1000,1500' },
    'ingest-seconds': { type: 'string', default: '10' },
    'relay-calls': { type: 'string', default: String(RELAY_LATENCY_TARGET.calls) },
    'relay-seconds': { type: 'string', default: '15' },
    'scale-steps': { type: 'string', default: '1,2,3,4,5,6,7,8,9,10,12,14,16,20,24,32' },
    'scale-seconds': { type: 'string', default: '20' },
    'fuzz-seconds': { type: 'string', default: '60' },
    'fuzz-seed': { type: 'string', default: String(Date.now() % 2 ** 31) },
    'soak-calls': { type: 'string', default: '1000' },
    'soak-concurrency': { type: 'string', default: '8,4,6,8,5' },
    'soak-max-speech': { type: 'string', default: '6' },
    'rtp-port-min': { type: 'string', default: '20000' },
    'rtp-port-max': { type: 'string', default: '29999' },
  },
  strict: true,
});
const numbers = (text: string) => text.split(',').map(Number);
const only = new Set(values.only.split(',') as Measurement[]);
const out =
  values.out ??
  fileURLToPath(
    new URL(only.size === 1 && only.has('soak') ? './soak.json' : './results.json', import.meta.url),
  );
const rtpRange = { rtpPortMin: Number(values['rtp-port-min']), rtpPortMax: Number(values['rtp-port-max']) };

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Results {
  machine: ReturnType<typeof machineFacts> & { loadAverage1mAtEnd?: number };
  durationSeconds?: number;
  asrRtf?: RtfResult;
  transcriptLatency?: LatencyResult;
  asrCapacity?: AsrCapacityResult;
  ingestCapacity?: IngestResult;
  relayLatency?: RelayLatencyResult;
  streamThroughput?: Record<string, unknown>;
  analyticsLatency?: AnalyticsLatencyResult;
  webResponsiveness?: Record<string, unknown>;
  scaleOut?: ScaleOutResult;
  fuzz?: FuzzResult;
  soak?: SoakResult;
}

async function withAsrServer(results: Results): Promise<void> {
  const server = await startBenchServer({ asrEnabled: true, ...rtpRange });
  const caller = await SipCaller.open('127.0.0.1');
  const feed = await TranscriptFeed.connect(server.httpPort);
  try {
    if (only.has('latency')) {
      say('\n[2/5] Audio → WebSocket latency of Transcribe records');
      results.transcriptLatency = await measureTranscriptLatency(
        { caller, sipPort: server.sipPort, feed },
        Number(values['latency-calls']),
      );
      describeLatency(results.transcriptLatency).forEach(say);
    }
    if (only.has('asr')) {
      say('\n[3/5] Concurrent calls with transcription on, until one falls behind real time');
      results.asrCapacity = await measureAsrCapacity(
        {
          caller,
          sipPort: server.sipPort,
          httpPort: server.httpPort,
          feed,
          callsightPid: server.process.pid!,
        },
        numbers(values['asr-steps']),
        Number(values['asr-seconds']),
        say,
      );
    }
  } finally {
    feed.close();
    caller.close();
    await server.close();
  }
}

async function withIngestServer(results: Results): Promise<void> {
  say('\n[4/5] Concurrent calls with transcription off, until packets are lost');
  const server = await startBenchServer({ asrEnabled: false, ...rtpRange });
  const caller = await SipCaller.open('127.0.0.1');
  try {
    results.ingestCapacity = await measureIngestCapacity(
      { caller, sipPort: server.sipPort, httpPort: server.httpPort, callsightPid: server.process.pid! },
      numbers(values['ingest-steps']),
      Number(values['ingest-seconds']),
      say,
    );
  } finally {
    caller.close();
    await server.close();
  }
}

function summaryLines(r: Results): string[] {
  const lines = ['', '=== Callsight benchmark summary ===', ''];
  const m = r.machine;
  lines.push(
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.date}, ` +
      `load average ${m.loadAverage1mAtStart} → ${m.loadAverage1mAtEnd}`,
    `  single-thread probe: SHA-256 ${m.cpuProbe.sha256MBps} MB/s, ${m.cpuProbe.jsLoopNs} ns per JavaScript loop iteration`,
  );
  if (m.loadAverage1mAtStart > m.cores / 2) {
    lines.push(`  (the machine was busy before the run started: the figures are noisy)`);
  }
  lines.push('');
  const row = (name: string, value: string, target: string, ok: boolean) =>
    lines.push(
      `  ${name.padEnd(31)} ${value.padEnd(40)} target ${target.padEnd(18)} ${ok ? 'PASS' : 'FAIL'}`,
    );
  const t = r.transcriptLatency;
  if (t) {
    const value = (s: LatencyResult['partial']) => `p50 ${s.p50} ms, p95 ${s.p95} ms (n=${s.n})`;
    row('partial latency', value(t.partial), `p50 ≤ ${LATENCY_TARGETS.partialP50Ms} ms`, t.pass.partial);
    row('final latency', value(t.final), `p50 ≤ ${LATENCY_TARGETS.finalP50Ms} ms`, t.pass.final);
  }
  const f = r.asrRtf;
  if (f) row('ASR real-time factor / channel', `${f.rtf} wall, ${f.cpuRtf} CPU`, `≤ ${RTF_TARGET}`, f.pass);
  const a = r.asrCapacity;
  if (a) row('calls transcribed in real time', `${a.heldCalls} calls`, `≥ ${ASR_CAPACITY_TARGET}`, a.pass);
  const i = r.ingestCapacity;
  if (i) {
    const value = `${i.heldCalls} calls (< 0.1 % loss), ${i.zeroLossCalls} (0 loss)`;
    row('calls ingested, ASR off', value, `≥ ${INGEST_TARGET}`, i.pass);
  }
  const l = r.relayLatency;
  if (l) {
    const value = `p99 ${l.addedLatencyMs.p99} ms (p50 ${l.addedLatencyMs.p50}), jitter p99 ${l.addedJitterMs.p99} ms, ${l.calls} calls`;
    row(
      'relay added one-way latency',
      value,
      `p99 ≤ ${RELAY_LATENCY_TARGET.p99AddedMs} ms, jitter ≤ ${RELAY_LATENCY_TARGET.p99AddedJitterMs} ms @ ${RELAY_LATENCY_TARGET.calls}`,
      l.pass,
    );
  }
  const s = r.streamThroughput;
  if (s) {
    const js = s.jetstream as { appendPerSecond?: number; readPerSecond?: number };
    const sq = s.sqlite as { appendPerSecond: number };
    const value = js.appendPerSecond
      ? `JetStream ${js.appendPerSecond} append, ${js.readPerSecond} read (SQLite ${sq.appendPerSecond} append)`
      : 'JetStream not available';
    row(
      'stream records/s',
      value,
      `≥ ${STREAM_THROUGHPUT_TARGET.jetstreamAppendPerSecond} append`,
      s.pass === true,
    );
  }
  const n = r.analyticsLatency;
  if (n) {
    const value = `p50 ${n.addedMs.p50} ms, p95 ${n.addedMs.p95} ms (n=${n.utterances})`;
    row('analytics added per utterance', value, `p95 ≤ ${ANALYTICS_LATENCY_TARGET_MS} ms`, n.pass);
  }
  const w = r.webResponsiveness;
  if (w && w.skipped === undefined) {
    row(
      'web page at 1,000 messages/s',
      `worst long task ${String(w.worstLongTaskMs)} ms, shown within ${String(w.worstRenderLagP95Ms)} ms (p95)`,
      `< ${String(w.longTaskTargetMs)} ms, < ${String(w.renderLagTargetMs)} ms`,
      w.pass === true,
    );
  }
  const o = r.scaleOut;
  if (o) {
    const value = o.skipped
      ? 'NATS or PostgreSQL not available'
      : `${o.configurations.map((c) => c.capacity.heldCalls).join(' → ')} calls (1 → 2 workers), ${o.speedup}×`;
    row('scale-out, calls in real time', value, `≥ ${SCALE_OUT_TARGET.speedup}×`, o.pass);
  }
  const z = r.fuzz;
  if (z) {
    const failed = z.targets.filter((t) => t.failure !== null).map((t) => t.target);
    const value = `${z.totalRuns} inputs, ${failed.length ? `failed: ${failed.join(', ')}` : 'no crash or hang'}`;
    row(`wire parsers fuzzed (seed ${z.seed})`, value, '0 crashes, 0 hangs', z.pass);
  }
  const k = r.soak;
  if (k) {
    const value = `RSS ${(k.rssGrowth * 100).toFixed(1)} %, fds ${k.fdsGrowth}, threads ${k.threadsGrowth}, ${k.failedCalls} failed`;
    row(`soak, last vs first ${k.calls / 2} calls`, value, `±${SOAK_TARGET.rssGrowth * 100} %, flat`, k.pass);
  }
  lines.push('', `(${r.durationSeconds} s; details in ${out})`);
  return lines;
}

async function main(): Promise<void> {
  const started = performance.now();
  const results: Results = { machine: machineFacts() };
  say(
    `Callsight benchmarks on ${results.machine.cores} cores, Node ${results.machine.node} (load average ${results.machine.loadAverage1mAtStart})`,
  );
  if (only.has('rtf')) {
    say('\n[1/5] Speech-recognition real-time factor (one worker, one channel at a time)');
    results.asrRtf = await measureAsrRtf();
    describeAsrRtf(results.asrRtf).forEach(say);
  }
  if (only.has('latency') || only.has('asr')) await withAsrServer(results);
  if (only.has('ingest')) await withIngestServer(results);
  if (only.has('relay')) {
    say('\n[5/5] Added one-way latency and jitter of the trunk relay (media anchored through Callsight)');
    results.relayLatency = await benchRelayLatency({
      calls: Number(values['relay-calls']),
      windowSeconds: Number(values['relay-seconds']),
      ...rtpRange,
      progress: say,
    });
    describeRelayLatency(results.relayLatency).forEach(say);
  }
  if (only.has('stream')) {
    say('\n[stream] Data stream throughput: NATS JetStream against the embedded SQLite log');
    results.streamThroughput = await benchStreamThroughput();
    describeStreamThroughput(results.streamThroughput).forEach(say);
  }
  if (only.has('analytics')) {
    say('\n[analytics] Latency the call analytics models add per utterance');
    results.analyticsLatency = await measureAnalyticsLatency();
    say(`  p50 ${results.analyticsLatency.addedMs.p50} ms, p95 ${results.analyticsLatency.addedMs.p95} ms`);
  }
  if (only.has('web')) {
    say('\n[web] The web page in headless Chromium with 1,000 messages/s arriving');
    results.webResponsiveness = await benchWebResponsiveness();
    const lag = results.webResponsiveness.worstRenderLagP95Ms;
    say(
      `  worst long task ${String(results.webResponsiveness.worstLongTaskMs ?? results.webResponsiveness.skipped)} ms, records shown within ${typeof lag === 'number' ? lag : '-'} ms (p95)`,
    );
  }
  if (only.has('scale')) {
    say(
      '\n[scale] Calls transcribed in real time by one worker process, then by two (sip, gateway, workers over NATS)',
    );
    results.scaleOut = await benchScaleOut({
      steps: numbers(values['scale-steps']),
      stepSeconds: Number(values['scale-seconds']),
      ...rtpRange,
      progress: say,
    });
    describeScaleOut(results.scaleOut).forEach(say);
  }
  if (only.has('fuzz')) {
    say(
      `\n[fuzz] Wire parsers under the seeded fuzzer, ${values['fuzz-seconds']} s each (seed ${values['fuzz-seed']})`,
    );
    results.fuzz = benchFuzz({
      secondsPerTarget: Number(values['fuzz-seconds']),
      seed: Number(values['fuzz-seed']),
      progress: say,
    });
  }
  if (only.has('soak')) {
    say(`\n[soak] ${values['soak-calls']} calls through one process, full analytics, sampled every 100`);
    results.soak = await benchSoak({
      calls: Number(values['soak-calls']),
      concurrency: numbers(values['soak-concurrency']),
      every: 100,
      maxSpeechSeconds: Number(values['soak-max-speech']),
      ...rtpRange,
      progress: say,
    });
    describeSoak(results.soak).forEach(say);
  }
  results.machine.loadAverage1mAtEnd = Math.round(loadavg()[0]! * 100) / 100;
  results.durationSeconds = Math.round((performance.now() - started) / 1000);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  summaryLines(results).forEach(say);
  say(`wrote ${out}`);
}

await main();
