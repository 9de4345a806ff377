import { labelledCounter, labelledGauge, type LabelledMetric } from '../../platform/metrics.js';
import type { Worker } from 'node:worker_threads';
import { closeWorkers, createModuleWorker, leastLoaded, onWorkerExit } from '../../platform/workers.js';
import { CallsightError, InvalidStateError, type ErrorCode } from '../../platform/errors.js';
import { silentLogger, type Logger } from '../../platform/logger.js';
import { trackDecoders, type DecoderCounts } from '../EngineDiagnostics.js';
import type { OpenStreamOptions, SpeechEngine } from '../SpeechEngineTypes.js';
import { loadPocketsphinx } from './PocketsphinxLibrary.js';
import {
  resolvePocketsphinxOptions,
  type PocketsphinxEngineOptions,
  type ResolvedPocketsphinxOptions,
} from './PocketsphinxOptions.js';
import { PocketsphinxStream } from './PocketsphinxStream.js';
import type { FromWorker, ToWorker, WorkerDecoderCounts } from './WorkerProtocol.js';
import { vocabularyTerms } from '../Vocabularies.js';
import { removeDeadProcessFolders, removeThreadFolders } from './VocabularyFolders.js';

function createWorker(options: { workerData: unknown; name: string }): Worker {
  return createModuleWorker(import.meta.url, 'PocketsphinxWorker', options);
}
const CLOSE_TIMEOUT_MS = 5_000;

interface WorkerSlot {
  readonly index: number;
  readonly worker: Worker;
  readonly streams: Map<number, PocketsphinxStream>;
  readonly ready: Promise<void>;
  exited: boolean;
  /** As the worker last reported them (zero once it exited). */
  decoders: WorkerDecoderCounts;
}

const NO_DECODERS: WorkerDecoderCounts = { busy: 0, idle: 0, waiting: 0, refused: 0 };

/** Audio a worker slot decoded, and the time that kept it busy, over the process's life (ms). */
interface SlotWork {
  audioMs: number;
  busyMs: number;
}

/**
 * Speech engine on pocketsphinx: a pool of worker threads, each decoding the streams assigned to
 * it (least-loaded first). Audio is posted as transferred buffers, so writers never wait on
 * recognition. A worker that dies fails its streams with CS_ERR_ASR_FAILED and is replaced.
 */
export class PocketsphinxEngine implements SpeechEngine {
  readonly name: string;
  readonly kind = 'pocketsphinx';
  readonly #options: ResolvedPocketsphinxOptions;
  readonly #logger: Logger;
  readonly #slots: WorkerSlot[] = [];
  /** Kept by slot index across replacements of a dead worker, so the totals only grow. */
  readonly #work: SlotWork[] = [];
  #nextStreamId = 1;
  #ready: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Streams refused by workers that have since been replaced. */
  #refusedByGone = 0;
  #untrack: (() => void) | null = null;

