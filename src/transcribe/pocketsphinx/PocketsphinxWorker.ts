import { parentPort, workerData } from 'node:worker_threads';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import type { RecognitionResult } from '../SpeechEngineTypes.js';
import { StreamRecognizer, type StreamCmnOptions } from '../StreamRecognizer.js';
import { DecoderPool } from './DecoderPool.js';
import {
  effectiveCmnInit,
  languageModelFile,
  PocketsphinxDecoder,
  SharedLanguageModel,
} from './PocketsphinxDecoder.js';
import { releaseFreedMemory } from './PocketsphinxLibrary.js';
import { VAD_SAMPLE_RATE } from '../Vad.js';
import {
  PROGRESS_INTERVAL_MS,
  type FromWorker,
  type ToWorker,
  type WorkerDecoderCounts,
  type WorkerInit,
} from './WorkerProtocol.js';

/*
 * A recognition worker thread. It owns a pool of decoders, lent to a stream only while the VAD has
 * an utterance open, so a worker needs as many decoders as it has simultaneous talkers rather than
 * streams (loading one costs ~0.7 s and ~63 MiB; the language model is read once and shared). At
 * the pool's bound an utterance's audio waits for a decoder, up to `decoders.waitMs`, and then its
 * stream is refused with CS_ERR_ASR_OVERLOADED.
 */

const port = parentPort;
if (!port) throw new Error('PocketsphinxWorker must run in a worker thread');
const init = workerData as WorkerInit;

/** How often waiting streams are timed out and idle decoders freed. */
const SWEEP_INTERVAL_MS = 100;

const lmFile = languageModelFile(init.args);
const sharedLm = lmFile === undefined ? undefined : new SharedLanguageModel(lmFile);
const pool = new DecoderPool({
  create: () => new PocketsphinxDecoder(init.args, sharedLm),
  max: init.decoders.maxPerWorker,
  idleMs: init.decoders.idleMs,
  keep: 1,
  afterFree: releaseFreedMemory,
});
const streams = new Map<number, StreamRecognizer>();
/** Per stream, decoded audio (ms) not yet reported to the engine. */
const unreported = new Map<number, number>();
/** Streams whose utterance waits for a decoder, first come first served, and since when. */
const waiters = new Map<number, number>();
/** Streams ended while waiting: 'ended' goes out once their held audio is decoded. */
const ending = new Set<number>();
let refused = 0;
let lastCounts: WorkerDecoderCounts = { busy: 0, idle: 0, waiting: 0, refused: 0 };

/** Where every stream's CMN starts (undefined: CMN state stays with the decoders). */
function streamCmn(decoder: PocketsphinxDecoder): StreamCmnOptions | undefined {
  if (!init.cmn || !decoder.cmnAccessible) return undefined;
  const frames = init.cmn.priorFrames;
  const state = (values: readonly number[] | null) => {
    const mean = Float32Array.from(values ?? effectiveCmnInit(init.args));
    return { mean, sum: mean.map((v) => v * frames), frames };
  };
  const { narrowband, wideband } = init.cmn;
  const same = narrowband === wideband || (narrowband && wideband && narrowband.join() === wideband.join());
  return same
    ? { initial: state(narrowband) }
    : { initial: state(narrowband), initialWideband: state(wideband) };
}
let cmnOptions: StreamCmnOptions | undefined;

function post(message: FromWorker): void {
  port!.postMessage(message);
}

/** Tells the engine the decoder counts when they changed (for its metrics). */
function publishCounts(): void {
  const counts = { ...pool.counts, waiting: waiters.size, refused };
  const last = lastCounts;
  if (
    counts.busy === last.busy &&
    counts.idle === last.idle &&
    counts.waiting === last.waiting &&
    counts.refused === last.refused
  ) {
    return;
  }
  lastCounts = counts;
  post({ type: 'decoders', counts });
}

/** After a stream's audio was handled: it queues for a decoder, or finishes ending. */
function settle(streamId: number, recognizer: StreamRecognizer): void {
  if (recognizer.waiting) {
    if (!waiters.has(streamId)) waiters.set(streamId, Date.now());
    return;
  }
  if (!ending.delete(streamId)) return;
  streams.delete(streamId);
  unreported.delete(streamId);
  post({ type: 'ended', streamId });
}

