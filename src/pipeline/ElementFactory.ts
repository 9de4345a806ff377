import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import { WEBHOOK_DEFAULTS, WebhookDelivery } from '../events/Webhook.js';
import { PIPELINE_SAMPLE_RATE } from '../media/MediaTypes.js';
import type { PipelineBlueprint } from './PipelineManager.js';
import type { PipelineContext, PipelineProcessor, PipelineRecordSink } from './PipelineTypes.js';
import { RecordingProcessor } from './processors/RecordingProcessor.js';
import type { CallAnalyticsCategory } from '../analytics/CategoryTypes.js';
import type { AnalyticsPool } from '../analytics/worker/AnalyticsPool.js';
import type {
  AmazonTranscribeCallAnalyticsProcessorConfiguration,
  ContentRedactionOutput,
  RealTimeAlertConfiguration,
} from '../configurations/ConfigurationTypes.js';
import { CallAnalyticsProcessor } from './processors/CallAnalyticsProcessor.js';
import { TranscribeProcessor } from './processors/TranscribeProcessor.js';
import { VoiceToneProcessor } from './processors/VoiceToneProcessor.js';
import type { PostCallStore } from './records/PostCall.js';
import type { RecordingStorage } from '../recording/RecordingStoreTypes.js';
import { StreamSink } from './sinks/StreamSink.js';
import { WebhookSink } from './sinks/WebhookSink.js';
import type { SpeechEngines } from '../transcribe/SpeechEngines.js';
import type { CustomVocabulary, VocabularyFilterList } from '../transcribe/SpeechEngineTypes.js';
import { recognitionChoice } from './processors/RecognitionSettings.js';
import { RedactedSpans } from './processors/RedactedSpans.js';
import type { VoiceToneEngine } from '../analytics/voice/VoiceToneEngine.js';

/** The parts of a stored Chime configuration the factory reads (validated when it was stored). */
export interface ConfigurationElements {
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly MediaInsightsPipelineConfigurationArn: string;
  readonly Elements: readonly ({ readonly Type: string } & Readonly<Record<string, unknown>>)[];
  readonly RealTimeAlertConfiguration?: RealTimeAlertConfiguration;
}

export interface ElementFactoryDeps {
  /** null when speech recognition is switched off: Transcribe elements are then left out. */
  readonly engines: SpeechEngines | null;
  /** Appends to the data stream; may return the append's promise (the stream sink waits for it when closing). */
  readonly append: (record: object, key: AppendKey) => unknown;
  /** Where a webhook's undeliverable payload goes (the data stream, as a dead-letter record). */
  readonly deadLetter: (input: {
    url: string;
    owner: string;
    error: string;
    attempts: number;
    payload: unknown;
    callId: string | null;
  }) => void;
  readonly logger: Logger;
  /** account and region of the events processors publish. */
  readonly origin: EventOrigin;
  /** Where S3RecordingSink recordings go; absent: S3RecordingSink elements are left out. */
  readonly recordings?: RecordingDeps;
  /** The call analytics models and where their results go; absent: call analytics elements are left out. */
  readonly analytics?: AnalyticsDeps;
  /**
   * The voice tone analysis workers; absent: a VoiceAnalyticsProcessor only answers speaker search
   * (with its "not available" event).
   */
  readonly voiceTone?: VoiceToneEngine;
  /** A custom vocabulary by name (/api/vocabularies); absent or undefined: none of that name. */
  readonly vocabulary?: (name: string) => CustomVocabulary | undefined;
  /** A vocabulary filter by name (/api/vocabulary-filters); absent or undefined: none of that name. */
  readonly vocabularyFilter?: (name: string) => VocabularyFilterList | undefined;
}

export interface AnalyticsDeps {
  readonly pool: AnalyticsPool;
  readonly postCall: PostCallStore;
  /** Category definitions (config file `categories:`); the configuration's CallAnalyticsStreamCategories picks among them. */
  readonly categories: readonly CallAnalyticsCategory[];
}

export interface RecordingDeps {
  readonly storage: RecordingStorage;
  /** The browser-openable URL of a recording (the Recording record's `s3MediaObjectConsoleUrl`). */
  readonly urlFor: (callId: string, pipelineId: string, redacted?: boolean) => string;
}

const WEBHOOK_SINKS = new Set(['LambdaFunctionSink', 'SqsQueueSink', 'SnsTopicSink']);

