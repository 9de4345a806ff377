import type { Worker } from 'node:worker_threads';
import { CallsightError, InvalidStateError } from '../../platform/errors.js';
import { silentLogger, type Logger } from '../../platform/logger.js';
import {
  closeWorkers,
  createModuleWorker,
  leastLoaded,
  onWorkerExit,
  workerStart,
} from '../../platform/workers.js';
import type { FromVoiceWorker, ToVoiceWorker } from './VoiceToneProtocol.js';
import { VoiceToneStream } from './VoiceToneStream.js';

const CLOSE_TIMEOUT_MS = 5_000;

export interface VoiceToneEngineOptions {
  /** Worker threads shared by every call's voice tone analysis (default 2; one is ample for ~100 channels). */
  readonly workers?: number;
  readonly logger?: Logger;
}

interface WorkerSlot {
  readonly index: number;
  readonly worker: Worker;
  readonly streams: Map<number, VoiceToneStream>;
  readonly ready: Promise<void>;
  exited: boolean;
}

/** A worker that exited before it was ready: its module could not run, so it is not restarted. */
function notStarted(index: number, reason: Error): CallsightError {
  return new CallsightError(
    'CS_ERR_VOICE_TONE_FAILED',
    `voice tone worker ${index} did not start: ${reason.message}`,
    {
      cause: reason,
    },
  );
}

/**
 * The acoustic side of voice tone analysis: a small pool of worker threads shared by all calls, each
 * analysing the channels assigned to it (least-loaded first). A worker that dies fails its streams
 * with CS_ERR_VOICE_TONE_FAILED (their processors fail, their pipelines carry on) and is replaced.
 */
export class VoiceToneEngine {
  readonly #workers: number;
  readonly #logger: Logger;
  readonly #slots: WorkerSlot[] = [];
  #nextStreamId = 1;
  #closing: Promise<void> | null = null;

  constructor(options: VoiceToneEngineOptions = {}) {
    this.#workers = Math.max(1, options.workers ?? 2);
    this.#logger = options.logger ?? silentLogger;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  /**
   * Starts the workers (also done by the first openStream); resolves when each is running, rejects
   * with CS_ERR_VOICE_TONE_FAILED when one cannot start.
   */
  ready(): Promise<void> {
    if (this.#closing) return Promise.reject(new InvalidStateError('voice tone engine'));
    this.#start();
    return Promise.all(this.#slots.map((s) => s.ready)).then(() => undefined);
  }

  openStream(): VoiceToneStream {
    if (this.#closing) throw new InvalidStateError('voice tone engine');
    this.#start();
    const live = this.#slots.filter((s) => !s.exited);
    const slot = leastLoaded(live, live[0] ?? this.#slots[0]!);
    const id = this.#nextStreamId++;
    const stream = new VoiceToneStream(
      id,
      (message, transfer) => {
        if (!slot.exited) slot.worker.postMessage(message, transfer);
      },
      this.#logger,
    );
    if (slot.exited) {
      // No worker could start: the stream fails once its owner has attached its listeners.
      queueMicrotask(() => stream.fail('no voice tone worker is running'));
      return stream;
    }
    slot.streams.set(id, stream);
    slot.worker.postMessage({ type: 'open', streamId: id } satisfies ToVoiceWorker);
    return stream;
  }

  /** Streams currently assigned to each worker (for metrics and tests). */
  workerLoad(): number[] {
    return this.#slots.map((s) => s.streams.size);
  }

  /** Index of the worker a stream runs on (tests). */
  workerOfForTesting(stream: VoiceToneStream): number {
    return this.#slots.findIndex((s) => s.streams.has(stream.id));
  }

  /** Test hook: makes worker `index` throw an uncaught exception. */
  crashWorkerForTesting(index: number): void {
    const slot = this.#slots[index];
    if (!slot) throw new RangeError(`no worker ${index}`);
    slot.worker.postMessage({ type: 'crash' } satisfies ToVoiceWorker);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  #start(): void {
    while (this.#slots.length < this.#workers) this.#slots.push(this.#spawn(this.#slots.length));
  }

  #spawn(index: number): WorkerSlot {
    const worker = createModuleWorker(import.meta.url, 'VoiceToneWorker', { name: `voice-tone-${index}` });
    const streams = new Map<number, VoiceToneStream>();
    const start = workerStart();
    const slot: WorkerSlot = { index, worker, streams, ready: start.ready, exited: false };
    worker.on('message', (message: FromVoiceWorker) => {
      switch (message.type) {
        case 'ready':
          start.markReady();
          return;
        case 'window':
          streams.get(message.streamId)?.deliver(message.window);
          return;
        case 'flushed':
          streams.get(message.streamId)?.flushed(message.requestId);
          return;
        case 'ended':
          streams.get(message.streamId)?.ended({ busyMs: message.busyMs, audioMs: message.audioMs });
          streams.delete(message.streamId);
          return;
        case 'stream-error':
          streams.get(message.streamId)?.fail(`voice tone analysis failed: ${message.message}`);
          streams.delete(message.streamId);
          return;
      }
    });
    onWorkerExit(worker, (reason) => {
      slot.exited = true;
      start.fail(notStarted(index, reason));
      for (const stream of streams.values()) {
        stream.fail(`voice tone worker ${index} died: ${reason.message}`, reason);
      }
      streams.clear();
      if (this.#closing) return;
      if (!start.started) {
        this.#logger.error({ err: reason, worker: index }, 'voice tone worker did not start');
        return;
      }
      this.#logger.error({ err: reason, worker: index }, 'voice tone worker died; replacing it');
      this.#slots[index] = this.#spawn(index);
    });
    return slot;
  }

  #close(): Promise<void> {
    return closeWorkers(this.#slots, { type: 'close' } satisfies ToVoiceWorker, CLOSE_TIMEOUT_MS);
  }
}
