import { callIdOf, stream, type StreamRecord } from '../../client/src/index.js';
import { TEST_TOKEN } from './callsight.js';

export type StreamFrame = StreamRecord & { readonly 'detail-type'?: string };

interface CollectorOptions {
  /** Resume after this sequence number (default "0": everything the stream keeps). */
  readonly from?: string;
  /** The API token to connect with (default: the test admin's); null connects without one. */
  readonly token?: string | null;
}

/**
 * A client of Callsight's stream that keeps every record it receives, for assertions: the client
 * package's stream() (so the tests exercise the resume-from-sequence logic consumers use, and no second
 * copy of it exists here).
 */
export class RecordCollector {
  readonly frames: StreamFrame[] = [];
  readonly opened: Promise<void>;
  readonly #stop = new AbortController();
  readonly #waiters = new Set<() => void>();
  #failure: Error | null = null;

  /** `url`: Callsight's HTTP base URL (`http://127.0.0.1:8080`) or its WebSocket URL (`…/ws`). */
  constructor(url: string, { from = '0', token = TEST_TOKEN }: CollectorOptions = {}) {
    let open: () => void = () => undefined;
    let fail: (err: unknown) => void = () => undefined;
    this.opened = new Promise((resolve, reject) => ((open = resolve), (fail = reject)));
    const records = stream({
      url,
      from,
      signal: this.#stop.signal,
      ...(token === null ? {} : { credentials: { token } }),
      onStatus: (status) => {
        if (status.state === 'open') open();
      },
    });
    void (async () => {
      for await (const record of records) {
        this.frames.push(record);
        this.#wake();
      }
    })().catch((err: unknown) => {
      this.#failure = err instanceof Error ? err : new Error(String(err));
      fail(this.#failure);
      this.#wake();
    });
  }

  /** Resolves with the first frame matching, waiting up to timeoutMs. */
  async waitFor(
    predicate: (frame: StreamFrame) => boolean,
    timeoutMs = 30_000,
    what = 'a frame',
  ): Promise<StreamFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (this.#failure) throw this.#failure;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; got ${this.frames.length} frames`,
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Stops the stream: no more frames arrive. */
  close(): void {
    this.#stop.abort();
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
  }
}

export function detailOf(frame: StreamFrame): Record<string, unknown> {
  return (frame.detail ?? {}) as Record<string, unknown>;
}

/** The call a frame belongs to (the client package's reading of `detail` and `metadata`). */
export { callIdOf };

export interface TranscriptEventFields {
  readonly ResultId: string;
  readonly IsPartial: boolean;
  readonly ChannelId: string;
  readonly StartTime: number;
  readonly EndTime: number;
  readonly Alternatives: readonly { readonly Transcript: string }[];
}

/** The final Transcribe results of one call's channel (`ch_0`, `ch_1`), in stream order. */
export function finalTranscripts(
  frames: readonly StreamFrame[],
  callId: string,
  channelId: string,
): TranscriptEventFields[] {
  return frames
    .filter((f) => f['detail-type'] === 'Transcribe' && callIdOf(f) === callId)
    .map((f) => f.TranscriptEvent as TranscriptEventFields)
    .filter((t) => !t.IsPartial && t.ChannelId === channelId);
}

/** The text of a channel: its finals joined by spaces. */
export function transcriptText(frames: readonly StreamFrame[], callId: string, channelId: string): string {
  return finalTranscripts(frames, callId, channelId)
    .map((t) => t.Alternatives[0]?.Transcript ?? '')
    .filter(Boolean)
    .join(' ');
}
