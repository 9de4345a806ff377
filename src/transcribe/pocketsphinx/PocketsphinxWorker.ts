import { parentPort, workerData } from 'node:worker_threads';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import type { RecognitionResult } from '../SpeechEngineTypes.js';
import {
  StreamRecognizer,
  type StreamCmnOptions,
  type StreamRecognizerOptions,
} from '../StreamRecognizer.js';
import type { VocabularyTerm } from '../Vocabularies.js';
import { pronounce } from './Pronunciations.js';
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

/** Idle decoders by vocabulary (the key of the terms added to them; '' for none). */
const idle = new Map<string, UtteranceDecoder[]>([['', []]]);
const streams = new Map<number, StreamRecognizer>();
/** Per stream with a custom vocabulary: its terms by the token they were added as, and its pool key. */
const streamTerms = new Map<number, { byToken: ReadonlyMap<string, VocabularyTerm>; key: string }>();
/** Pronunciations already made (letter-to-sound runs a process). */
const pronunciations = new Map<string, string[]>();
/** Per stream, decoded audio (ms) not yet reported to the engine. */
const unreported = new Map<number, number>();

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

/**
 * The token a term is added to the dictionary as: its own word joined with underscores and marked,
 * so it never collides with a dictionary word (the plain word, if the model has it, competes with
 * it at its own probability).
 */
function tokenOf(term: VocabularyTerm): string {
  return `${term.words.join('_')}_v`;
}

function pronunciation(term: VocabularyTerm): string[] {
  const key = JSON.stringify([term.words, term.soundsLike, term.ipa]);
  let phones = pronunciations.get(key);
  if (phones === undefined) pronunciations.set(key, (phones = pronounce(term)));
  return phones;
}

function newDecoder(terms: readonly VocabularyTerm[]): UtteranceDecoder {
  const decoder = new PocketsphinxDecoder(init.args);
  if (terms.length > 0)
    decoder.addWords(
      terms.map((t) => ({ token: tokenOf(t), phones: pronunciation(t) })).filter((w) => w.phones.length > 0),
    );
  return decoder;
}

/** Lends decoders with the stream's vocabulary in them. */
function lender(
  key: string,
  terms: readonly VocabularyTerm[],
): Pick<StreamRecognizerOptions, 'acquire' | 'release'> {
  let pool = idle.get(key);
  if (!pool) idle.set(key, (pool = []));
  const own = pool;
  return { acquire: () => own.pop() ?? newDecoder(terms), release: (decoder) => own.push(decoder) };
}

/** A term's token in a result as the term: one item with its display form and its words (spoken). */
function withTerms(result: RecognitionResult, terms: ReadonlyMap<string, VocabularyTerm>): RecognitionResult {
  const words = result.words.map((w) => {
    const term = terms.get(w.word);
    if (!term) return w;
    const span = (w.endMs - w.startMs) / term.words.length;
    const spoken = term.words.map((word, i) => ({
      word,
      startMs: w.startMs + i * span,
      endMs: w.startMs + (i + 1) * span,
      confidence: w.confidence,
    }));
    return { ...w, word: term.display, spoken };
  });
  const transcript = result.transcript
    .split(' ')
    .map((t) => terms.get(t)?.words.join(' ') ?? t)
    .join(' ');
  return { ...result, transcript, words };
}

function postResults(streamId: number, results: RecognitionResult[]): void {
  const terms = streamTerms.get(streamId);
  for (const result of results)
    post({ type: 'result', streamId, result: terms ? withTerms(result, terms.byToken) : result });
}

/** Vocabularies no stream uses whose decoders are kept for the next call with them, oldest first. */
const unused: string[] = [];
const KEEP_UNUSED_VOCABULARIES = 4;

/** A stream is done: the decoders of vocabularies no stream has used for a while are freed. */
function forget(streamId: number): void {
  const terms = streamTerms.get(streamId);
  streamTerms.delete(streamId);
  if (!terms || [...streamTerms.values()].some((t) => t.key === terms.key)) return;
  if (!unused.includes(terms.key)) unused.push(terms.key);
  while (unused.length > KEEP_UNUSED_VOCABULARIES) {
    const key = unused.shift()!;
    for (const decoder of idle.get(key) ?? []) decoder.free();
    idle.delete(key);
  }
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
  try {
    recognizer?.abandon();
  } catch {
    // The decoder is in an unknown state after a failure: it is dropped, not reused.
  }
  forget(streamId);
  post({ type: 'stream-error', streamId, message: errorMessage(err) });
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'open': {
      const terms = message.vocabulary ?? [];
      const key = terms.length === 0 ? '' : JSON.stringify(terms);
      if (unused.includes(key)) unused.splice(unused.indexOf(key), 1);
      if (terms.length > 0)
        streamTerms.set(message.streamId, { byToken: new Map(terms.map((t) => [tokenOf(t), t])), key });
      streams.set(
        message.streamId,
        new StreamRecognizer({
          channel: message.channel,
          ...lender(key, terms),
          decoderSampleRate: init.sampleRate,
          partialIntervalMs: init.partialIntervalMs,
          vad: init.vad,
          ...(cmnOptions ? { cmn: cmnOptions } : {}),
          finalPass: init.finalPass,
        }),
      );
      return;
    }
    case 'audio': {
      const recognizer = streams.get(message.streamId);
      if (!recognizer) return;
      try {
        const samples = new Int16Array(message.samples);
        postResults(message.streamId, recognizer.processInput(samples, message.offsetMs));
        reportProgress(message.streamId, (samples.length * 1000) / VAD_SAMPLE_RATE);
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
        forget(message.streamId);
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
      for (const pool of idle.values()) for (const decoder of pool.splice(0)) decoder.free();
      port!.close();
      return;
  }
}

try {
  // Load one decoder up front: it proves the library and model work, and warms the pool.
  const first = new PocketsphinxDecoder(init.args);
  cmnOptions = streamCmn(first);
  idle.get('')!.push(first);
  post({ type: 'ready' });
} catch (err) {
  const code = err instanceof CallsightError ? err.code : 'CS_ERR_ASR_UNAVAILABLE';
  post({ type: 'load-error', code, message: errorMessage(err) });
}

port.on('message', handle);
