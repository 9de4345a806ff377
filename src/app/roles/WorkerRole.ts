import type { AnyMetric } from '../../platform/metrics.js';
import { FINAL_LATENCY, PARTIAL_LATENCY, UTTERANCES } from '../../pipeline/processors/RecognitionChannels.js';
import type { Config } from '../config/Config.js';
import { deadLetterEvent } from '../../events/DeadLetter.js';
import type { EventEnvelope, EventOrigin } from '../../events/EventEnvelope.js';
import type { Logger } from '../../platform/logger.js';
import { AnalyticsPool } from '../../analytics/worker/AnalyticsPool.js';
import type { ConfigurationStore } from '../../configurations/ConfigurationStoreTypes.js';
import {
  blueprintFor,
  type ConfigurationElements,
  type ElementFactoryDeps,
} from '../../pipeline/ElementFactory.js';
import type { Pipeline } from '../../pipeline/Pipeline.js';
import { PipelineManager, type PipelineBlueprint } from '../../pipeline/PipelineManager.js';
import type { PostCallStore } from '../../pipeline/records/PostCall.js';
import { RecordingStore } from '../../recording/RecordingStore.js';
import type { SpeechEngines } from '../../transcribe/SpeechEngines.js';
import { startSpeechEngines } from '../speechEngines.js';
import { VoiceToneEngine } from '../../analytics/voice/VoiceToneEngine.js';
import type { AppendKey } from '../../stream/StreamTypes.js';
import { recordingStoreOptions, recordingUrl } from '../recordings.js';
import type { CustomVocabulary, VocabularyFilterList } from '../../transcribe/SpeechEngineTypes.js';

export interface WorkerRoleOptions {
  readonly config: Config;
  readonly dataDir: string;
  readonly origin: EventOrigin;
  readonly logger: Logger;
  readonly configurations: ConfigurationStore;
  readonly postCall: PostCallStore;
  /** Appends a pipeline record to the data stream (logs its own failures); may return its promise. */
  readonly append: (record: object, key: AppendKey) => Promise<unknown> | void;
  /** Publishes a pipeline's events (state changes, alerts) on the event bus. */
  readonly publish: (event: EventEnvelope) => void;
  /** `http://host:port` of a gateway, for recording links; read when a recording finishes. */
  readonly recordingBaseUrl: () => string;
  /** Called after each pipeline's every state change. */
  readonly stateChanged?: (pipeline: Pipeline) => void;
  /** Custom vocabularies by name (the process's word lists). */
  readonly vocabulary?: (name: string) => CustomVocabulary | undefined;
  /** Vocabulary filters by name (likewise). */
  readonly vocabularyFilter?: (name: string) => VocabularyFilterList | undefined;
}

/**
 * The `worker` role's engines and pipelines: speech recognition and voice tone analysis in worker
 * threads, the call analytics models, recordings, and the PipelineManager that runs each call's
 * pipelines. Where pipelines come from (the rules in one process, jobs from JetStream when scaled
 * out) and where their audio comes from is the host's wiring.
 */
export class WorkerRole {
  /** null when speech recognition is off. */
  readonly engines: SpeechEngines | null;
  readonly analyticsPool: AnalyticsPool;
  readonly voiceTone: VoiceToneEngine;
  readonly recordings: RecordingStore;
  readonly pipelines: PipelineManager;
  readonly #elementDeps: ElementFactoryDeps;

  private constructor(parts: {
    engines: SpeechEngines | null;
    analyticsPool: AnalyticsPool;
    voiceTone: VoiceToneEngine;
    recordings: RecordingStore;
    pipelines: PipelineManager;
    elementDeps: ElementFactoryDeps;
  }) {
    this.engines = parts.engines;
    this.analyticsPool = parts.analyticsPool;
    this.voiceTone = parts.voiceTone;
    this.recordings = parts.recordings;
    this.pipelines = parts.pipelines;
    this.#elementDeps = parts.elementDeps;
  }

  static async start(options: WorkerRoleOptions): Promise<WorkerRole> {
    const { config, dataDir, origin, logger, append } = options;
    const engines = await startSpeechEngines(config, logger.child({ stage: 'asr' }));
    const deadLetter: ElementFactoryDeps['deadLetter'] = (input) => {
      const record = deadLetterEvent(input, origin, new Date());
      void append(record, { type: record['detail-type'], callId: input.callId });
    };
    // Repairs what a crash left before any call records.
    const recordings = await RecordingStore.open(
      recordingStoreOptions(config, dataDir, logger.child({ stage: 'recording' })),
    );
    const analyticsPool = new AnalyticsPool(config.analytics.workers, logger.child({ stage: 'analytics' }));
    await analyticsPool.ready();
    // Voice tone analysis (VoiceAnalyticsProcessor): two worker threads shared by all calls.
    const voiceTone = new VoiceToneEngine({ logger: logger.child({ stage: 'voice-tone' }) });
    await voiceTone.ready();
    const elementDeps: ElementFactoryDeps = {
      engines,
      append,
      deadLetter,
      logger: logger.child({ stage: 'pipeline' }),
      origin,
      recordings: {
        storage: recordings,
        urlFor: (callId, pipelineId, redacted) =>
          recordingUrl(options.recordingBaseUrl(), callId, pipelineId, redacted),
      },
      analytics: { pool: analyticsPool, postCall: options.postCall, categories: config.categories },
      voiceTone,
      ...(options.vocabulary ? { vocabulary: options.vocabulary } : {}),
      ...(options.vocabularyFilter ? { vocabularyFilter: options.vocabularyFilter } : {}),
    };
    const pipelines = new PipelineManager({
      resolve: async (identifier) => blueprintFor(await options.configurations.get(identifier), elementDeps),
      origin,
      publish: options.publish,
      logger: logger.child({ stage: 'pipeline' }),
      ...(options.stateChanged ? { stateChanged: options.stateChanged } : {}),
    });
    return new WorkerRole({ engines, analyticsPool, voiceTone, recordings, pipelines, elementDeps });
  }

  /** A configuration document made ready to instantiate here (a pipeline job carries the document). */
  blueprint(configuration: ConfigurationElements): PipelineBlueprint {
    return blueprintFor(configuration, this.#elementDeps);
  }

  /** Stops every pipeline (each flushes its last records) and finishes the recordings. */
  /** Its pipelines', speech engines' and recognition results' numbers for /metrics. */
  metrics(): AnyMetric[] {
    return [
      ...this.pipelines.metrics(),
      ...(this.engines?.metrics() ?? []),
      UTTERANCES,
      PARTIAL_LATENCY,
      FINAL_LATENCY,
    ];
  }

  async closePipelines(): Promise<void> {
    await this.pipelines.close();
    await this.recordings.close();
  }

  /** Stops the worker threads; after closePipelines. */
  async closeEngines(): Promise<void> {
    await this.engines?.close();
    await this.analyticsPool.close();
    await this.voiceTone.close();
  }
}
