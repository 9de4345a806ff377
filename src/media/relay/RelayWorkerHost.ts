import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../platform/logger.js';
import { createModuleWorker, onWorkerExit } from '../../platform/workers.js';
import {
  readBatch,
  type FromWorker,
  type SideConfig,
  type SideState,
  type ToWorker,
} from './RelayProtocol.js';

/** What a relayed call hears from the worker. */
export interface RelaySink {
  /** A packet its party `side` sent, accepted (and forwarded), plain. */
  packet(side: 0 | 1, arrivalMs: number, plain: Buffer): void;
  state(side: 0 | 1, state: SideState): void;
}

/**
 * The main thread's end of the relay worker (RelayWorker.ts), one per process, started with the first
 * relayed call: binds sockets there, opens and configures calls, and passes their accepted packets
 * and counters to each call's sink. The worker keeps the process alive only while it has work: a
 * request awaiting its answer, or an open call.
 */
export class RelayWorkerHost {
  static #shared: RelayWorkerHost | null = null;

  readonly #worker: Worker;
  readonly #binds = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  readonly #closes = new Map<number, () => void>();
  readonly #sinks = new Map<number, RelaySink>();
  #nextId = 1;
  #busy = 0;

  private constructor(logger: Logger) {
    this.#worker = createModuleWorker(import.meta.url, 'RelayWorker', {});
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    onWorkerExit(this.#worker, (reason) => {
      RelayWorkerHost.#shared = null;
      logger.error({ err: reason }, 'relay worker exited: relayed calls stop forwarding');
    });
    // After the listeners: adding a 'message' listener refs the worker again.
    this.#worker.unref();
  }

  /** Counts work in (+1) and out (−1): the worker holds the process open while there is any. */
  #work(delta: 1 | -1): void {
    this.#busy += delta;
    if (this.#busy === 1 && delta === 1) this.#worker.ref();
    else if (this.#busy === 0) this.#worker.unref();
  }

  static shared(logger: Logger): RelayWorkerHost {
    RelayWorkerHost.#shared ??= new RelayWorkerHost(logger);
    return RelayWorkerHost.#shared;
  }

  /** Binds a UDP socket in the worker; rejects with the bind error (its `code`, e.g. EADDRINUSE). */
  async bind(host: string, port: number): Promise<number> {
    const request = this.#nextId++;
    this.#work(1);
    try {
      await new Promise<void>((resolve, reject) => {
        this.#binds.set(request, { resolve, reject });
        this.#post({ op: 'bind', request, host, port });
      });
    } finally {
      this.#work(-1);
    }
    return request;
  }

  unbind(request: number): void {
    this.#post({ op: 'unbind', request });
  }

  /** Makes the two bound sockets a call's sides 0 and 1; returns the call's id. */
  open(requests: readonly [number, number], sink: RelaySink): number {
    const id = this.#nextId++;
    this.#sinks.set(id, sink);
    this.#work(1);
    this.#post({ op: 'open', id, requests });
    return id;
  }

  configure(id: number, side: 0 | 1, config: SideConfig): void {
    this.#post({ op: 'configure', id, side, config });
  }

  /** Stops forwarding and closes the call's sockets; resolves once they are closed (ports reusable). */
  close(id: number): Promise<void> {
    return new Promise((resolve) => {
      this.#closes.set(id, () => {
        this.#sinks.delete(id);
        this.#work(-1);
        resolve();
      });
      this.#post({ op: 'close', id });
    });
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #receive(message: FromWorker): void {
    switch (message.op) {
      case 'packets':
        readBatch(message.data, (id, side, arrivalMs, plain) =>
          this.#sinks.get(id)?.packet(side, arrivalMs, plain),
        );
        return;
      case 'state':
        this.#sinks.get(message.id)?.state(message.side, message.state);
        return;
      case 'bound': {
        const waiter = this.#binds.get(message.request);
        this.#binds.delete(message.request);
        if (message.error === null) waiter?.resolve();
        else waiter?.reject(Object.assign(new Error(message.error), { code: message.code ?? undefined }));
        return;
      }
      case 'closed':
        this.#closes.get(message.id)?.();
        this.#closes.delete(message.id);
        return;
    }
  }
}
