import { parentPort, workerData } from 'node:worker_threads';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import type { RecognitionResult } from '../SpeechEngineTypes.js';
import { StreamRecognizer, type StreamCmnOptions } from '../StreamRecognizer.js';
import type { UtteranceDecoder } from '../UtteranceDecoder.js';
import { effectiveCmnInit, PocketsphinxDecoder } from './PocketsphinxDecoder.js';
import { VAD_SAMPLE_RATE } from '../Vad.js';
import { PROGRESS_INTERVAL_MS, type FromWorker, type ToWorker, type WorkerInit } from './WorkerProtocol.js';

/*
 * A recognition worker thread. It owns a pool of decoders, lent to a stream only while the VAD has
 * an utterance open, so a worker needs as many decoders as it has simultaneous talkers rather than
 * streams (loading one costs ~0.5 s and tens of MB).
 */

const port = parentPort;
if (!port) throw new Error('PocketsphinxWorker must run in a worker thread');
const init = workerData as WorkerInit;

const idle: UtteranceDecoder[] = [];
const streams = new Map<number, StreamRecognizer>();
/** Per stream, decoded audio (ms) not yet reported to the engine. */
const unreported = new Map<number, { ms: number; busyMs: number }>();

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

function acquire(): UtteranceDecoder {
  return idle.pop() ?? new PocketsphinxDecoder(init.args);
}

function release(decoder: UtteranceDecoder): void {
  idle.push(decoder);
}

function postResults(streamId: number, results: RecognitionResult[]): void {
  for (const result of results) post({ type: 'result', streamId, result });
}

/** Tells the engine how far the stream got, every PROGRESS_INTERVAL_MS of audio (back-pressure). */
function reportProgress(streamId: number, ms: number, busyMs: number): void {
  const before = unreported.get(streamId) ?? { ms: 0, busyMs: 0 };
  const pending = { ms: before.ms + ms, busyMs: before.busyMs + busyMs };
  if (pending.ms < PROGRESS_INTERVAL_MS) {
    unreported.set(streamId, pending);
    return;
  }
  unreported.set(streamId, { ms: 0, busyMs: 0 });
  post({ type: 'progress', streamId, ...pending });
}

function failStream(streamId: number, err: unknown): void {
  const recognizer = streams.get(streamId);
  streams.delete(streamId);
  unreported.delete(streamId);
  try {
    recognizer?.abandon();
  } catch {
    // The decoder is in an unknown state after a failure: it is dropped, not reused.
  }
  post({ type: 'stream-error', streamId, message: errorMessage(err) });
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'open':
      streams.set(
        message.streamId,
        new StreamRecognizer({
          channel: message.channel,
          acquire,
          release,
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
        const started = performance.now();
        postResults(message.streamId, recognizer.processInput(samples, message.offsetMs));
        const busyMs = performance.now() - started;
        reportProgress(message.streamId, (samples.length * 1000) / VAD_SAMPLE_RATE, busyMs);
      } catch (err) {
        failStream(message.streamId, err);
      }
      return;
    }
    case 'end': {
      const recognizer = streams.get(message.streamId);
      streams.delete(message.streamId);
      unreported.delete(message.streamId);
      try {
        if (recognizer) postResults(message.streamId, recognizer.flush());
        post({ type: 'ended', streamId: message.streamId });
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
      for (const recognizer of streams.values()) recognizer.abandon();
      streams.clear();
      for (const decoder of idle.splice(0)) decoder.free();
      port!.close();
      return;
  }
}

try {
  // Load one decoder up front: it proves the library and model work, and warms the pool.
  const first = new PocketsphinxDecoder(init.args);
  cmnOptions = streamCmn(first);
  idle.push(first);
  post({ type: 'ready' });
} catch (err) {
  const code = err instanceof CallsightError ? err.code : 'CS_ERR_ASR_UNAVAILABLE';
  post({ type: 'load-error', code, message: errorMessage(err) });
}

port.on('message', handle);