/** Hands free decoders to the streams waiting longest. */
function serveWaiters(): void {
  for (const streamId of [...waiters.keys()]) {
    const recognizer = streams.get(streamId);
    if (!recognizer) {
      waiters.delete(streamId);
      continue;
    }
    const decoder = pool.acquire();
    if (!decoder) return;
    waiters.delete(streamId);
    try {
      postResults(streamId, recognizer.grant(decoder));
      settle(streamId, recognizer);
    } catch (err) {
      failStream(streamId, err);
    }
  }
}

function sweep(): void {
  const now = Date.now();
  for (const [streamId, since] of [...waiters]) {
    if (now - since < init.decoders.waitMs) break;
    refused++;
    const { busy } = pool.counts;
    failStream(
      streamId,
      new CallsightError(
        'CS_ERR_ASR_OVERLOADED',
        `no speech decoder came free within ${init.decoders.waitMs} ms (${busy} of ${init.decoders.maxPerWorker} busy in this recognition thread: asr.maxDecodersPerWorker)`,
      ),
    );
  }
  pool.sweep(now);
  serveWaiters();
  publishCounts();
}

function postResults(streamId: number, results: RecognitionResult[]): void {
  for (const result of results) post({ type: 'result', streamId, result });
}

/** Tells the engine how far the stream got, every PROGRESS_INTERVAL_MS of audio (back-pressure). */
function reportProgress(streamId: number, ms: number): void {
  const pending = (unreported.get(streamId) ?? 0) + ms;
  if (pending < PROGRESS_INTERVAL_MS) {
    unreported.set(streamId, pending);
    return;
  }
  unreported.set(streamId, 0);
  post({ type: 'progress', streamId, ms: pending });
}

function failStream(streamId: number, err: unknown): void {
  const recognizer = streams.get(streamId);
  streams.delete(streamId);
  unreported.delete(streamId);
  waiters.delete(streamId);
  ending.delete(streamId);
  try {
    recognizer?.abandon();
  } catch {
    // The decoder is in an unknown state after a failure: it is dropped, not reused.
  }
  const code =
    err instanceof CallsightError && err.code === 'CS_ERR_ASR_OVERLOADED' ? err.code : 'CS_ERR_ASR_FAILED';
  post({ type: 'stream-error', streamId, code, message: errorMessage(err) });
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'open':
      streams.set(
        message.streamId,
        new StreamRecognizer({
          channel: message.channel,
          acquire: () => pool.acquire(),
          release: (decoder) => pool.release(decoder),
          decoderSampleRate: init.sampleRate,
          partialIntervalMs: init.partialIntervalMs,
          vad: init.vad,
          ...(cmnOptions ? { cmn: cmnOptions } : {}),
          finalPass: init.finalPass,
        }),
      );
      return;
    case 'audio': {
      const recognizer = streams.get(message.streamId);
      if (!recognizer) return;
      try {
        const samples = new Int16Array(message.samples);
        postResults(message.streamId, recognizer.processInput(samples, message.offsetMs));
        reportProgress(message.streamId, (samples.length * 1000) / VAD_SAMPLE_RATE);
        settle(message.streamId, recognizer);
      } catch (err) {
        failStream(message.streamId, err);
      }
      return;
    }
    case 'end': {
      const recognizer = streams.get(message.streamId);
      if (!recognizer) {
        post({ type: 'ended', streamId: message.streamId });
        return;
      }
      try {
        postResults(message.streamId, recognizer.flush());
        ending.add(message.streamId);
        settle(message.streamId, recognizer);
      } catch (err) {
        failStream(message.streamId, err);
      }
      return;
    }
    case 'crash':
      // Test hook: an uncaught exception takes the whole worker down, as a native fault would.
      setImmediate(() => {
        throw new Error('worker crashed on purpose (crashWorkerForTesting)');
      });
      return;
    case 'close':
      clearInterval(sweeper);
      for (const recognizer of streams.values()) recognizer.abandon();
      streams.clear();
      waiters.clear();
      pool.close();
      sharedLm?.free();
      port!.close();
      return;
  }
}

const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
sweeper.unref();

try {
  // Load one decoder up front: it proves the library and model work, and warms the pool.
  const first = new PocketsphinxDecoder(init.args, sharedLm);
  cmnOptions = streamCmn(first);
  pool.warm(first);
  post({ type: 'ready' });
} catch (err) {
  const code = err instanceof CallsightError ? err.code : 'CS_ERR_ASR_UNAVAILABLE';
  post({ type: 'load-error', code, message: errorMessage(err) });
}

port.on('message', (message: ToWorker) => {
  handle(message);
  if (message.type === 'close') return;
  serveWaiters();
  publishCounts();
});
