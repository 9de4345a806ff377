import WebSocket from 'ws';
import { TEST_AUTH } from './callsight.js';

export type StreamFrame = Record<string, unknown> & { sequenceNumber: string; 'detail-type'?: string };

/** A WebSocket client that keeps every frame it receives, for assertions. */
export class RecordCollector {
  readonly frames: StreamFrame[] = [];
  readonly #ws: WebSocket;
  readonly #waiters = new Set<() => void>();
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  /** Connects with the test admin token unless `headers` says otherwise. */
  constructor(url: string, headers: Readonly<Record<string, string>> = TEST_AUTH) {
    this.#ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.#ws.once('open', () => resolve());
      this.#ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.#ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.#ws.on('message', (data) => {
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as StreamFrame);
      for (const wake of this.#waiters) wake();
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

  close(): void {
    this.#ws.close();
  }

  terminate(): void {
    this.#ws.terminate();
  }
}

export function detailOf(frame: StreamFrame): Record<string, unknown> {
  return (frame.detail ?? {}) as Record<string, unknown>;
}

export function callIdOf(frame: StreamFrame): string | undefined {
  const detail = frame.detail as { callId?: string } | undefined;
  if (detail?.callId) return detail.callId;
  if (typeof frame.metadata === 'string') return (JSON.parse(frame.metadata) as { callId?: string }).callId;
  return undefined;
}

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