function settings(
  element: Readonly<Record<string, unknown>>,
  type: string,
): Readonly<Record<string, unknown>> {
  return (element[`${type}Configuration`] as Readonly<Record<string, unknown>> | undefined) ?? {};
}

/** What one element builder gets: the element's own settings, the call's context, and how to fail. */
interface ElementInput {
  readonly type: string;
  /** The element itself, as in the configuration (identity tells the redacting element apart). */
  readonly element: object;
  readonly config: Readonly<Record<string, unknown>>;
  readonly configuration: ConfigurationElements;
  readonly context: PipelineContext;
  readonly deps: ElementFactoryDeps;
  /** Registers the processor; the callbacks are how it reports that it broke, or failed over. */
  readonly add: <P extends PipelineProcessor>(
    create: (fail: (error: Error) => void, recovered: (reason: string) => void) => P,
  ) => void;
  readonly addSink: (sink: PipelineRecordSink) => void;
  /**
   * The redacted entities' times, from the redacting processor to the recording (when the
   * configuration has both); only the element named by `redacting` feeds it.
   */
  readonly redaction?: { readonly spans: RedactedSpans; readonly element: object };
}

type ElementBuilder = (input: ElementInput) => void;

/** The spans this element feeds: those of the pipeline when it is the redacting element. */
function spansFedBy(input: ElementInput): { redactedSpans?: RedactedSpans } {
  return input.redaction && input.redaction.element === input.element
    ? { redactedSpans: input.redaction.spans }
    : {};
}

const transcribe: ElementBuilder = (input) => {
  const { config, configuration, context, deps, add } = input;
  const engines = deps.engines;
  if (!engines) return;
  add(
    (fail, recovered) =>
      new TranscribeProcessor(
        {
          recognition: recognitionChoice(engines, config, deps, context.logger),
          filterPartialResults: config.FilterPartialResults === true,
          ...(configuration.RealTimeAlertConfiguration
            ? { alerts: configuration.RealTimeAlertConfiguration }
            : {}),
          origin: deps.origin,
          ...spansFedBy(input),
        },
        context,
        fail,
        recovered,
      ),
  );
};

const callAnalytics: ElementBuilder = (input) => {
  const { config, configuration, context, deps, add } = input;
  const engines = deps.engines;
  const analytics = deps.analytics;
  if (!engines || !analytics) return;
  const tca = config as AmazonTranscribeCallAnalyticsProcessorConfiguration;
  add(
    (fail, recovered) =>
      new CallAnalyticsProcessor(
        {
          recognition: recognitionChoice(engines, config, deps, context.logger),
          analytics: analytics.pool,
          filterPartialResults: tca.FilterPartialResults === true,
          analyzer: {
            ...(tca.ContentIdentificationType
              ? { contentIdentificationType: tca.ContentIdentificationType }
              : {}),
            ...(tca.ContentRedactionType ? { contentRedactionType: tca.ContentRedactionType } : {}),
            ...(tca.PiiEntityTypes ? { piiEntityTypes: tca.PiiEntityTypes } : {}),
          },
          categories: analytics.categories,
          ...(tca.CallAnalyticsStreamCategories
            ? { streamCategories: tca.CallAnalyticsStreamCategories }
            : {}),
          alerts: configuration.RealTimeAlertConfiguration,
          postCall: analytics.postCall,
          origin: deps.origin,
          ...spansFedBy(input),
        },
        context,
        fail,
        recovered,
      ),
  );
};

const recording: ElementBuilder = ({ context, deps, add, redaction }) => {
  const recordings = deps.recordings;
  if (!recordings) return;
  // RecordingFileFormat Opus was accepted with a warning (ConfigurationPlan.ts): WAV either way.
  add(
    (fail) =>
      new RecordingProcessor(
        {
          ...recordings,
          sampleRate: PIPELINE_SAMPLE_RATE,
          ...(redaction ? { redaction: redaction.spans } : {}),
        },
        context,
        fail,
      ),
  );
};

const dataStream: ElementBuilder = ({ deps, addSink }) => addSink(new StreamSink(deps.append));

