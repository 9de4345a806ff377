import { subscriptionIterator } from './StreamReads.js';
import type { StoredRecord, StreamSubscription } from './StreamTypes.js';

/** What a subscription needs from its stream. */
export interface SubscriptionSource {
  /** Stored records with sequence > after, oldest first (synchronous, so no append can interleave). */
  readPage(after: number, limit: number): StoredRecord[];
  detach(subscription: SqliteSubscription): void;
}

/**
 * One reader of the stream. It starts in catch-up mode (reading pages from the database) and switches to
 * live mode (taking records from the stream's commit notifications) once a page read comes back empty.
 * Both happen synchronously on the event loop and commits notify synchronously, so nothing can be
 * committed between the empty read and the switch: no gap. The cursor (newest sequence queued) drops
 * anything already seen: no duplicate. When the consumer lets the live queue reach its limit, the
 * subscription drops back to catch-up mode instead of buffering, so memory stays bounded and no record
 * is lost (unless retention deletes it first).
 */
export class SqliteSubscription implements StreamSubscription {
  readonly #source: SubscriptionSource;
  readonly #queueLimit: number;
  readonly #pageSize: number;
  #queue: StoredRecord[] = [];
  #cursor: number;
  #live = false;
  #closed = false;
  #waiters: (() => void)[] = [];
  #fallbacks = 0;

  constructor(source: SubscriptionSource, after: number, queueLimit: number) {
    this.#source = source;
    this.#cursor = after;
    this.#queueLimit = Math.max(1, queueLimit);
    this.#pageSize = Math.min(this.#queueLimit, 500);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** How many times this subscriber fell more than the queue limit behind and went back to the database. */
  get fallbacks(): number {
    return this.#fallbacks;
  }

  /** Called by the stream after each committed batch, in sequence order. */
  onCommitted(records: readonly StoredRecord[]): void {
    if (!this.#live || this.#closed) return;
    for (const record of records) {
      const seq = Number(record.sequenceNumber);
      if (seq <= this.#cursor) continue;
      if (this.#queue.length >= this.#queueLimit) {
        this.#live = false;
        this.#fallbacks++;
        break;
      }
      this.#queue.push(record);
      this.#cursor = seq;
    }
    this.#wake();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#source.detach(this);
    this.#wake();
  }

  async next(): Promise<IteratorResult<StoredRecord, undefined>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined };
      const head = this.#queue.shift();
      if (head !== undefined) return { done: false, value: head };
      if (!this.#live) {
        const page = this.#source.readPage(this.#cursor, this.#pageSize);
        const last = page.at(-1);
        if (last === undefined) {
          this.#live = true;
        } else {
          this.#queue = page;
          this.#cursor = Number(last.sequenceNumber);
        }
        continue;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredRecord, undefined> {
    return subscriptionIterator(this);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