  constructor(options: PocketsphinxEngineOptions = {}) {
    this.name = options.name ?? 'pocketsphinx';
    this.#options = resolvePocketsphinxOptions(options);
    this.#logger = options.logger ?? silentLogger;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Starts the workers; resolves when each has loaded a decoder. */
  ready(): Promise<void> {
    if (this.#closing) return Promise.reject(new InvalidStateError('speech engine'));
    this.#ready ??= this.#start();
    return this.#ready;
  }

  openStream(options: OpenStreamOptions): PocketsphinxStream {
    if (this.#closing) throw new InvalidStateError('speech engine');
    if (!/^en(-|$)/i.test(options.settings.languageCode)) {
      this.#logger.warn(
        { languageCode: options.settings.languageCode },
        'pocketsphinx model is en-US; decoding anyway',
      );
    }
    if (!this.#ready) {
      this.#ready = this.#start();
      // openStream cannot await; a load failure reaches the stream as an 'error' event.
      this.#ready.catch(() => {});
    }
    const first = this.#slots[0];
    if (!first) throw new CallsightError('CS_ERR_ASR_UNAVAILABLE', 'speech engine has no workers');
    const slot = leastLoaded(this.#slots, first);
    const id = this.#nextStreamId++;
    const stream = new PocketsphinxStream(
      id,
      options.channel,
      (message, transfer) => {
        if (!slot.exited) slot.worker.postMessage(message, transfer);
      },
      this.#logger,
    );
    slot.streams.set(id, stream);
    // A configuration's custom vocabularies always reach the decoders (VocabularyModel.ts).
    const vocabulary = vocabularyTerms(options.settings.vocabularies);
    slot.worker.postMessage({
      type: 'open',
      streamId: id,
      channel: options.channel,
      ...(vocabulary.length > 0 ? { vocabulary } : {}),
    } satisfies ToWorker);
    return stream;
  }

  /** Streams currently assigned to each worker (for metrics and tests). */
  workerLoad(): number[] {
    return this.#slots.map((s) => s.streams.size);
  }

  /** Decoders loaded in all workers, streams waiting for one and streams refused (callsight_asr_decoders). */
  decoderCounts(): DecoderCounts {
    const sum = { busy: 0, idle: 0, waiting: 0, refused: this.#refusedByGone };
    for (const { decoders } of this.#slots) {
      sum.busy += decoders.busy;
      sum.idle += decoders.idle;
      sum.waiting += decoders.waiting;
      sum.refused += decoders.refused;
    }
    return sum;
  }

  /**
   * Per worker: streams assigned (its queue), how far its furthest-behind stream lags the audio,
   * and the audio decoded and the time spent on it (their rates' ratio is the real-time factor).
   */
  metrics(): LabelledMetric[] {
    const perWorker = (read: (slot: WorkerSlot, work: SlotWork) => number) => () =>
      this.#slots.map((slot) => ({
        labels: { engine: this.name, worker: String(slot.index) },
        value: read(slot, this.#work[slot.index] ?? { audioMs: 0, busyMs: 0 }),
      }));
    return [
      labelledGauge(
        'callsight_asr_queue_depth',
        'Recognition streams assigned to each pocketsphinx worker.',
        ['engine', 'worker'],
        perWorker((slot) => slot.streams.size),
      ),
      labelledGauge(
        'callsight_asr_queue_lag_seconds',
        "Audio written to each pocketsphinx worker that it has not decoded yet (its furthest-behind stream's), seconds.",
        ['engine', 'worker'],
        perWorker((slot) => Math.max(0, ...[...slot.streams.values()].map((s) => s.bufferedMs)) / 1000),
      ),
      labelledCounter(
        'callsight_asr_audio_seconds_total',
        'Audio each pocketsphinx worker decoded, seconds.',
        ['engine', 'worker'],
        perWorker((_, work) => work.audioMs / 1000),
      ),
      labelledCounter(
        'callsight_asr_busy_seconds_total',
        'Time each pocketsphinx worker spent decoding, seconds (rate over the audio rate: the real-time factor).',
        ['engine', 'worker'],
        perWorker((_, work) => work.busyMs / 1000),
      ),
    ];
  }

  /** Test hook: makes worker `index` throw an uncaught exception, as a native fault would. */
  crashWorkerForTesting(index: number): void {
    const slot = this.#slots[index];
    if (!slot) throw new RangeError(`no worker ${index}`);
    slot.worker.postMessage({ type: 'crash' } satisfies ToWorker);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #start(): Promise<void> {
    // Fails fast, with the install hint, when the library itself is missing.
    loadPocketsphinx();
    const leftovers = removeDeadProcessFolders();
    if (leftovers.length > 0)
      this.#logger.info({ folders: leftovers.length }, 'removed vocabulary files left by stopped processes');
    this.#untrack = trackDecoders({ engine: this.name, decoderCounts: () => this.decoderCounts() });
    for (let i = 0; i < this.#options.workers; i++) this.#slots.push(this.#spawn(i));
    await Promise.all(this.#slots.map((s) => s.ready));
  }

  #spawn(index: number): WorkerSlot {
    const worker = createWorker({ workerData: this.#options, name: `asr-${index}` });
    // Read now: a worker that has stopped reports -1.
    const threadId = worker.threadId;
    const streams = new Map<number, PocketsphinxStream>();
    let settleReady: { resolve: () => void; reject: (err: Error) => void } | null = null;
    const ready = new Promise<void>((resolve, reject) => {
      settleReady = { resolve, reject };
    });
    // Replacement workers are not awaited by anyone; their load errors are logged instead.
    ready.catch(() => {});
    const slot: WorkerSlot = { index, worker, streams, ready, exited: false, decoders: NO_DECODERS };
    this.#work[index] ??= { audioMs: 0, busyMs: 0 };

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          settleReady?.resolve();
          return;
        case 'load-error':
          settleReady?.reject(new CallsightError(message.code as ErrorCode, message.message));
          return;
        case 'result':
          streams.get(message.streamId)?.deliver(message.result);
          return;
        case 'progress': {
          const work = this.#work[index]!;
          work.audioMs += message.ms;
          work.busyMs += message.busyMs;
          streams.get(message.streamId)?.progress(message.ms);
          return;
        }
        case 'ended':
          streams.get(message.streamId)?.finished();
          streams.delete(message.streamId);
          return;
        case 'stream-error':
          streams
            .get(message.streamId)
            ?.fail(`speech recognition failed: ${message.message}`, undefined, message.code);
          streams.delete(message.streamId);
          return;
        case 'decoders':
          slot.decoders = message.counts;
          return;
        case 'number-pass-off':
          this.#logger.warn(
            { engine: this.name, worker: index, reason: message.message },
            'the number pass failed: finals keep the first decode from now on in this worker',
          );
          return;
      }
    });
    onWorkerExit(worker, (reason) => {
      slot.exited = true;
      this.#refusedByGone += slot.decoders.refused;
      slot.decoders = NO_DECODERS;
      // A worker that closed removed its own vocabulary files; one that died could not.
      removeThreadFolders(threadId);
      settleReady?.reject(new CallsightError('CS_ERR_ASR_UNAVAILABLE', reason.message, { cause: reason }));
      for (const stream of streams.values()) {
        stream.fail(`speech recognition worker ${index} died: ${reason.message}`, reason);
      }
      streams.clear();
      if (this.#closing) return;
      this.#logger.error({ err: reason, worker: index }, 'speech recognition worker died; replacing it');
      const replacement = this.#spawn(index);
      this.#slots[index] = replacement;
      replacement.ready.catch((err: unknown) =>
        this.#logger.error({ err, worker: index }, 'replacement speech recognition worker failed to load'),
      );
    });
    return slot;
  }

  #close(): Promise<void> {
    this.#untrack?.();
    return closeWorkers(this.#slots, { type: 'close' } satisfies ToWorker, CLOSE_TIMEOUT_MS);
  }
}