const webhook: ElementBuilder = ({ type, config, context, deps, addSink }) => {
  const url = typeof config.InsightsTarget === 'string' ? config.InsightsTarget : '';
  if (!/^https?:\/\//.test(url)) return;
  const owner = `${context.pipelineArn} ${type}`;
  addSink(
    new WebhookSink(
      type,
      new WebhookDelivery({
        url,
        ...WEBHOOK_DEFAULTS,
        logger: context.logger,
        deadLetter: (payload, error, attempts) =>
          deps.deadLetter({ url, owner, error, attempts, payload, callId: context.call.callId }),
      }),
    ),
  );
};

/**
 * The element that redacts PII (a Transcribe processor with `ContentRedactionType`) when the
 * configuration also records, with its `ContentRedactionOutput` (call analytics:
 * `PostCallAnalyticsSettings.ContentRedactionOutput`; default, and always for the plain Transcribe
 * processor, which has no such setting: `redacted`).
 */
function redactingElement(
  configuration: ConfigurationElements,
  deps: ElementFactoryDeps,
): { element: object; output: ContentRedactionOutput } | null {
  if (!deps.recordings || !configuration.Elements.some((e) => e.Type === 'S3RecordingSink')) return null;
  for (const element of configuration.Elements) {
    if (!TRANSCRIBE_ELEMENTS.has(element.Type)) continue;
    const config = settings(element, element.Type) as AmazonTranscribeCallAnalyticsProcessorConfiguration;
    if (config.ContentRedactionType === undefined) continue;
    return { element, output: config.PostCallAnalyticsSettings?.ContentRedactionOutput ?? 'redacted' };
  }
  return null;
}

const TRANSCRIBE_ELEMENTS = new Set(['AmazonTranscribeProcessor', 'AmazonTranscribeCallAnalyticsProcessor']);

const voiceAnalytics: ElementBuilder = ({ config, configuration, context, deps, add }) => {
  const voiceTone = config.VoiceToneAnalysisStatus === 'Enabled' && deps.voiceTone !== undefined;
  const speakerSearch = config.SpeakerSearchStatus === 'Enabled';
  if (!voiceTone && !speakerSearch) return;
  // With speech recognition in the pipeline, final utterances (and their sentiment) are shared.
  const expectUtterances =
    deps.engines !== null && configuration.Elements.some((e) => TRANSCRIBE_ELEMENTS.has(e.Type));
  add(
    (fail) =>
      new VoiceToneProcessor(
        {
          features: voiceTone ? (deps.voiceTone ?? null) : null,
          voiceTone,
          speakerSearch,
          origin: deps.origin,
          expectUtterances,
        },
        context,
        fail,
      ),
  );
};

/** The elements Callsight honours, by Chime element type. */
const BUILDERS: Readonly<Record<string, ElementBuilder>> = {
  AmazonTranscribeProcessor: transcribe,
  AmazonTranscribeCallAnalyticsProcessor: callAnalytics,
  VoiceAnalyticsProcessor: voiceAnalytics,
  S3RecordingSink: recording,
  KinesisDataStreamSink: dataStream,
  ...Object.fromEntries([...WEBHOOK_SINKS].map((type) => [type, webhook])),
};

/**
 * Turns a configuration into a blueprint: for each call, one Callsight processor or sink per Chime
 * element it honours. Elements it does not honour were refused, or accepted with a warning, when
 * the configuration was stored (src/configurations), so they are skipped here.
 */
export function blueprintFor(
  configuration: ConfigurationElements,
  deps: ElementFactoryDeps,
): PipelineBlueprint {
  return {
    configurationName: configuration.MediaInsightsPipelineConfigurationName,
    configurationArn: configuration.MediaInsightsPipelineConfigurationArn,
    build: (context: PipelineContext, fail, recovered) => {
      const processors: PipelineProcessor[] = [];
      const sinks: PipelineRecordSink[] = [];
      const redacting = redactingElement(configuration, deps);
      const redaction = redacting
        ? { spans: new RedactedSpans(redacting.output), element: redacting.element }
        : undefined;
      let redactorBuilt = false;
      for (const element of configuration.Elements) {
        BUILDERS[element.Type]?.({
          type: element.Type,
          element,
          config: settings(element, element.Type),
          configuration,
          context,
          deps,
          add: (create) => {
            const processor: PipelineProcessor = create(
              (error) => fail(processor, error),
              (reason) => recovered(processor, reason),
            );
            processors.push(processor);
            if (element === redaction?.element) redactorBuilt = true;
          },
          addSink: (sink) => sinks.push(sink),
          ...(redaction ? { redaction } : {}),
        });
      }
      // Recognition is switched off here: nothing will say what to silence, so the recording cannot
      // be redacted (RecordingProcessor then keeps no redacted-only copy it cannot vouch for).
      if (redaction && !redactorBuilt) redaction.spans.fail();
      return { processors, sinks };
    },
  };
}
