import type { ResourceLimits, Worker } from 'node:worker_threads';
import { CallsightError, InvalidStateError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { createModuleWorker, onWorkerExit, workerStart } from '../../platform/workers.js';
import type { PostCallInput } from '../PostCallAnalytics.js';
import type { UtteranceAnalyzerOptions, UtteranceInput } from '../UtteranceAnalyzer.js';
import type { UtteranceEvent } from '../UtteranceTypes.js';
import type { AnalyticsResults, FromAnalyticsWorker, ToAnalyticsWorker } from './AnalyticsProtocol.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  readonly pending: Map<number, Pending>;
}

/**
 * The call analytics models in worker threads: requests go to the least busy worker and resolve
 * with its answer. A worker that dies fails its pending requests (CS_ERR_ANALYTICS_FAILED) and is
 * replaced, so one bad utterance cannot take the process or other calls down. A worker that dies
 * before it was ever ready is not replaced: it would die again (a missing module, a bad model), so
 * the pool closes and `ready()` rejects with the reason.
 */
export class AnalyticsPool {
  readonly #slots: Slot[] = [];
  readonly #logger: Logger;
  #nextId = 1;
  #closed = false;

  readonly #resourceLimits: ResourceLimits | undefined;

  /** `resourceLimits`: each worker's heap limits (Node's defaults when absent). */
  constructor(workers: number, logger: Logger, resourceLimits?: ResourceLimits) {
    this.#logger = logger;
    this.#resourceLimits = resourceLimits;
    for (let i = 0; i < Math.max(1, workers); i++) this.#slots.push(this.#spawn(i));
  }

  #spawn(index: number): Slot {
    const worker = createModuleWorker(import.meta.url, 'AnalyticsWorker', {
      name: `callsight-analytics-${index}`,
      ...(this.#resourceLimits ? { resourceLimits: this.#resourceLimits } : {}),
    });
    const pending = new Map<number, Pending>();
    const start = workerStart();
    const slot: Slot = { worker, pending, ready: start.ready };
    worker.on('message', (message: FromAnalyticsWorker) => {
      if (message.type === 'ready') return start.markReady();
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.type === 'result') waiter.resolve(message.result);
      else waiter.reject(new CallsightError('CS_ERR_ANALYTICS_FAILED', message.message));
    });
    worker.on('error', (err) => this.#logger.error({ err, worker: index }, 'analytics worker failed'));
    onWorkerExit(worker, (reason, code) => {
      for (const waiter of pending.values())
        waiter.reject(
          new CallsightError('CS_ERR_ANALYTICS_FAILED', `analytics worker exited (code ${code})`),
        );
      pending.clear();
      if (this.#closed) return;
      if (!start.started) {
        start.fail(
          new CallsightError(
            'CS_ERR_ANALYTICS_FAILED',
            `analytics worker could not start: ${reason.message}`,
          ),
        );
        void this.close();
        return;
      }
      this.#logger.warn({ worker: index, code }, 'analytics worker exited: replacing it');
      this.#slots[index] = this.#spawn(index);
    });
    return slot;
  }

  ready(): Promise<void> {
    return Promise.all(this.#slots.map((s) => s.ready)).then(() => undefined);
  }

  #request<K extends keyof AnalyticsResults>(
    message: Omit<Extract<ToAnalyticsWorker, { op: K }>, 'id'>,
  ): Promise<AnalyticsResults[K]> {
    if (this.#closed) return Promise.reject(new InvalidStateError('analytics pool'));
    const slot = this.#slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      slot.worker.postMessage({ ...message, id });
    });
  }

  analyze(options: UtteranceAnalyzerOptions, input: UtteranceInput): Promise<AnalyticsResults['utterance']> {
    return this.#request<'utterance'>({ op: 'utterance', options, input });
  }

  postCall(input: PostCallInput): Promise<AnalyticsResults['postCall']> {
    const { loudness, ...rest } = input;
    return this.#request<'postCall'>({
      op: 'postCall',
      input: { ...rest, ...(loudness ? { loudness: [...loudness] } : {}) },
    });
  }

  summary(utterances: readonly UtteranceEvent[]): Promise<AnalyticsResults['summary']> {
    return this.#request<'summary'>({ op: 'summary', utterances });
  }

  /** Test hook: makes worker `index` throw an uncaught exception. */
  crashWorkerForTesting(index: number): void {
    this.#slots[index]?.worker.postMessage({ id: 0, op: 'crash' } satisfies ToAnalyticsWorker);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }
}
