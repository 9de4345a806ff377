import { EventEmitter } from 'node:events';
import type { Logger } from './logger.js';

/** Maps each event name to its argument tuple. */
export type EventMap = Record<string, unknown[]>;

/**
 * An EventEmitter whose events are typed, and whose safeEmit never lets a throwing listener break the
 * media path that emitted the event: the error is logged and the other listeners still run.
 */
export class TypedEmitter<E extends EventMap> {
  readonly #emitter = new EventEmitter();
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
    this.#emitter.setMaxListeners(0);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }

  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const listeners = this.#emitter.listeners(event) as ((...a: E[K]) => void)[];
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (err) {
        this.#logger?.error({ err, event }, 'event listener threw');
      }
    }
    return listeners.length > 0;
  }
}
