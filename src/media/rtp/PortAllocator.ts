import { CallsightError } from '../../platform/errors.js';

export interface PortAllocatorOptions {
  /** Lowest port of the range. Default 20000. */
  min?: number;
  /** Highest port of the range (inclusive). Default 20999. */
  max?: number;
}

/** Errors from a bind that mean "this port is taken, try another", not "binding cannot work". */
const PORT_TAKEN_CODES = new Set(['EADDRINUSE', 'EACCES']);

/**
 * Hands out RTP ports: always even, with port+1 kept free for RTCP (RFC 3550 §11). Allocation walks
 * the range round-robin, so a port just released is the last to be reused and stray packets from
 * the previous call do not land in the next one.
 */
export class PortAllocator {
  readonly #first: number;
  readonly #pairs: number;
  readonly #inUse: Set<number> = new Set();
  #cursor = 0;

  constructor(options: PortAllocatorOptions = {}) {
    const min = options.min ?? 20000;
    const max = options.max ?? 20999;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || max < min) {
      throw new CallsightError('CS_ERR_CONFIG_INVALID', `RTP port range ${min}-${max} is not valid`);
    }
    this.#first = min + (min % 2);
    this.#pairs = Math.max(0, Math.floor((max - this.#first + 1) / 2));
    if (this.#pairs === 0) {
      throw new CallsightError(
        'CS_ERR_CONFIG_INVALID',
        `RTP port range ${min}-${max} holds no even/odd port pair`,
      );
    }
  }

  get capacity(): number {
    return this.#pairs;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** Reserves the next free even port; throws CS_ERR_NO_RTP_PORT when the range is exhausted. */
  allocate(): number {
    for (let i = 0; i < this.#pairs; i++) {
      const port = this.#first + 2 * ((this.#cursor + i) % this.#pairs);
      if (!this.#inUse.has(port)) {
        this.#cursor = (this.#cursor + i + 1) % this.#pairs;
        this.#inUse.add(port);
        return port;
      }
    }
    throw new CallsightError(
      'CS_ERR_NO_RTP_PORT',
      `all ${this.#pairs} RTP port pairs in ${this.#first}-${this.#first + 2 * this.#pairs - 1} are in use`,
    );
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }

  /**
   * Allocates a port and runs `bind` on it; when the port is taken by another process, releases it
   * and tries the next pair, up to the whole range. Other bind errors are rethrown.
   */
  async bindNext<T>(bind: (port: number) => Promise<T>): Promise<{ port: number; value: T }> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < this.#pairs; attempt++) {
      const port = this.allocate();
      try {
        return { port, value: await bind(port) };
      } catch (err) {
        this.release(port);
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code === undefined || !PORT_TAKEN_CODES.has(code)) throw err;
        lastError = err;
      }
    }
    throw new CallsightError('CS_ERR_NO_RTP_PORT', `no RTP port in the range could be bound`, {
      cause: lastError,
    });
  }
}
