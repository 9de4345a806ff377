import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../platform/logger.js';
import { errorMessage } from '../platform/errors.js';

export interface WebhookOptions {
  readonly url: string;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Delay before the first retry; each further retry doubles it (with ±20 % jitter). */
  readonly initialBackoffMs: number;
  readonly timeoutMs: number;
  /**
   * Signs each delivery the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature
   * `v1,<base64 HMAC-SHA256>`): `whsec_<base64 key>`, or any other text used as the key's bytes.
   * Never logged.
   */
  readonly signingSecret?: string;
  readonly logger: Logger;
  /** Called with the payload and the last error once every attempt has failed. */
  readonly deadLetter: (payload: unknown, error: string, attempts: number) => void;
}

/**
 * The Standard Webhooks headers (standardwebhooks.com) for one attempt: the same id on every retry of
 * a payload (receivers drop duplicates by it), the attempt's time (receivers refuse old ones: replay),
 * and the HMAC-SHA256 of `id.timestamp.body` under the target's secret.
 */
export function webhookSignatureHeaders(
  secret: string,
  id: string,
  timestampSec: number,
  body: string,
): Record<string, string> {
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret, 'utf8');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': `v1,${signature}`,
  };
}

export const WEBHOOK_DEFAULTS = { maxAttempts: 5, initialBackoffMs: 500, timeoutMs: 5000 } as const;

/** Most payloads one webhook may have waiting; beyond it the oldest is dead-lettered at once. */
const MAX_QUEUED = 10_000;

/**
 * POSTs JSON payloads to one URL, in order, one at a time: a 2xx is success; a network error,
 * timeout, 429 or 5xx is retried with exponential backoff; any other status (or the last failed
 * attempt) sends the payload to the dead letter. Never throws to its caller.
 */
export class WebhookDelivery {
  readonly #options: WebhookOptions;
  readonly #queue: unknown[] = [];
  #running: Promise<void> | null = null;
  #closed = false;
  readonly #abort = new AbortController();
  delivered = 0;
  deadLettered = 0;

  constructor(options: WebhookOptions) {
    this.#options = options;
  }

  send(payload: unknown): void {
    if (this.#closed) {
      this.#deadLetter(payload, 'webhook closed before delivery', 0);
      return;
    }
    if (this.#queue.length >= MAX_QUEUED) this.#deadLetter(this.#queue.shift(), 'webhook queue full', 0);
    this.#queue.push(payload);
    this.#running ??= this.#drain().finally(() => (this.#running = null));
  }

  /** Resolves when the queue is empty (delivered or dead-lettered). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Delivers what is queued (within the retry budget), then refuses new payloads. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  /** Stops retrying at once: what is still queued goes to the dead letter. */
  abort(): void {
    this.#closed = true;
    this.#abort.abort();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const payload = this.#queue.shift();
      await this.#deliver(payload);
    }
  }

  async #deliver(payload: unknown): Promise<void> {
    const { url, maxAttempts, initialBackoffMs, timeoutMs, logger } = this.#options;
    const body = JSON.stringify(payload);
    const id = `msg_${randomUUID()}`;
    let lastError = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.#abort.signal.aborted) break;
      let retryable = true;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'callsight-webhook',
            ...(this.#options.signingSecret
              ? webhookSignatureHeaders(this.#options.signingSecret, id, Math.floor(Date.now() / 1000), body)
              : {}),
          },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#abort.signal]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.delivered++;
          return;
        }
        lastError = `HTTP ${response.status}`;
        retryable = response.status === 429 || response.status >= 500;
      } catch (err) {
        lastError = errorMessage(err);
      }
      logger.warn({ url, attempt, maxAttempts, error: lastError }, 'webhook delivery failed');
      if (!retryable) return this.#deadLetter(payload, lastError, attempt);
      if (attempt < maxAttempts)
        await this.#sleep(initialBackoffMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4));
    }
    this.#deadLetter(payload, lastError || 'aborted', maxAttempts);
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #deadLetter(payload: unknown, error: string, attempts: number): void {
    this.deadLettered++;
    this.#options.logger.error(
      { url: this.#options.url, error, attempts },
      'webhook gave up: payload dead-lettered',
    );
    this.#options.deadLetter(payload, error, attempts);
  }
}
