import { InvalidStateError } from './errors.js';
import type { Logger } from './logger.js';

interface Entry {
  readonly name: string;
  readonly close: () => unknown;
}

/**
 * The parts a process opened, in order, each with what closes it: closed in reverse order at
 * shutdown, or when a start fails half-way (a start that fails at part 4 closes parts 3, 2, 1).
 * The names of AsyncDisposableStack (`use`, `adopt`, `defer`), which Node 20 does not have, plus a name
 * per part for the log and a logger: a part that fails to close is logged and the others still close.
 */
export class ResourceStack {
  readonly #logger: Logger;
  readonly #entries: Entry[] = [];
  #closing: Promise<void> | null = null;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Pushes `close`: it runs before everything pushed earlier. */
  defer(name: string, close: () => unknown): void {
    if (this.#closing) throw new InvalidStateError('resource stack');
    this.#entries.push({ name, close });
  }

  /** Pushes the resource's own close() and returns the resource. */
  use<T extends { close(): unknown }>(name: string, resource: T): T {
    this.defer(name, () => resource.close());
    return resource;
  }

  /** Pushes `close` for the resource and returns the resource. */
  adopt<T>(name: string, resource: T, close: (resource: T) => unknown): T {
    this.defer(name, () => close(resource));
    return resource;
  }

  /**
   * Runs `start`; if it throws, closes what it opened (closeAll; failures to close are only logged)
   * and throws its error.
   */
  async open<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (err) {
      await this.closeAll().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Closes everything, newest first, each once the one before has finished. A part that fails to
   * close is logged and the rest still close; then the promise rejects with its error (an
   * AggregateError when several failed). Idempotent: every call returns the first one's promise.
   */
  closeAll(): Promise<void> {
    this.#closing ??= (async () => {
      const errors: unknown[] = [];
      for (const { name, close } of [...this.#entries].reverse()) {
        try {
          await close();
        } catch (err) {
          this.#logger.error({ err, part: name }, 'failed to close');
          errors.push(err);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} parts failed to close`);
    })();
    return this.#closing;
  }
}
