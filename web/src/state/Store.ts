import { AuditLog } from './AuditLog.js';
import { CallsModel } from './CallsModel.js';
import { MessageLog } from './MessageLog.js';
import { DetailType } from '../../../client/src/DetailTypes.js';
import type { ConnectionStatus, ReceivedFrame } from '../../../client/src/StreamClient.js';

export interface StoreOptions {
  readonly messageCap?: number;
  readonly callCap?: number;
  /**
   * Runs the flush before the next paint (the browser's requestAnimationFrame). Frames that arrive
   * between two paints are applied together, so the page renders at most once per frame however many
   * messages per second arrive.
   */
  readonly schedule?: (flush: () => void) => void;
  /** Longest time one flush may spend applying frames; the rest wait for the next frame. */
  readonly budgetMs?: number;
  readonly now?: () => number;
}

const INITIAL_STATUS: ConnectionStatus = {
  state: 'connecting',
  lastSeq: '0',
  connections: 0,
  lastClose: null,
  retryAt: null,
};

/**
 * The page's state: the raw message log and the calls built from it, fed by the stream client,
 * observed by React through `subscribe`/`version` (useSyncExternalStore). Applying is batched per
 * animation frame and bounded in time per frame, which keeps the main thread free for input.
 */
export class Store {
  readonly log: MessageLog;
  readonly calls: CallsModel;
  /** The `Callsight Audit` records (only admins' streams carry them). */
  readonly audit: AuditLog;
  #status: ConnectionStatus = INITIAL_STATUS;
  #queue: ReceivedFrame[] = [];
  #queueHead = 0;
  #scheduled = false;
  #version = 0;
  #lastSeq = '0';
  readonly #listeners = new Set<() => void>();
  readonly #schedule: (flush: () => void) => void;
  readonly #budgetMs: number;
  readonly #now: () => number;

  constructor(options: StoreOptions = {}) {
    this.log = new MessageLog(options.messageCap);
    this.calls = new CallsModel(options.callCap);
    this.audit = new AuditLog();
    this.#schedule = options.schedule ?? ((flush) => queueMicrotask(flush));
    this.#budgetMs = options.budgetMs ?? 8;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Changes whenever anything visible changed; React re-renders on it. */
  get version(): number {
    return this.#version;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Sequence number of the last record applied ("0" before any). */
  get lastSeq(): string {
    return this.#lastSeq;
  }

  /** Frames received but not applied yet. */
  get pending(): number {
    return this.#queue.length - this.#queueHead;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  receive = (frames: readonly ReceivedFrame[]): void => {
    for (const frame of frames) this.#queue.push(frame);
    this.#request();
  };

  setStatus = (status: ConnectionStatus): void => {
    this.#status = status;
    this.#changed();
  };

  /** Runs a change that did not come from the stream (e.g. facts fetched from the API) and re-renders. */
  update(change: () => boolean): void {
    if (change()) this.#changed();
  }

  /** Takes an erased call off the page: the call and its messages; false when none of it was here. */
  forgetCall(callId: string): boolean {
    const call = this.calls.forget(callId);
    return this.log.forget(callId) > 0 || call;
  }

  /** Applies queued frames for up to the time budget; reschedules itself when some are left. */
  flush = (): void => {
    this.#scheduled = false;
    const started = this.#now();
    let applied = 0;
    while (this.#queueHead < this.#queue.length) {
      const { record, raw } = this.#queue[this.#queueHead++]!;
      if (record['detail-type'] === DetailType.Audit) {
        // About the API, not a call's content: a recording download's audit names the call but is
        // not part of it.
        this.log.append(record, raw, null);
        this.audit.append(record);
      } else if (record['detail-type'] === DetailType.CallErased) {
        // Not keyed to the call (docs/messages.md): the call it names goes from the page.
        const detail = record.detail as { callId?: unknown } | undefined;
        if (typeof detail?.callId === 'string') this.forgetCall(detail.callId);
        this.log.append(record, raw, null);
      } else {
        const callId = this.calls.callIdOf(record);
        this.log.append(record, raw, callId);
        this.calls.apply(record, callId);
      }
      this.#lastSeq = record.sequenceNumber;
      // Checking the clock every 64 frames keeps its cost out of the loop.
      if (++applied % 64 === 0 && this.#now() - started > this.#budgetMs) break;
    }
    if (this.#queueHead >= this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (this.#queueHead > 4096) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    if (applied > 0) {
      this.log.trim();
      this.#changed();
    }
    if (this.pending > 0) this.#request();
  };

  #request(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(this.flush);
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#listeners) listener();
  }
}
