/**
 * What a Chime call analytics configuration means in Callsight: which elements run, which are accepted
 * with a warning, which are refused, and Chime's own rules for combining elements.
 *
 * `planConfiguration` turns a configuration that passed the schema into the processors and sinks a
 * pipeline instantiates, plus warnings (accepted, not or not fully honoured) and errors (refused).
 * `checkCreateRequest` / `checkUpdateRequest` run schema and plan together and report every problem.
 *
 * Chime's rules, from the Amazon Chime SDK Developer Guide (tags used in the comments below):
 * - DG-OUT: "Call analytics processor and output destinations",
 *   https://docs.aws.amazon.com/chime-sdk/latest/dg/call-analytics-processor-and-output-destinations.html
 * - DG-COMBINE: "Combining transcription with recording sinks",
 *   https://docs.aws.amazon.com/chime-sdk/latest/dg/combining-recording-transcription.html
 * - DG-CONSOLE: "Using the Amazon Chime SDK console to create call analytics configurations",
 *   https://docs.aws.amazon.com/chime-sdk/latest/dg/create-config-console.html
 * - DG-EB: "Using Amazon EventBridge notifications", section Real-time alerts,
 *   https://docs.aws.amazon.com/chime-sdk/latest/dg/using-eventbridge-notifications.html
 * - CDK-VAL: the validator of cdk-amazon-chime-resources (the construct library the seed creates its
 *   configuration with), `mediaInsightsPipelineValidator.ts`; used only where the guide is silent.
 * List lengths, TimePeriod 60..1800 and the per-object either/or rules are the service model's and
 * live in ConfigurationSchema.ts.
 */
import {
  collectIssues,
  createRequestSchema,
  finishIssues,
  isHttpUrl,
  plannableElement,
  updateRequestSchema,
  type RawIssue,
} from './ConfigurationSchema.js';
import {
  configurationKeyOf,
  type ConfigurationIssue,
  type CreateMediaInsightsPipelineConfigurationRequest,
  type ElementType,
  type InsightsTargetConfiguration,
  type MediaInsightsPipelineConfigurationElement,
  type RealTimeAlertConfiguration,
  type UpdateMediaInsightsPipelineConfigurationRequest,
} from './ConfigurationTypes.js';
import {
  CALL_ANALYTICS_OPTION_SUPPORT,
  SUPPORTED_LANGUAGE,
  TRANSCRIBE_OPTION_SUPPORT,
} from './SupportTable.js';
import {
  EMBEDDED_ENGINE_NAME,
  EMBEDDED_ONLY,
  ENGINE_FIELD,
  ENGINE_KIND_SUPPORT,
  type EngineKind,
  type EngineKinds,
} from './EngineSupport.js';

export type SpeechRecognitionPlan = {
  readonly kind: 'speech-recognition';
  readonly element: 'AmazonTranscribeProcessor' | 'AmazonTranscribeCallAnalyticsProcessor';
  /** Position in Elements. */
  readonly index: number;
  /** The engine's name (CallsightSpeechEngine, default the embedded one) and kind. */
  readonly engine: string;
  readonly engineKind: EngineKind;
  /** The language asked for (null: identified by the engine). */
  readonly languageCode: string | null;
  /** Drop partial results before the sinks (FilterPartialResults). */
  readonly filterPartialResults: boolean;
  /** The call analytics insights of TCA (sentiment, issues, categories): not available yet. */
  readonly callAnalytics: boolean;
};

export type VoiceAnalyticsPlan = {
  readonly kind: 'voice-analytics';
  readonly element: 'VoiceAnalyticsProcessor';
  /** Position in Elements. */
  readonly index: number;
  /** VoiceToneAnalysisStatus Enabled: VoiceToneAnalysisStatus events (src/analytics/voice). */
  readonly voiceToneAnalysis: boolean;
  /** SpeakerSearchStatus Enabled: answered with one "not available" SpeakerSearchStatus event per call. */
  readonly speakerSearchNotice: boolean;
};

export type ProcessorPlan = SpeechRecognitionPlan | VoiceAnalyticsPlan;

