import { DetailType, stream, type StreamRecord } from '../../client/src/index.js';

/** The fields of a "Transcribe" record the benchmarks read (docs/messages.md has the whole shape). */
export interface TranscribeEvent {
  readonly IsPartial: boolean;
  readonly StartTime: number;
  readonly EndTime: number;
  readonly Alternatives: readonly [
    { readonly Transcript: string; readonly Items: readonly { EndTime: number }[] },
  ];
}

/** A Transcribe record and the wall-clock ms (Date.now()) its WebSocket frame arrived. */
export interface ArrivedTranscript {
  readonly arrivedAt: number;
  readonly event: TranscribeEvent;
}

/** What the feed saw of one call, keyed by the call's To number. */
export class CallRecords {
  readonly transcripts: ArrivedTranscript[] = [];
  /** 'chime:MediaInsightsStopped' or '…PermanentFailure', when it arrived. */
  end: { eventType: string; arrivedAt: number } | null = null;
  #wake: (() => void) | null = null;

  /** Resolves true once the call's pipeline has stopped or failed, false after `timeoutMs`. */
  async ended(timeoutMs: number): Promise<boolean> {
    if (this.end) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return this.end !== null;
  }

  /** @internal */
  notify(): void {
    this.#wake?.();
  }
}

const TYPES = [DetailType.Transcribe, DetailType.StateChange];
const END_EVENTS = new Set(['chime:MediaInsightsStopped', 'chime:MediaInsightsPermanentFailure']);

/**
 * Callsight's live records of `types` (the client package's stream(), resuming after a break), each
 * handed to `onRecord`; resolves with a function that stops, once the WebSocket is open.
 */
export async function followStream(
  httpPort: number,
  types: readonly string[],
  token: string | undefined,
  onRecord: (record: StreamRecord) => void,
): Promise<() => void> {
  const stop = new AbortController();
  await new Promise<void>((resolve, reject) => {
    const records = stream({
      url: `http://127.0.0.1:${httpPort}`,
      types,
      signal: stop.signal,
      ...(token ? { credentials: { token } } : {}),
      onStatus: (status) => {
        if (status.state === 'open') resolve();
      },
    });
    void (async () => {
      for await (const record of records) onRecord(record);
    })().catch(reject);
  });
  return () => stop.abort();
}

/**
 * One client of Callsight's stream (the client package's stream(), live from now on), taking
 * Transcribe records and pipeline state changes and stamping each with its arrival time. Calls are
 * told apart by their To number, which every such record carries; a benchmark gives each call its own.
 */
export class TranscriptFeed {
  #close: () => void = () => undefined;
  readonly #calls = new Map<string, CallRecords>();

  private constructor() {}

  /** Resolves once the feed's WebSocket is open. `token`: an API token when authentication is on. */
  static async connect(httpPort: number, token?: string): Promise<TranscriptFeed> {
    const feed = new TranscriptFeed();
    feed.#close = await followStream(httpPort, TYPES, token, (record) => feed.#onRecord(Date.now(), record));
    return feed;
  }

  /** Starts keeping the records of the call to `toNumber` (call before placing it). */
  watch(toNumber: string): CallRecords {
    const records = new CallRecords();
    this.#calls.set(toNumber, records);
    return records;
  }

  close(): void {
    this.#close();
  }

  #onRecord(arrivedAt: number, record: StreamRecord): void {
    const frame = record as {
      'detail-type'?: string;
      metadata?: string;
      TranscriptEvent?: TranscribeEvent;
      detail?: { toNumber?: string; eventType?: string };
    };
    if (frame.TranscriptEvent && frame.metadata) {
      const { toNumber } = JSON.parse(frame.metadata) as { toNumber?: string };
      this.#calls.get(toNumber ?? '')?.transcripts.push({ arrivedAt, event: frame.TranscriptEvent });
    } else if (frame.detail?.eventType && END_EVENTS.has(frame.detail.eventType)) {
      const call = this.#calls.get(frame.detail.toNumber ?? '');
      if (call && !call.end) {
        call.end = { eventType: frame.detail.eventType, arrivedAt };
        call.notify();
      }
    }
  }
}
