import { randomUUID } from 'node:crypto';
import type { CallInfo } from '../connector/CallTypes.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../log/logger.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import { callAnalyticsMetadataRecord, callMetadata } from './records/PipelineRecord.js';
import { stateChangeEvent, type ElementStatus, type PipelineEventType } from './records/StateChange.js';
import { transcribeRecord } from './records/TranscribeRecord.js';
import type { RecognitionResult, RecognitionStream, SpeechEngine } from './transcribe/SpeechEngineTypes.js';

/** Where a pipeline's records go: the Kinesis Data Stream sink's counterpart. */
export type RecordSink = (record: object, key: AppendKey) => void;

export type PipelineStatus = 'Initializing' | 'InProgress' | 'Paused' | 'Stopped' | 'Failed';

export interface PipelineOptions {
  readonly call: CallInfo;
  /** null when transcription is switched off: the pipeline then only announces itself. */
  readonly engine: SpeechEngine | null;
  readonly languageCode: string;
  readonly origin: EventOrigin;
  readonly bus: EventBus;
  readonly sink: RecordSink;
  readonly logger: Logger;
}

const TRANSCRIBE_ELEMENT = 'AmazonTranscribeProcessor';

/** One media insights pipeline: a call's channels through speech recognition into records. */
export class Pipeline {
  readonly id = randomUUID();
  readonly arn: string;
  readonly call: CallInfo;
  readonly createdAt = new Date();
  #status: PipelineStatus = 'Initializing';
  #transcribeStatus: ElementStatus;
  readonly #options: PipelineOptions;
  readonly #streams = new Map<number, RecognitionStream>();
  readonly #metadata: Record<string, unknown>;
  #stopping: Promise<void> | null = null;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.call = options.call;
    this.arn = `arn:callsight:chime:${options.origin.region}:${options.origin.account}:media-pipeline/${this.id}`;
    this.#metadata = callMetadata(options.call);
    this.#transcribeStatus = { type: TRANSCRIBE_ELEMENT, status: 'NotStarted', updatedOn: Date.now() };
  }

  get status(): PipelineStatus {
    return this.#status;
  }

  start(): void {
    const { call, engine, sink, logger } = this.#options;
    if (engine) {
      for (const stream of call.streams) {
        const recognition = engine.openStream({
          channel: stream.channel,
          languageCode: this.#options.languageCode,
        });
        recognition.on('result', (result) => this.#onResult(result));
        recognition.on('error', (err) => this.#onEngineError(stream.channel, err));
        this.#streams.set(stream.channel, recognition);
      }
      this.#transcribeStatus = { type: TRANSCRIBE_ELEMENT, status: 'InProgress', updatedOn: Date.now() };
    }
    this.#status = 'InProgress';
    this.#publishState('chime:MediaInsightsInProgress');
    sink(callAnalyticsMetadataRecord(call, this.id, new Date()), {
      type: 'CallAnalyticsMetadata',
      callId: call.callId,
    });
    logger.info({ pipelineId: this.id, channels: this.#streams.size }, 'pipeline started');
  }

  write(frame: PcmFrame): void {
    if (this.#status !== 'InProgress') return;
    this.#streams.get(frame.channel)?.write(frame);
  }

  /** Flushes every channel's open utterance, then reports Stopped. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    await Promise.allSettled([...this.#streams.values()].map((stream) => stream.end()));
    if (this.#status === 'Failed') return;
    this.#status = 'Stopped';
    if (this.#transcribeStatus.status === 'InProgress') {
      this.#transcribeStatus = { type: TRANSCRIBE_ELEMENT, status: 'Stopped', updatedOn: Date.now() };
    }
    this.#publishState('chime:MediaInsightsStopped');
    this.#options.logger.info({ pipelineId: this.id }, 'pipeline stopped');
  }

  #onResult(result: RecognitionResult): void {
    const record = transcribeRecord(result, this.id, this.#metadata, new Date());
    this.#options.sink(record, { type: 'Transcribe', callId: this.call.callId });
  }

  #onEngineError(channel: number, err: Error): void {
    this.#options.logger.error({ err, pipelineId: this.id, channel }, 'speech recognition failed');
    this.#streams.delete(channel);
    if (this.#status === 'Failed' || this.#status === 'Stopped') return;
    this.#status = 'Failed';
    this.#transcribeStatus = {
      type: TRANSCRIBE_ELEMENT,
      status: 'Failed',
      updatedOn: Date.now(),
      statusDetail: err.message,
    };
    this.#publishState('chime:MediaInsightsPermanentFailure', err.message);
  }

  #publishState(eventType: PipelineEventType, failureReason?: string): void {
    const { bus, origin } = this.#options;
    bus.publish(
      stateChangeEvent(
        this.call,
        this.arn,
        eventType,
        [this.#transcribeStatus],
        origin,
        new Date(),
        failureReason,
      ),
    );
  }

  toJSON() {
    return {
      MediaPipelineId: this.id,
      MediaPipelineArn: this.arn,
      Status: this.#status,
      CreatedTimestamp: this.createdAt.toISOString(),
      CallId: this.call.callId,
      ElementStatuses: [{ Type: this.#transcribeStatus.type, Status: this.#transcribeStatus.status }],
    };
  }
}