export type SinkPlan =
  | {
      readonly kind: 'data-stream';
      readonly element: 'KinesisDataStreamSink';
      readonly index: number;
      /** The configured Kinesis ARN, kept for reference; Callsight writes to its own stream. */
      readonly insightsTarget: string | null;
    }
  | {
      readonly kind: 'webhook';
      readonly element: 'LambdaFunctionSink' | 'SqsQueueSink' | 'SnsTopicSink';
      readonly index: number;
      /** Every record of the pipeline is POSTed here as JSON. */
      readonly url: string;
    }
  | {
      readonly kind: 'recording';
      readonly element: 'S3RecordingSink';
      readonly index: number;
      /** The configured bucket ARN, kept for reference; Callsight stores where `recording.*` says. */
      readonly destination: string | null;
      /** What is written, whatever RecordingFileFormat asks (Opus is warned about). */
      readonly fileFormat: 'Wav';
    };

export type ConfigurationPlan = {
  readonly processors: readonly ProcessorPlan[];
  readonly sinks: readonly SinkPlan[];
  readonly warnings: readonly ConfigurationIssue[];
  readonly errors: readonly ConfigurationIssue[];
};

/** The parts of a configuration the plan reads (a create or update request, or a stored configuration). */
export type ConfigurationToPlan = {
  readonly ResourceAccessRoleArn?: string;
  readonly RealTimeAlertConfiguration?: RealTimeAlertConfiguration;
  readonly Elements: readonly MediaInsightsPipelineConfigurationElement[];
};

interface PlanAccumulator {
  /** The speech engines a configuration may name. */
  readonly engines: EngineKinds;
  readonly processors: ProcessorPlan[];
  readonly sinks: SinkPlan[];
  readonly warnings: RawIssue[];
  readonly errors: RawIssue[];
}

const TRANSCRIBE_TYPES: readonly ElementType[] = [
  'AmazonTranscribeProcessor',
  'AmazonTranscribeCallAnalyticsProcessor',
];
const NOTIFICATION_SINKS = ['LambdaFunctionSink', 'SqsQueueSink', 'SnsTopicSink'] as const;
const AWS_SERVICE_OF: Readonly<Record<(typeof NOTIFICATION_SINKS)[number], string>> = {
  LambdaFunctionSink: 'invoke AWS Lambda functions',
  SqsQueueSink: 'send to Amazon SQS queues',
  SnsTopicSink: 'publish to Amazon SNS topics',
};

function planTranscribe(
  element: MediaInsightsPipelineConfigurationElement,
  index: number,
  acc: PlanAccumulator,
): void {
  const type = element.Type as 'AmazonTranscribeProcessor' | 'AmazonTranscribeCallAnalyticsProcessor';
  const key = configurationKeyOf(type);
  const config: Readonly<Record<string, unknown>> =
    (type === 'AmazonTranscribeProcessor'
      ? element.AmazonTranscribeProcessorConfiguration
      : element.AmazonTranscribeCallAnalyticsProcessorConfiguration) ?? {};
  const at = (option: string): PropertyKey[] => ['Elements', index, key, option];
  let usable = true;

  const engine = typeof config[ENGINE_FIELD] === 'string' ? config[ENGINE_FIELD] : EMBEDDED_ENGINE_NAME;
  const engineKind = acc.engines.get(engine);
  if (engineKind === undefined) {
    acc.errors.push({
      path: at(ENGINE_FIELD),
      message: `${type}: no speech engine is named ${JSON.stringify(engine)}; declared: ${[...acc.engines.keys()].join(', ')} (config file speechEngines:)`,
    });
    return;
  }
  if (engineKind !== 'pocketsphinx') {
    planOtherEngine(type, config, at, acc, { engine, engineKind, index });
    return;
  }

  const language = config.LanguageCode;
  if (typeof language === 'string' && language !== SUPPORTED_LANGUAGE) {
    usable = false;
    acc.errors.push({
      path: at('LanguageCode'),
      message: `${type}: Callsight ships only the ${SUPPORTED_LANGUAGE} speech model, so ${JSON.stringify(language)} cannot be transcribed; use "${SUPPORTED_LANGUAGE}"`,
    });
  }
  const identifies = config.IdentifyLanguage === true || config.IdentifyMultipleLanguages === true;
  const options =
    typeof config.LanguageOptions === 'string'
      ? config.LanguageOptions.split(',').map((o) => o.trim())
      : null;
  if (identifies && options !== null && !options.includes(SUPPORTED_LANGUAGE)) {
    usable = false;
    acc.errors.push({
      path: at('LanguageOptions'),
      message: `${type}: none of these languages can be transcribed; Callsight ships only the ${SUPPORTED_LANGUAGE} speech model`,
    });
  }

  for (const [option, value] of Object.entries(config)) {
    if (value === undefined || value === false) continue;
    const support =
      (type === 'AmazonTranscribeCallAnalyticsProcessor'
        ? CALL_ANALYTICS_OPTION_SUPPORT[option]
        : undefined) ?? TRANSCRIBE_OPTION_SUPPORT[option];
    if (!support || support.support === 'supported') continue;
    if (option === 'PreferredLanguage' && value === SUPPORTED_LANGUAGE) continue;
    if (
      option === 'LanguageOptions' &&
      identifies &&
      options !== null &&
      !options.includes(SUPPORTED_LANGUAGE)
    )
      continue; // refused above
    if (support.support === 'rejected') {
      usable = false;
      acc.errors.push({ path: at(option), message: `${type}: ${support.reason}` });
    } else {
      acc.warnings.push({ path: at(option), message: `${type}: ignored. ${support.reason}` });
    }
  }

  if (usable) {
    acc.processors.push({
      kind: 'speech-recognition',
      element: type,
      index,
      engine,
      engineKind,
      languageCode: SUPPORTED_LANGUAGE,
      filterPartialResults: config.FilterPartialResults === true,
      callAnalytics: type === 'AmazonTranscribeCallAnalyticsProcessor',
    });
  }
}

