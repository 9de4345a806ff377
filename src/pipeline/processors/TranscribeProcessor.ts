import { DetailType } from '../../events/DetailTypes.js';
import type { EventOrigin } from '../../events/EventEnvelope.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import { RealTimeAlertEvaluator } from '../../analytics/RealTimeAlertEvaluator.js';
import type { RealTimeAlertConfiguration } from '../../configurations/ConfigurationTypes.js';
import type { PipelineContext, PipelineProcessor } from '../PipelineTypes.js';
import { transcribeRecord } from '../records/TranscribeRecord.js';
import type { RecognitionResult } from '../../transcribe/SpeechEngineTypes.js';
import { RecognitionChannels, type RecognitionChoice } from './RecognitionChannels.js';
import type { RedactedSpans } from './RedactedSpans.js';
import { startTranscription, publishAlert, sharedUtterance } from './TranscriptionOutputs.js';

export interface TranscribeProcessorOptions {
  readonly recognition: RecognitionChoice;
  /** Chime's FilterPartialResults: only finals reach the sinks. */
  readonly filterPartialResults: boolean;
  /** RealTimeAlertConfiguration: with this processor only KeywordMatch rules apply (Chime's rule). */
  readonly alerts?: RealTimeAlertConfiguration;
  readonly origin: EventOrigin;
  /**
   * With ContentRedactionType (an engine that redacts: Amazon Transcribe) and a recording: where the
   * times of redacted entities go (its audio is silenced there).
   */
  readonly redactedSpans?: RedactedSpans;
}

/** Chime's AmazonTranscribeProcessor: each recognition result of each channel a "Transcribe" record. */
export class TranscribeProcessor implements PipelineProcessor {
  readonly type = 'AmazonTranscribeProcessor';
  readonly #options: TranscribeProcessorOptions;
  readonly #context: PipelineContext;
  readonly #channels: RecognitionChannels;
  readonly #alerts: RealTimeAlertEvaluator;

  constructor(
    options: TranscribeProcessorOptions,
    context: PipelineContext,
    fail: (error: Error) => void,
    recovered: (reason: string) => void,
  ) {
    this.#options = options;
    this.#context = context;
    this.#alerts = new RealTimeAlertEvaluator(options.alerts, {
      callStartTime: context.call.startedAt,
      sourceMetadata: context.metadata,
      idField: 'resultId',
    });
    this.#channels = new RecognitionChannels({
      ...options.recognition,
      context,
      onResult: (result) => this.#onResult(result),
      onError: (error) => {
        options.redactedSpans?.fail();
        fail(error);
      },
      onFallback: recovered,
    });
  }

  start(): void {
    startTranscription(this.#context, this.#channels, this.#options.redactedSpans);
  }

  write(frame: PcmFrame): void {
    this.#channels.write(frame);
  }

  pause(): Promise<void> {
    return this.#channels.pause();
  }

  resume(): void {
    this.#channels.resume();
  }

  async stop(): Promise<void> {
    try {
      await this.#channels.stop();
      // Every final is out: the recording may now silence what they redacted (fail() came first if it broke).
      this.#options.redactedSpans?.finish();
    } catch (err) {
      this.#options.redactedSpans?.fail();
      throw err;
    }
    for (const detail of this.#alerts.end()) this.#publishAlert(detail);
  }

  #publishAlert(detail: object): void {
    publishAlert(this.#context, this.#options.origin, detail);
  }

  #onResult(result: RecognitionResult): void {
    const { call, pipelineId, metadata, channels } = this.#context;
    if (!result.isPartial) {
      for (const entity of result.entities ?? [])
        this.#options.redactedSpans?.add({
          channel: result.channel,
          startMs: entity.startMs,
          endMs: entity.endMs,
        });
      const role = channels.find((c) => c.channelId === result.channel)?.participantRole ?? null;
      this.#context.shareUtterance(sharedUtterance(result, role));
      const alerts = this.#alerts.add({
        UtteranceId: result.resultId,
        IsPartial: false,
        BeginOffsetMillis: result.startMs,
        EndOffsetMillis: result.endMs,
        Transcript: result.transcript,
      });
      for (const detail of alerts) this.#publishAlert(detail);
    }
    if (result.isPartial && this.#options.filterPartialResults) return;
    this.#context.emit(transcribeRecord(result, pipelineId, metadata, new Date()), {
      type: DetailType.Transcribe,
      callId: call.callId,
    });
  }
}
