import { randomUUID } from 'node:crypto';
import type { CallInfo } from '../connector/CallTypes.js';
import { asError, CallsightError } from '../platform/errors.js';
import type { EventEnvelope, EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import type {
  ChannelDefinition,
  ElementStatus,
  ElementStatusValue,
  PipelineContext,
  PipelineProcessor,
  PipelineRecordSink,
  PipelineStatus,
  SharedUtterance,
  VoiceToneTaskControl,
} from './PipelineTypes.js';
import { pipelineArn, pipelineDocument, type PipelineDocument } from './PipelineDocument.js';
import { pipelineAlertEvent } from './records/PipelineAlert.js';
import { callMetadata } from './records/PipelineRecord.js';
import { stateChangeEvent, type PipelineEventType } from './records/StateChange.js';

/** Builds a pipeline's processors and sinks once its context exists. */
export interface PipelineParts {
  readonly processors: readonly PipelineProcessor[];
  readonly sinks: readonly PipelineRecordSink[];
}

export interface PipelineOptions {
  readonly call: CallInfo;
  readonly configurationName: string;
  readonly configurationArn: string;
  readonly channels: readonly ChannelDefinition[];
  /** MediaInsightsRuntimeMetadata: copied into every record's metadata and every state event. */
  readonly runtimeMetadata: Readonly<Record<string, string>>;
  readonly origin: EventOrigin;
  readonly publish: (event: EventEnvelope) => void;
  readonly logger: Logger;
  /**
   * Creates the elements; `fail(processor, error)` is how a processor reports it broke, and
   * `recovered(processor, reason)` that part of it failed and it carries on (a speech engine fell
   * back to another).
   */
  readonly build: (
    context: PipelineContext,
    fail: (processor: PipelineProcessor, error: Error) => void,
    recovered: (processor: PipelineProcessor, reason: string) => void,
  ) => PipelineParts;
  /** The pipeline's id when it was fixed beforehand (a pipeline job resumed by another worker). Default: a new UUID. */
  readonly id?: string;
  /** When the pipeline was created, if before this object (a resumed job). Default: now. */
  readonly createdAt?: Date;
  /** Called after every state change is published (InProgress, Paused, Stopped, Failed). */
  readonly stateChanged?: (pipeline: Pipeline) => void;
}

interface ProcessorState {
  readonly processor: PipelineProcessor;
  status: ElementStatusValue;
  updatedOn: number;
  statusDetail?: string;
}

/**
 * One media insights pipeline: a call's audio through the processors of a configuration, their
 * records to the configuration's sinks, and Chime's lifecycle (InProgress ⇄ Paused → Stopped, or
 * Failed) announced as "Media Insights State Change" events. A processor that fails is marked
 * Failed and raises an alert; the pipeline carries on with the others, and the process with the
 * other calls.
 */
export class Pipeline {
  readonly id: string;
  readonly arn: string;
  readonly call: CallInfo;
  readonly configurationName: string;
  readonly configurationArn: string;
  channels: readonly ChannelDefinition[];
  readonly runtimeMetadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  updatedAt = new Date();
  readonly #options: PipelineOptions;
  readonly #logger: Logger;
  #processors: ProcessorState[];
  #sinks: readonly PipelineRecordSink[];
  /**
   * What a finished (stopped, failed for good, or released) pipeline keeps of its elements: their last
   * statuses. The processors and sinks themselves, with their audio buffers, are let go, since up to a
   * thousand finished pipelines stay listed.
   */
  #finishedElements: readonly ElementStatus[] | null = null;
  readonly #channelOf = new Map<number, number>();
  #status: PipelineStatus = 'Initializing';
  #transition: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | null = null;
  /** Released to another worker: nothing more is emitted or published. */
  #released = false;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.id = options.id ?? randomUUID();
    this.createdAt = options.createdAt ?? new Date();
    this.call = options.call;
    this.configurationName = options.configurationName;
    this.configurationArn = options.configurationArn;
    this.channels = options.channels;
    this.runtimeMetadata = options.runtimeMetadata;
    this.arn = pipelineArn(options.origin, this.id);
    this.#logger = options.logger.child({ pipelineId: this.id, configuration: options.configurationName });
    for (const channel of options.channels) this.#channelOf.set(channel.streamChannel, channel.channelId);
    const metadata = callMetadata(options.call, options.runtimeMetadata);
    const utteranceListeners: ((utterance: SharedUtterance) => void)[] = [];
    const context: PipelineContext = {
      pipelineId: this.id,
      pipelineArn: this.arn,
      call: options.call,
      channels: options.channels,
      metadata,
      logger: this.#logger,
      emit: (record, key) => this.#deliver(record, key),
      publish: (event) => {
        if (!this.#released) options.publish(event);
      },
      shareUtterance: (utterance) => {
        for (const listener of utteranceListeners) {
          try {
            listener(utterance);
          } catch (err) {
            this.#logger.error({ err }, 'utterance listener failed');
          }
        }
      },
      onUtterance: (listener) => void utteranceListeners.push(listener),
    };
    const parts = options.build(
      context,
      (processor, error) => this.#processorFailed(processor, error),
      (processor, reason) => this.#processorRecovered(processor, reason),
    );
    this.#processors = parts.processors.map((processor) => ({
      processor,
      status: 'NotStarted',
      updatedOn: Date.now(),
    }));
    this.#sinks = parts.sinks;
  }

  get status(): PipelineStatus {
    return this.#status;
  }

  get active(): boolean {
    return this.#status === 'InProgress' || this.#status === 'Paused' || this.#status === 'Initializing';
  }

  elementStatuses(): ElementStatus[] {
    if (this.#finishedElements) return [...this.#finishedElements];
    return this.#processors.map((p) => ({
      type: p.processor.type,
      status: p.status,
      updatedOn: p.updatedOn,
      ...(p.statusDetail ? { statusDetail: p.statusDetail } : {}),
    }));
  }

  start(): void {
    if (this.#status !== 'Initializing') return;
    for (const state of this.#processors) {
      try {
        state.processor.start();
        this.#setStatus(state, 'InProgress');
      } catch (err) {
        this.#markFailed(state, asError(err));
      }
    }
    this.#settle('chime:MediaInsightsInProgress');
    this.#logger.info({ processors: this.#processors.map((p) => p.processor.type) }, 'pipeline started');
  }

  /** A stream added mid-call (SIPREC re-INVITE) becomes a channel; processors open it on its first audio. */
  addChannel(channel: ChannelDefinition): void {
    if (this.#channelOf.has(channel.streamChannel)) return;
    if ([...this.#channelOf.values()].includes(channel.channelId)) return;
    this.#channelOf.set(channel.streamChannel, channel.channelId);
    this.channels = [...this.channels, channel];
  }

  /** Audio of one of the call's streams; dropped while paused or for streams not in the channel definitions. */
  write(frame: PcmFrame): void {
    if (this.#status !== 'InProgress') return;
    const channelId = this.#channelOf.get(frame.channel);
    if (channelId === undefined) return;
    const mapped = channelId === frame.channel ? frame : { ...frame, channel: channelId };
    for (const state of this.#processors) {
      if (state.status === 'InProgress') state.processor.write(mapped);
    }
  }

  /** UpdateMediaInsightsPipelineStatus Pause: no audio reaches the processors until resume. */
  pause(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#status !== 'InProgress') throw this.#conflict('pause');
      this.#status = 'Paused';
      await Promise.all(
        this.#processors
          .filter((s) => s.status === 'InProgress')
          .map(async (state) => {
            await state.processor.pause();
            this.#setStatus(state, 'Paused');
          }),
      );
      this.#publishState('chime:MediaInsightsPaused');
    });
  }

  /** UpdateMediaInsightsPipelineStatus Resume; timestamps stay relative to the call's start. */
  resume(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#status !== 'Paused') throw this.#conflict('resume');
      for (const state of this.#processors) {
        if (state.status !== 'Paused') continue;
        state.processor.resume();
        this.#setStatus(state, 'InProgress');
      }
      this.#status = 'InProgress';
      this.#publishState('chime:MediaInsightsInProgress');
    });
  }

  /** Flushes every processor and sink, then reports Stopped (or Failed). Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#serialize(() => this.#stop());
    return this.#stopping;
  }

  /**
   * Lets go of the pipeline without finishing it, because another worker carries it on (its job was
   * taken over, or this worker is shutting down): no state change is announced, and each processor
   * releases what it holds without producing end-of-call results (`abort`, or a muted `stop`).
   * With `flush` (a handover while this worker is healthy), the processors first finish what is in
   * flight as a pause does, so the utterances open now get their finals; without it (the job was
   * lost), nothing more is emitted at all. Idempotent; stop() afterwards does nothing more.
   */
  release(options: { readonly flush?: boolean } = {}): Promise<void> {
    if (!options.flush) this.#released = true;
    this.#stopping ??= this.#serialize(async () => {
      if (options.flush && this.#status === 'InProgress') {
        await Promise.allSettled(
          this.#processors.filter((s) => s.status === 'InProgress').map((s) => s.processor.pause()),
        );
      }
      this.#released = true;
      await Promise.allSettled(
        this.#processors.map(async (state) => {
          if (state.status === 'Failed' || state.status === 'NotStarted') return;
          await (state.processor.abort ? state.processor.abort() : state.processor.stop());
        }),
      );
      await Promise.allSettled(this.#sinks.map((sink) => sink.close()));
      this.#letGo();
      this.#logger.info({ flushed: options.flush === true }, 'pipeline released to another worker');
    });
    return this.#stopping;
  }

  get released(): boolean {
    return this.#released;
  }

  async #stop(): Promise<void> {
    this.#status = 'Stopping';
    await Promise.all(
      this.#processors.map(async (state) => {
        if (state.status === 'Failed' || state.status === 'NotStarted') return;
        try {
          await state.processor.stop();
          this.#setStatus(state, 'Stopped');
        } catch (err) {
          this.#markFailed(state, asError(err));
        }
      }),
    );
    await Promise.allSettled(this.#sinks.map((sink) => sink.close()));
    const failed = this.#processors.some((s) => s.status === 'Failed');
    this.#status = failed ? 'Failed' : 'Stopped';
    this.#publishState(
      failed ? 'chime:MediaInsightsPermanentFailure' : 'chime:MediaInsightsStopped',
      this.#failureReason(),
    );
    this.#letGo();
    this.#logger.info({ status: this.#status }, 'pipeline stopped');
  }

  /** Keeps only the description of the elements; late callbacks from a processor find nothing to change. */
  #letGo(): void {
    this.#finishedElements = this.elementStatuses();
    this.#processors = [];
    this.#sinks = [];
  }

  #deliver(record: object, key: AppendKey): void {
    if (this.#released) return;
    for (const sink of this.#sinks) {
      try {
        sink.deliver(record, key);
      } catch (err) {
        this.#logger.error({ err, sink: sink.type }, 'pipeline sink failed');
      }
    }
  }

  #processorFailed(processor: PipelineProcessor, error: Error): void {
    const state = this.#processors.find((s) => s.processor === processor);
    if (!state || state.status === 'Failed' || state.status === 'Stopped') return;
    this.#markFailed(state, error);
    // A stop or pause in progress publishes the statuses itself when it finishes.
    if (this.#status !== 'InProgress') return;
    this.#settle('chime:MediaInsightsInProgress');
  }

  /**
   * Chime's temporary failure: the element is TemporarilyFailed in a "TemporaryFailure" state change
   * with the reason, then InProgress again in the next one, as it carries on.
   */
  #processorRecovered(processor: PipelineProcessor, reason: string): void {
    const state = this.#processors.find((s) => s.processor === processor);
    this.#logger.warn({ element: processor.type, reason }, 'pipeline element failed over');
    if (!state || this.#released) return;
    if (state.status !== 'InProgress' && state.status !== 'Paused') return;
    const status = state.status;
    this.#setStatus(state, 'TemporarilyFailed', reason);
    this.#publishState('chime:MediaInsightsTemporaryFailure', `${processor.type}: ${reason}`);
    this.#setStatus(state, status);
    // While stopping or pausing, the state change that ends the transition follows by itself.
    if (this.#status === 'InProgress') this.#publishState('chime:MediaInsightsInProgress');
  }

  #markFailed(state: ProcessorState, error: Error): void {
    this.#setStatus(state, 'Failed', error.message);
    this.#logger.error({ err: error, element: state.processor.type }, 'pipeline element failed');
    if (this.#released) return;
    const { call, origin, publish } = this.#options;
    publish(
      pipelineAlertEvent(
        {
          call,
          pipelineArn: this.arn,
          elementType: state.processor.type,
          reason: error.message,
          severity: 'critical',
        },
        origin,
        new Date(),
      ),
    );
  }

  /**
   * Chime's aggregation (developer guide, "Call analytics statuses"): any element InProgress keeps
   * the pipeline InProgress; when every element has failed or stopped, a failure makes it Failed.
   */
  #settle(whileRunning: PipelineEventType): void {
    const running = this.#processors.some((s) => s.status === 'InProgress');
    const failed = this.#processors.some((s) => s.status === 'Failed');
    if (running || !failed) {
      this.#status = 'InProgress';
      this.#publishState(whileRunning);
      return;
    }
    this.#status = 'Failed';
    this.#publishState('chime:MediaInsightsPermanentFailure', this.#failureReason());
  }

  #failureReason(): string | undefined {
    const failed = this.#processors.filter((s) => s.status === 'Failed');
    return failed.length === 0
      ? undefined
      : failed.map((s) => `${s.processor.type}: ${s.statusDetail}`).join('; ');
  }

  #setStatus(state: ProcessorState, status: ElementStatusValue, detail?: string): void {
    state.status = status;
    state.updatedOn = Date.now();
    if (detail === undefined) delete state.statusDetail;
    else state.statusDetail = detail;
    this.updatedAt = new Date();
  }

  #publishState(eventType: PipelineEventType, failureReason?: string): void {
    if (this.#released) return;
    const { call, origin, publish } = this.#options;
    publish(
      stateChangeEvent(
        {
          call,
          pipelineArn: this.arn,
          eventType,
          elements: this.elementStatuses(),
          runtimeMetadata: this.runtimeMetadata,
          ...(failureReason ? { failureReason } : {}),
        },
        origin,
        new Date(),
      ),
    );
    this.updatedAt = new Date();
    this.#options.stateChanged?.(this);
  }

  /** Lifecycle operations run one at a time, so a pause racing a stop sees a consistent state. */
  #serialize(operation: () => Promise<void>): Promise<void> {
    const next = this.#transition.then(operation);
    this.#transition = next.catch(() => undefined);
    return next;
  }

  #conflict(operation: string): CallsightError {
    return new CallsightError(
      'CS_ERR_PIPELINE_STATE',
      `cannot ${operation} pipeline ${this.id}: it is ${this.#status}`,
    );
  }

  /** GetMediaPipeline's MediaInsightsPipeline, in Chime's names. */
  /** The voice tone analysis task of the pipeline's VoiceAnalyticsProcessor, or null without one. */
  get voiceToneTask(): VoiceToneTaskControl | null {
    return this.#processors.find((s) => s.processor.voiceToneTask)?.processor.voiceToneTask ?? null;
  }

  toJSON(): PipelineDocument {
    return pipelineDocument({
      id: this.id,
      arn: this.arn,
      configurationArn: this.configurationArn,
      configurationName: this.configurationName,
      status: this.#status,
      call: this.call,
      channels: this.channels,
      runtimeMetadata: this.runtimeMetadata,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      elements: this.elementStatuses().map(({ type, status }) => ({ type, status })),
    });
  }
}