/** A Transcribe element on an engine other than the embedded one: that kind's option support. */
function planOtherEngine(
  type: 'AmazonTranscribeProcessor' | 'AmazonTranscribeCallAnalyticsProcessor',
  config: Readonly<Record<string, unknown>>,
  at: (option: string) => PropertyKey[],
  acc: PlanAccumulator,
  chosen: { engine: string; engineKind: Exclude<EngineKind, 'pocketsphinx'>; index: number },
): void {
  const kindSupport = ENGINE_KIND_SUPPORT[chosen.engineKind];
  let usable = true;
  for (const [option, value] of Object.entries(config)) {
    if (value === undefined || value === false || option === ENGINE_FIELD) continue;
    const support =
      kindSupport.options[option] ??
      (type === 'AmazonTranscribeCallAnalyticsProcessor'
        ? CALL_ANALYTICS_OPTION_SUPPORT[option]
        : undefined) ??
      TRANSCRIBE_OPTION_SUPPORT[option];
    if (!support || support.support === 'supported') continue;
    if (support.support === 'rejected') {
      usable = false;
      acc.errors.push({ path: at(option), message: `${type} on ${chosen.engine}: ${support.reason}` });
    } else {
      acc.warnings.push({
        path: at(option),
        message: `${type} on ${chosen.engine}: ignored. ${support.reason}`,
      });
    }
  }
  if (!usable) return;
  const identifies = config.IdentifyLanguage === true || config.IdentifyMultipleLanguages === true;
  acc.processors.push({
    kind: 'speech-recognition',
    element: type,
    index: chosen.index,
    engine: chosen.engine,
    engineKind: chosen.engineKind,
    languageCode: identifies || typeof config.LanguageCode !== 'string' ? null : config.LanguageCode,
    filterPartialResults: config.FilterPartialResults === true,
    callAnalytics: type === 'AmazonTranscribeCallAnalyticsProcessor',
  });
}

