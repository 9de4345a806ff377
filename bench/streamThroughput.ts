/*
 * Data stream throughput, NATS JetStream against the embedded SQLite log, in one run on one machine:
 * the same realistic Transcribe records (~1 KB: partials and finals with word items, Chime's metadata
 * string) appended with a window of appends in flight, as pipelines append, until all are acknowledged
 * (durable); then read back in pages of 1000 (GET /api/records) and by a subscription from 0 (a
 * WebSocket client resuming with ?from=0). Plus the acknowledgement latency of one append at a time.
 * JetStream runs on a private nats-server (file storage, temp store) started here; the client is
 * JetStreamDataStream, the same adapter Callsight uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transcribeRecord } from '../src/pipeline/records/TranscribeRecord.js';
import { JetStreamDataStream } from '../src/stream/JetStreamDataStream.js';
import { SqliteDataStream } from '../src/stream/SqliteDataStream.js';
import type { AppendKey, DataStream } from '../src/stream/StreamTypes.js';
import { startNatsServer } from '../test/helpers/natsServer.js';
import { summary } from './lib/stats.js';

/** What scale-out needs: 500 concurrently transcribed calls at ~10 records/s each, with room to spare. */
export const STREAM_THROUGHPUT_TARGET = { jetstreamAppendPerSecond: 5000, jetstreamReadPerSecond: 10_000 };

const RECORDS = 20_000;
const WINDOW = 256;
const LATENCY_SAMPLES = 500;
const CALLS = 20;
const WORDS =
  'i would like to check the balance on my account and change the address we have on file please'.split(' ');

interface Entry {
  readonly record: object;
  readonly key: AppendKey;
}

/** Transcribe records as a call produces them: several partials growing to a final, per utterance. */
function recordMix(count: number): Entry[] {
  const out: Entry[] = [];
  let utterance = 0;
  while (out.length < count) {
    const callId = `5c6a8f0e-1d2b-4c3d-9e8f-${String(utterance % CALLS).padStart(12, '0')}`;
    const metadata = {
      voiceConnectorId: 'callsight-vc',
      callId,
      transactionId: `9b1e7d4a-0c2f-4b5e-8a6d-${String(utterance % CALLS).padStart(12, '0')}`,
      fromNumber: '+15555550100',
      toNumber: '+15555550199',
      direction: 'Inbound',
      channelId: 0,
    };
    const length = 6 + (utterance % 5);
    for (let words = 2; words <= length && out.length < count; words += 2) {
      const isPartial = words + 2 <= length;
      const startMs = utterance * 4000;
      const result = {
        resultId: `utt-${utterance}`,
        channel: utterance % 2,
        isPartial,
        startMs,
        endMs: startMs + words * 350,
        transcript: WORDS.slice(0, words).join(' '),
        words: WORDS.slice(0, words).map((word, i) => ({
          word,
          startMs: startMs + i * 350,
          endMs: startMs + i * 350 + 300,
          confidence: 0.8123,
        })),
      };
      const record = transcribeRecord(
        result,
        `pipeline-${utterance % CALLS}`,
        metadata,
        new Date(1_790_000_000_000 + startMs),
      );
      out.push({ record, key: { type: 'Transcribe', callId } });
    }
    utterance++;
  }
  return out;
}

interface BackendResult {
  readonly appendPerSecond: number;
  readonly readPerSecond: number;
  readonly subscribePerSecond: number;
  /** One append at a time: time to acknowledgement. */
  readonly ackLatencyMs: ReturnType<typeof summary>;
}

