import type { Logger } from '../log/logger.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import { WEBHOOK_DEFAULTS, WebhookDelivery } from '../events/Webhook.js';
import { PIPELINE_SAMPLE_RATE } from '../media/MediaTypes.js';
import type { PipelineBlueprint } from './PipelineManager.js';
import type { PipelineContext, PipelineProcessor, PipelineRecordSink } from './PipelineTypes.js';
import { RecordingProcessor } from './processors/RecordingProcessor.js';
import { TranscribeProcessor } from './processors/TranscribeProcessor.js';
import type { RecordingStorage } from './recording/RecordingStoreTypes.js';
import { StreamSink } from './sinks/StreamSink.js';
import { WebhookSink } from './sinks/WebhookSink.js';
import type { SpeechEngine } from './transcribe/SpeechEngineTypes.js';

/** The parts of a stored Chime configuration the factory reads (validated when it was stored). */
export interface ConfigurationElements {
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly MediaInsightsPipelineConfigurationArn: string;
  readonly Elements: readonly ({ readonly Type: string } & Readonly<Record<string, unknown>>)[];
}

export interface ElementFactoryDeps {
  /** null when speech recognition is switched off: Transcribe elements are then left out. */
  readonly engine: SpeechEngine | null;
  readonly append: (record: object, key: AppendKey) => void;
  /** Where a webhook's undeliverable payload goes (the data stream, as a dead-letter record). */
  readonly deadLetter: (input: { url: string; owner: string; error: string; attempts: number; payload: unknown; callId: string | null }) => void;
  readonly logger: Logger;
  /** Where S3RecordingSink recordings go; absent: S3RecordingSink elements are left out. */
  readonly recordings?: RecordingDeps;
}

export interface RecordingDeps {
  readonly storage: RecordingStorage;
  /** The browser-openable URL of a recording (the Recording record's `s3MediaObjectConsoleUrl`). */
  readonly urlFor: (callId: string, pipelineId: string) => string;
}

const WEBHOOK_SINKS = new Set(['LambdaFunctionSink', 'SqsQueueSink', 'SnsTopicSink']);

function settings(element: Readonly<Record<string, unknown>>, type: string): Readonly<Record<string, unknown>> {
  return (element[`${type}Configuration`] as Readonly<Record<string, unknown>> | undefined) ?? {};
}

/**
 * Turns a configuration into a blueprint: for each call, one Callsight processor or sink per Chime
 * element it honours. Elements it does not honour were refused, or accepted with a warning, when
 * the configuration was stored (src/pipeline/config), so they are skipped here.
 */
export function blueprintFor(configuration: ConfigurationElements, deps: ElementFactoryDeps): PipelineBlueprint {
  return {
    configurationName: configuration.MediaInsightsPipelineConfigurationName,
    configurationArn: configuration.MediaInsightsPipelineConfigurationArn,
    build: (context: PipelineContext, fail) => {
      const processors: PipelineProcessor[] = [];
      const sinks: PipelineRecordSink[] = [];
      for (const element of configuration.Elements) {
        const config = settings(element, element.Type);
        if (element.Type === 'AmazonTranscribeProcessor' || element.Type === 'AmazonTranscribeCallAnalyticsProcessor') {
          if (!deps.engine) continue;
          const processor: TranscribeProcessor = new TranscribeProcessor(
            {
              engine: deps.engine,
              languageCode: String(config.LanguageCode ?? 'en-US'),
              filterPartialResults: config.FilterPartialResults === true,
            },
            context,
            (error) => fail(processor, error),
          );
          processors.push(processor);
        } else if (element.Type === 'S3RecordingSink') {
          if (!deps.recordings) continue;
          // RecordingFileFormat Opus was accepted with a warning (ElementSupport.ts): WAV either way.
          const processor: RecordingProcessor = new RecordingProcessor(
            { ...deps.recordings, sampleRate: PIPELINE_SAMPLE_RATE },
            context,
            (error) => fail(processor, error),
          );
          processors.push(processor);
        } else if (element.Type === 'KinesisDataStreamSink') {
          sinks.push(new StreamSink(deps.append));
        } else if (WEBHOOK_SINKS.has(element.Type) && /^https?:\/\//.test(String(config.InsightsTarget ?? ''))) {
          const url = String(config.InsightsTarget);
          const owner = `${context.pipelineArn} ${element.Type}`;
          sinks.push(
            new WebhookSink(
              element.Type,
              new WebhookDelivery({
                url,
                ...WEBHOOK_DEFAULTS,
                logger: context.logger,
                deadLetter: (payload, error, attempts) =>
                  deps.deadLetter({ url, owner, error, attempts, payload, callId: context.call.callId }),
              }),
            ),
          );
        }
      }
      return { processors, sinks };
    },
  };
}