/** What Callsight makes of one element (read defensively: it may come from a refused document); no cross-element rule. */
function planElement(
  element: MediaInsightsPipelineConfigurationElement,
  index: number,
  acc: PlanAccumulator,
): void {
  const typePath = ['Elements', index, 'Type'];
  switch (element.Type) {
    case 'AmazonTranscribeProcessor':
    case 'AmazonTranscribeCallAnalyticsProcessor':
      planTranscribe(element, index, acc);
      return;
    case 'VoiceAnalyticsProcessor': {
      const voiceTone = element.VoiceAnalyticsProcessorConfiguration?.VoiceToneAnalysisStatus === 'Enabled';
      const speakerSearch = element.VoiceAnalyticsProcessorConfiguration?.SpeakerSearchStatus === 'Enabled';
      if (speakerSearch) {
        acc.warnings.push({
          path: ['Elements', index, 'VoiceAnalyticsProcessorConfiguration', 'SpeakerSearchStatus'],
          message:
            'VoiceAnalyticsProcessor: speaker search needs voice embeddings Callsight does not ship; each call gets a SpeakerSearchStatus event (IdentificationFailure) saying it is not available',
        });
      }
      if (!voiceTone && !speakerSearch) {
        acc.warnings.push({
          path: typePath,
          message:
            'VoiceAnalyticsProcessor: neither VoiceToneAnalysisStatus nor SpeakerSearchStatus is Enabled, so the element does nothing',
        });
        return;
      }
      acc.processors.push({
        kind: 'voice-analytics',
        element: 'VoiceAnalyticsProcessor',
        index,
        voiceToneAnalysis: voiceTone,
        speakerSearchNotice: speakerSearch,
      });
      return;
    }
    case 'KinesisDataStreamSink':
      acc.sinks.push({
        kind: 'data-stream',
        element: 'KinesisDataStreamSink',
        index,
        insightsTarget: element.KinesisDataStreamSinkConfiguration?.InsightsTarget ?? null,
      });
      return;
    case 'LambdaFunctionSink':
    case 'SqsQueueSink':
    case 'SnsTopicSink': {
      const key = configurationKeyOf(element.Type);
      const target = (element[key] as InsightsTargetConfiguration | undefined)?.InsightsTarget;
      const path = ['Elements', index, key, 'InsightsTarget'];
      if (target === undefined) {
        acc.errors.push({
          path,
          message: `Required: ${element.Type} needs an http(s) URL in Callsight, which POSTs the pipeline's records there`,
        });
      } else if (!isHttpUrl(target)) {
        acc.errors.push({
          path,
          message: `${element.Type}: Callsight cannot ${AWS_SERVICE_OF[element.Type]}; set InsightsTarget to an http(s) URL and Callsight POSTs the pipeline's records there (a webhook)`,
        });
      } else {
        acc.sinks.push({ kind: 'webhook', element: element.Type, index, url: target });
      }
      return;
    }
    case 'S3RecordingSink': {
      // Opus is warned about rather than refused, as options Callsight cannot honour but that leave
      // the element doing its job are (TRANSCRIBE_OPTION_SUPPORT): the call is still recorded, as WAV,
      // and the Recording record's URL and Content-Type say so.
      const format = element.S3RecordingSinkConfiguration?.RecordingFileFormat;
      if (format === 'Opus') {
        acc.warnings.push({
          path: ['Elements', index, 'S3RecordingSinkConfiguration', 'RecordingFileFormat'],
          message:
            'S3RecordingSink: Opus recordings are not available; calls are recorded as WAV (16-bit PCM, 16 kHz stereo)',
        });
      }
      acc.sinks.push({
        kind: 'recording',
        element: 'S3RecordingSink',
        index,
        destination: element.S3RecordingSinkConfiguration?.Destination ?? null,
        fileFormat: 'Wav',
      });
      return;
    }
    case 'VoiceEnhancementSink':
      if (element.VoiceEnhancementSinkConfiguration?.Disabled === true) {
        acc.warnings.push({ path: typePath, message: 'VoiceEnhancementSink: disabled, so ignored' });
      } else {
        acc.errors.push({
          path: typePath,
          message:
            'VoiceEnhancementSink: voice enhancement is not supported in Callsight; remove the element or set Disabled: true',
        });
      }
      return;
  }
}

type Indexed = { readonly element: MediaInsightsPipelineConfigurationElement; readonly index: number };

