import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { CallsightError, errorMessage } from '../../platform/errors.js';
import type { RecognitionResult } from '../SpeechEngineTypes.js';
import {
  StreamRecognizer,
  type StreamCmnOptions,
  type StreamRecognizerOptions,
} from '../StreamRecognizer.js';
import type { VocabularyTerm } from '../Vocabularies.js';
import { pronounceAll } from './Pronunciations.js';
import type { GrammarDecoder, UtteranceDecoder } from '../UtteranceDecoder.js';
import { DecoderPool } from './DecoderPool.js';
import {
  effectiveCmnInit,
  languageModelFile,
  PocketsphinxDecoder,
  SharedLanguageModel,
} from './PocketsphinxDecoder.js';
import { releaseFreedMemory } from './PocketsphinxLibrary.js';
import { VocabularyLanguageModel, vocabularyFiles } from './VocabularyModel.js';
import { createVocabularyFolder } from './VocabularyFolders.js';
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
/**
 * Per custom vocabulary (by the key of its terms): its idle decoders and the language model they
 * search; streams without one share the bounded pool above.
 */
const idle = new Map<string, UtteranceDecoder[]>();
const vocabularyModels = new Map<
  string,
  { readonly model: VocabularyLanguageModel; readonly dict: string }
>();
const dictAt = init.args.lastIndexOf('-dict');
/**
 * This thread's vocabulary files (dictionary and terms model per vocabulary), removed with them; if
 * the thread dies first, by the engine (VocabularyFolders.ts).
 */
let vocabularyDir: string | undefined;
/** The number pass's decoder (NumberPass.ts), one per thread, made when a stream first needs it. */
let grammarDecoder: PocketsphinxDecoder | undefined;
let numberPassFailed = false;
/**
 * A number pass that fails (its decoder cannot load, a grammar word is not in a custom dictionary)
 * finds no number, so finals keep their first decode; it is reported once and not tried again.
 */
const numberPass: GrammarDecoder = {
  decodeWithGrammar(samples, jsgf) {
    if (numberPassFailed) return [];
    try {
      grammarDecoder ??= PocketsphinxDecoder.forGrammars(init.args);
      return grammarDecoder.decodeWithGrammar(samples, jsgf);
    } catch (err) {
      numberPassFailed = true;
      post({ type: 'number-pass-off', message: errorMessage(err) });
      return [];
    }
  },
};
const streams = new Map<number, StreamRecognizer>();
/** Per stream with a custom vocabulary: its terms by the token they were added as, and its pool key. */
const streamTerms = new Map<number, { byToken: ReadonlyMap<string, VocabularyTerm>; key: string }>();
/** Pronunciations already made (letter-to-sound runs a process). */
const pronunciations = new Map<string, string[]>();
/** Per stream, decoded audio (ms) not yet reported to the engine. */
const unreported = new Map<number, { ms: number; busyMs: number }>();
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
  forget(streamId);
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

/**
 * The token a term is added to the dictionary as: its own word joined with underscores and marked,
 * so it never collides with a dictionary word (the plain word, if the model has it, competes with
 * it at its own probability).
 */
function tokenOf(term: VocabularyTerm): string {
  return `${term.words.join('_')}_v`;
}

const pronunciationKey = (term: VocabularyTerm): string =>
  JSON.stringify([term.words, term.soundsLike, term.ipa]);

/** The terms' pronunciations, the ones not made before in one letter-to-sound run. */
function pronunciation(terms: readonly VocabularyTerm[]): string[][] {
  const missing = terms.filter((t) => !pronunciations.has(pronunciationKey(t)));
  pronounceAll(missing).forEach((phones, i) => pronunciations.set(pronunciationKey(missing[i]!), phones));
  return terms.map((t) => pronunciations.get(pronunciationKey(t))!);
}

/**
 * A decoder loaded with the vocabulary's terms in its dictionary and language model (written once
 * per vocabulary: VocabularyModel.ts), searching the shared model beside them.
 */
function newDecoder(key: string, terms: readonly VocabularyTerm[]): UtteranceDecoder {
  const phones = pronunciation(terms);
  const words = terms
    .map((t, i) => ({ token: tokenOf(t), phones: phones[i]! }))
    .filter((w) => w.phones.length > 0);
  if (words.length === 0 || !sharedLm || dictAt < 0) return new PocketsphinxDecoder(init.args, sharedLm);
  let vocabulary = vocabularyModels.get(key);
  if (!vocabulary) {
    vocabularyDir ??= createVocabularyFolder(threadId);
    const files = vocabularyFiles(init.args[dictAt + 1]!, words, vocabularyDir);
    vocabulary = { model: new VocabularyLanguageModel(sharedLm, files.lm), dict: files.dict };
    vocabularyModels.set(key, vocabulary);
  }
  const { dict, model } = vocabulary;
  const args = init.args.map((arg, i) => (i === dictAt + 1 ? dict : arg));
  return new PocketsphinxDecoder(args, model);
}

/** Lends decoders with the stream's vocabulary in them. */
function lender(
  key: string,
  terms: readonly VocabularyTerm[],
): Pick<StreamRecognizerOptions, 'acquire' | 'release'> {
  if (terms.length === 0)
    return { acquire: () => pool.acquire(), release: (decoder) => pool.release(decoder) };
  let decoders = idle.get(key);
  if (!decoders) idle.set(key, (decoders = []));
  const own = decoders;
  return { acquire: () => own.pop() ?? newDecoder(key, terms), release: (decoder) => own.push(decoder) };
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
    const vocabulary = vocabularyModels.get(key);
    vocabularyModels.delete(key);
    if (vocabulary) {
      vocabulary.model.free();
      rmSync(dirname(vocabulary.dict), { recursive: true, force: true });
    }
  }
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
  waiters.delete(streamId);
  ending.delete(streamId);
  try {
    recognizer?.abandon();
  } catch {
    // The decoder is in an unknown state after a failure: it is dropped, not reused.
  }
  const code =
    err instanceof CallsightError && err.code === 'CS_ERR_ASR_OVERLOADED' ? err.code : 'CS_ERR_ASR_FAILED';
  forget(streamId);
  post({ type: 'stream-error', streamId, code, message: errorMessage(err) });
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
          ...(init.numberPass ? { numberPass } : {}),
        }),
      );
      return;
    }
    case 'audio': {
      const recognizer = streams.get(message.streamId);
      if (!recognizer) return;
      try {
        const samples = new Int16Array(message.samples);
        const started = performance.now();
        postResults(message.streamId, recognizer.processInput(samples, message.offsetMs));
        const busyMs = performance.now() - started;
        reportProgress(message.streamId, (samples.length * 1000) / VAD_SAMPLE_RATE, busyMs);
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
      grammarDecoder?.free();
      for (const decoders of idle.values()) for (const decoder of decoders.splice(0)) decoder.free();
      for (const { model } of vocabularyModels.values()) model.free();
      if (vocabularyDir) rmSync(vocabularyDir, { recursive: true, force: true });
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