async function measure(open: () => Promise<DataStream>, entries: readonly Entry[]): Promise<BackendResult> {
  const stream = await open();
  try {
    const latencies: number[] = [];
    for (const { record, key } of entries.slice(0, LATENCY_SAMPLES)) {
      const started = performance.now();
      await stream.append(record, key);
      latencies.push(performance.now() - started);
    }
    const base = Number(stream.lastSequence());
    let next = 0;
    const appendStarted = performance.now();
    const lane = async (): Promise<void> => {
      while (next < entries.length) {
        const { record, key } = entries[next++]!;
        await stream.append(record, key);
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, lane));
    const appendSeconds = (performance.now() - appendStarted) / 1000;

    const readStarted = performance.now();
    let read = 0;
    for (let after = base; ;) {
      const page = await stream.read(String(after), 1000);
      if (page.length === 0) break;
      read += page.length;
      after = Number(page.at(-1)!.sequenceNumber);
    }
    const readSeconds = (performance.now() - readStarted) / 1000;
    if (read !== entries.length) throw new Error(`read back ${read} of ${entries.length} records`);

    const subscribeStarted = performance.now();
    const subscription = stream.subscribe(String(base));
    let received = 0;
    for await (const _record of subscription) {
      if (++received === entries.length) break;
    }
    const subscribeSeconds = (performance.now() - subscribeStarted) / 1000;
    return {
      appendPerSecond: Math.round(entries.length / appendSeconds),
      readPerSecond: Math.round(entries.length / readSeconds),
      subscribePerSecond: Math.round(entries.length / subscribeSeconds),
      ackLatencyMs: summary(latencies.map((ms) => Math.round(ms * 100) / 100)),
    };
  } finally {
    await stream.close();
  }
}

export async function benchStreamThroughput(): Promise<Record<string, unknown>> {
  const entries = recordMix(RECORDS);
  const bytes = entries.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.record)), 0);
  const dir = mkdtempSync(join(tmpdir(), 'callsight-bench-stream-'));
  const nats = await startNatsServer();
  try {
    const sqlite = await measure(
      async () => SqliteDataStream.open({ path: join(dir, 'stream.db') }),
      entries,
    );
    const jetstream = nats.server
      ? await measure(
          () =>
            JetStreamDataStream.open({
              url: nats.server.url,
              streamName: 'CALLSIGHT_BENCH',
              subjectPrefix: 'callsight.bench',
            }),
          entries,
        )
      : null;
    const target = STREAM_THROUGHPUT_TARGET;
    return {
      method:
        `${RECORDS} Transcribe records (${Math.round(bytes / RECORDS)} B of JSON on average, ${CALLS} calls), appended with ` +
        `${WINDOW} in flight until every one is acknowledged, read back in pages of 1000, then by one subscription from ` +
        `the start; ack latency: ${LATENCY_SAMPLES} appends one at a time. SQLite: WAL, synchronous=FULL, group commit. ` +
        `JetStream: private nats-server ${nats.server ? '' : '(not available) '}with file storage, one replica, same machine.`,
      records: RECORDS,
      averageRecordBytes: Math.round(bytes / RECORDS),
      sqlite,
      jetstream: jetstream ?? { skipped: nats.skip },
      target: `JetStream ≥ ${target.jetstreamAppendPerSecond} records/s appended (acknowledged), ≥ ${target.jetstreamReadPerSecond} read back`,
      pass:
        jetstream !== null &&
        jetstream.appendPerSecond >= target.jetstreamAppendPerSecond &&
        jetstream.readPerSecond >= target.jetstreamReadPerSecond,
    };
  } finally {
    await nats.server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Report lines for bench/run.ts. */
export function describeStreamThroughput(result: Record<string, unknown>): string[] {
  const row = (name: string, r: unknown) => {
    if (!r || typeof r !== 'object' || !('appendPerSecond' in r)) return `  ${name.padEnd(10)} skipped`;
    const b = r as BackendResult;
    return (
      `  ${name.padEnd(10)} append ${String(b.appendPerSecond).padStart(7)} rec/s   read ${String(b.readPerSecond).padStart(7)} rec/s   ` +
      `subscribe ${String(b.subscribePerSecond).padStart(7)} rec/s   ack p50 ${b.ackLatencyMs.p50} ms, p99 ${b.ackLatencyMs.p99} ms`
    );
  };
  return [row('sqlite', result.sqlite), row('jetstream', result.jetstream)];
}