/** Chime's rules across elements and alerts (see the sources at the top of the file). */
function chimeRules(
  elements: readonly Indexed[],
  alerts: RealTimeAlertConfiguration | undefined,
  acc: PlanAccumulator,
): void {
  const first = (type: ElementType): Indexed | undefined => elements.find((e) => e.element.Type === type);
  const has = (type: ElementType): boolean => first(type) !== undefined;

  // DG-OUT: "You can only specify unique elements once per media insights pipeline configuration."
  const seen = new Set<ElementType>();
  for (const { element, index } of elements) {
    if (seen.has(element.Type)) {
      acc.errors.push({
        path: ['Elements', index, 'Type'],
        message: `${element.Type} appears more than once; each element type may appear only once in a configuration`,
      });
    }
    seen.add(element.Type);
  }

  // DG-OUT, both Transcribe sections: "You can't combine this processor with an Amazon Transcribe
  // processor"; DG-COMBINE: "an Amazon Transcribe or an Amazon Transcribe Call Analytics processor,
  // but never both".
  const tca = first('AmazonTranscribeCallAnalyticsProcessor');
  const transcribe = first('AmazonTranscribeProcessor');
  if (tca && transcribe) {
    acc.errors.push({
      path: ['Elements', Math.max(tca.index, transcribe.index), 'Type'],
      message:
        'AmazonTranscribeProcessor and AmazonTranscribeCallAnalyticsProcessor cannot be combined; keep one',
    });
  }

  // DG-OUT: both Transcribe processors have "Supported sinks: KinesisDataStreamSink" (CDK-VAL makes it
  // a requirement: their insights have nowhere else to go).
  for (const processor of [tca, transcribe]) {
    if (processor && !has('KinesisDataStreamSink')) {
      acc.errors.push({
        path: ['Elements', processor.index, 'Type'],
        message: `${processor.element.Type} delivers its insights only to a KinesisDataStreamSink; add one`,
      });
    }
  }

  // DG-OUT: voice analytics "Supported sinks: KinesisDataStreamSink, SqsQueueSink, SnsTopicSink, and
  // LambdaFunctionSink".
  const voice = first('VoiceAnalyticsProcessor');
  if (voice && !['KinesisDataStreamSink', ...NOTIFICATION_SINKS].some((t) => has(t as ElementType))) {
    acc.errors.push({
      path: ['Elements', voice.index, 'Type'],
      message:
        'VoiceAnalyticsProcessor needs a KinesisDataStreamSink, LambdaFunctionSink, SqsQueueSink or SnsTopicSink for its results',
    });
  }

  // DG-OUT: "The VoiceEnhancementSink element always requires an S3RecordingSink element".
  const enhancement = first('VoiceEnhancementSink');
  if (enhancement && !has('S3RecordingSink')) {
    acc.errors.push({
      path: ['Elements', enhancement.index, 'Type'],
      message: 'VoiceEnhancementSink requires an S3RecordingSink in the same configuration',
    });
  }

  // CDK-VAL: a configuration must process the audio somehow (the guide's examples all do).
  if (
    !elements.some((e) =>
      [
        'AmazonTranscribeCallAnalyticsProcessor',
        'AmazonTranscribeProcessor',
        'VoiceAnalyticsProcessor',
        'S3RecordingSink',
      ].includes(e.element.Type),
    )
  ) {
    acc.errors.push({
      path: ['Elements'],
      message:
        'Needs at least one of AmazonTranscribeProcessor, AmazonTranscribeCallAnalyticsProcessor, VoiceAnalyticsProcessor or S3RecordingSink',
    });
  }

  // DG-CONSOLE: "Don't enable recording and post-call analytics at the same time" (duplicate recordings).
  if (
    tca?.element.AmazonTranscribeCallAnalyticsProcessorConfiguration?.PostCallAnalyticsSettings &&
    has('S3RecordingSink')
  ) {
    acc.warnings.push({
      path: [
        'Elements',
        tca.index,
        'AmazonTranscribeCallAnalyticsProcessorConfiguration',
        'PostCallAnalyticsSettings',
      ],
      message:
        'Chime records the call twice when post-call analytics and an S3RecordingSink are both enabled',
    });
  }

  const rules = alerts?.Rules ?? [];
  if (rules.length === 0) return;
  // DG-EB: "Only Amazon Transcribe and Amazon Transcribe Call Analytics processors support real-time
  // alerts"; DG-CONSOLE: "To use real-time alerts, you must first enable Amazon Transcribe or Amazon
  // Transcribe Analytics."
  if (!tca && !transcribe) {
    acc.errors.push({
      path: ['RealTimeAlertConfiguration'],
      message: 'Real-time alerts need an AmazonTranscribeProcessor or AmazonTranscribeCallAnalyticsProcessor',
    });
    return;
  }
  // DG-EB: Sentiment "Only Transcribe Call Analytics support this rule"; IssueDetection "Only Transcribe
  // Call Analytics supports this rule type".
  rules.forEach((rule, i) => {
    if ((rule.Type === 'Sentiment' || rule.Type === 'IssueDetection') && !tca) {
      acc.errors.push({
        path: ['RealTimeAlertConfiguration', 'Rules', i, 'Type'],
        message: `${rule.Type} rules need an AmazonTranscribeCallAnalyticsProcessor (AmazonTranscribeProcessor supports only KeywordMatch)`,
      });
    }
  });
}

