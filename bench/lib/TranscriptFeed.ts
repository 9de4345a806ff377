import WebSocket from 'ws';
import { TEST_AUTH } from '../../test/helpers/callsight.js';

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

const TYPES = ['Transcribe', 'Media Insights State Change'];
const END_EVENTS = new Set(['chime:MediaInsightsStopped', 'chime:MediaInsightsPermanentFailure']);

/**
 * One WebSocket client on Callsight's /ws, live from now on, taking Transcribe records and pipeline
 * state changes and stamping each with its arrival time. Calls are told apart by their To number,
 * which every such record carries; a benchmark gives each call its own.
 */
export class TranscriptFeed {
  readonly #ws: WebSocket;
  readonly #calls = new Map<string, CallRecords>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => this.#onFrame(Date.now(), (data as Buffer).toString('utf8')));
  }

  static async connect(httpPort: number): Promise<TranscriptFeed> {
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws?types=${encodeURIComponent(TYPES.join(','))}`, {
      headers: TEST_AUTH,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TranscriptFeed(ws);
  }

  /** Starts keeping the records of the call to `toNumber` (call before placing it). */
  watch(toNumber: string): CallRecords {
    const records = new CallRecords();
    this.#calls.set(toNumber, records);
    return records;
  }

  close(): void {
    this.#ws.close();
  }

  #onFrame(arrivedAt: number, text: string): void {
    const frame = JSON.parse(text) as {
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
