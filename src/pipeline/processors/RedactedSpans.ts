import type { ContentRedactionOutput } from '../../configurations/ConfigurationTypes.js';
import type { RecordingUrls } from '../records/RecordingRecord.js';

/** A stretch of one channel's speech that redaction removed: call time, ms from the call's start. */
export interface RedactedSpan {
  readonly channel: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** Whether every span is known (the redacting processor finished) or not (it failed or was never started). */
export type SpansOutcome = 'complete' | 'incomplete';

/**
 * What the pipeline's redacting processor (Transcribe or call analytics with `ContentRedactionType:
 * PII`) tells its recording about the PII it removed: the times of each final's redacted entities,
 * per channel, and when it has no more to say. The recording waits for that before it silences them
 * (entities are only known at finals, the last ones when recognition ends with the call).
 *
 * And back: where the recordings went (`recorded`), for the call analytics processor's post-call
 * document, which waits for it.
 *
 * One per pipeline, made by the element factory only when both a redacting processor and a
 * recording are in the configuration. Kept in memory only; nothing of the content, only times.
 */
export class RedactedSpans {
  /** `ContentRedactionOutput`: whether the recording as recorded is kept beside the redacted one. */
  readonly output: ContentRedactionOutput;
  readonly #spans: RedactedSpan[] = [];
  #outcome: SpansOutcome | null = null;
  readonly #settled: Promise<SpansOutcome>;
  #settle!: (outcome: SpansOutcome) => void;
  readonly #recording: Promise<RecordingUrls | null>;
  #recorded!: (urls: RecordingUrls | null) => void;

  constructor(output: ContentRedactionOutput) {
    this.output = output;
    this.#settled = new Promise((resolve) => (this.#settle = resolve));
    this.#recording = new Promise((resolve) => (this.#recorded = resolve));
  }

  /** The recording is published (its URLs), or there is none (null: no audio, failed, let go). The first call holds. */
  recorded(urls: RecordingUrls | null): void {
    this.#recorded(urls);
  }

  /** Resolves once recorded() was called. */
  recording(): Promise<RecordingUrls | null> {
    return this.#recording;
  }

  /** An entity a final redacted; ignored once settled (it can no longer reach the recording). */
  add(span: RedactedSpan): void {
    if (this.#outcome !== null || !(span.endMs >= span.startMs)) return;
    this.#spans.push(span);
  }

  /** The redacting processor has stopped and emitted its last final. Idempotent; the first settlement holds. */
  finish(): void {
    this.#end('complete');
  }

  /** The redacting processor broke (or was let go): spans after some point are unknown. */
  fail(): void {
    this.#end('incomplete');
  }

  /** Resolves once finish() or fail() was called. */
  settled(): Promise<SpansOutcome> {
    return this.#settled;
  }

  get spans(): readonly RedactedSpan[] {
    return this.#spans;
  }

  #end(outcome: SpansOutcome): void {
    if (this.#outcome !== null) return;
    this.#outcome = outcome;
    this.#settle(outcome);
  }
}