function newAccumulator(engines: EngineKinds): PlanAccumulator {
  return { engines, processors: [], sinks: [], warnings: [], errors: [] };
}

function planInto(config: ConfigurationToPlan, acc: PlanAccumulator): void {
  if (config.ResourceAccessRoleArn !== undefined) {
    acc.warnings.push({
      path: ['ResourceAccessRoleArn'],
      message:
        'Callsight does not use IAM roles; ResourceAccessRoleArn is kept for compatibility and ignored',
    });
  }
  const elements = config.Elements.map((element, index) => ({ element, index }));
  for (const { element, index } of elements) planElement(element, index, acc);
  chimeRules(elements, config.RealTimeAlertConfiguration, acc);
  const transcribes = elements.some((e) => TRANSCRIBE_TYPES.includes(e.element.Type));
  if (!transcribes && acc.errors.length === 0) {
    acc.warnings.push({
      path: ['Elements'],
      message: 'No AmazonTranscribeProcessor: calls using this configuration produce no transcripts',
    });
  }
}

function finishPlan(acc: PlanAccumulator): ConfigurationPlan {
  return {
    processors: acc.processors,
    sinks: acc.sinks,
    warnings: finishIssues(acc.warnings),
    errors: finishIssues(acc.errors),
  };
}

/**
 * What a pipeline started with this configuration runs: one entry per honoured element, in Elements
 * order. `errors` lists what Callsight refuses (a configuration with errors must not be stored);
 * `warnings` what it accepts without (fully) honouring.
 */
export function planConfiguration(
  config: ConfigurationToPlan,
  engines: EngineKinds = EMBEDDED_ONLY,
): ConfigurationPlan {
  const acc = newAccumulator(engines);
  planInto(config, acc);
  return finishPlan(acc);
}

export type CheckResult<T> =
  | {
      readonly ok: true;
      readonly value: T;
      readonly plan: ConfigurationPlan;
      readonly warnings: readonly ConfigurationIssue[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigurationIssue[];
      readonly warnings: readonly ConfigurationIssue[];
    };

function check<T extends ConfigurationToPlan>(
  schema: Parameters<typeof collectIssues<T>>[0],
  input: unknown,
  engines: EngineKinds,
): CheckResult<T> {
  const { value, issues } = collectIssues(schema, input);
  const acc = newAccumulator(engines);
  if (value !== undefined) {
    planInto(value, acc);
  } else {
    // Still judge the elements Callsight can make sense of, so one answer lists every problem (a
    // refused language next to a misspelt key). The cross-element rules wait: with a broken element
    // they would report phantom problems.
    const elements = (input as { Elements?: unknown } | null)?.Elements;
    if (Array.isArray(elements)) {
      elements.forEach((raw: unknown, index) => {
        const element = plannableElement(raw);
        if (element) planElement(element, index, acc);
      });
    }
    const reported = (path: readonly PropertyKey[]): boolean =>
      issues.some(
        (issue) => issue.path.length <= path.length && issue.path.every((key, i) => path[i] === key),
      );
    for (const list of [acc.errors, acc.warnings]) {
      const kept = list.filter((issue) => !reported(issue.path));
      list.splice(0, list.length, ...kept);
    }
  }
  const errors = finishIssues([...issues, ...acc.errors]);
  const warnings = finishIssues(acc.warnings);
  if (value === undefined || errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, value, plan: finishPlan(acc), warnings };
}

/** Schema, model rules, Chime's combination rules and Callsight support, for a create body. */
export function checkCreateRequest(
  input: unknown,
  engines: EngineKinds = EMBEDDED_ONLY,
): CheckResult<CreateMediaInsightsPipelineConfigurationRequest> {
  return check(createRequestSchema, input, engines);
}

/** The same for an update body (ResourceAccessRoleArn, RealTimeAlertConfiguration, Elements). */
export function checkUpdateRequest(
  input: unknown,
  engines: EngineKinds = EMBEDDED_ONLY,
): CheckResult<UpdateMediaInsightsPipelineConfigurationRequest> {
  return check(updateRequestSchema, input, engines);
}
