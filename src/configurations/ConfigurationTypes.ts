/**
 * The call analytics configuration: Amazon Chime SDK's MediaInsightsPipelineConfiguration, with the
 * field names, enums and limits of the service model (`chime-sdk-media-pipelines` 2021-07-15,
 * botocore `service-2.json`). Types only; the zod schema that checks them is ConfigurationSchema.ts,
 * what each element means in Callsight is ConfigurationPlan.ts.
 *
 * Element shapes are `type` aliases rather than interfaces so that they stay assignable to
 * `Record<string, unknown>` (the pipeline's element factory reads them generically).
 */
import { CallsightError, type Problem } from '../platform/errors.js';

/** `MediaInsightsPipelineConfigurationElementType`, in the model's order. */
export const ELEMENT_TYPES = [
  'AmazonTranscribeCallAnalyticsProcessor',
  'VoiceAnalyticsProcessor',
  'AmazonTranscribeProcessor',
  'KinesisDataStreamSink',
  'LambdaFunctionSink',
  'SqsQueueSink',
  'SnsTopicSink',
  'S3RecordingSink',
  'VoiceEnhancementSink',
] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

/** Each element carries its settings under `<Type>Configuration` (all nine follow the pattern). */
export type ElementConfigurationKey = `${ElementType}Configuration`;

export function configurationKeyOf(type: ElementType): ElementConfigurationKey {
  return `${type}Configuration`;
}

/** `CallAnalyticsLanguageCode`: the languages of both Transcribe processors (and PreferredLanguage). */
export const CALL_ANALYTICS_LANGUAGE_CODES = [
  'en-US',
  'en-GB',
  'es-US',
  'fr-CA',
  'fr-FR',
  'en-AU',
  'it-IT',
  'de-DE',
  'pt-BR',
] as const;
export type CallAnalyticsLanguageCode = (typeof CALL_ANALYTICS_LANGUAGE_CODES)[number];

export const VOCABULARY_FILTER_METHODS = ['remove', 'mask', 'tag'] as const;
export type VocabularyFilterMethod = (typeof VOCABULARY_FILTER_METHODS)[number];

export const PARTIAL_RESULTS_STABILITIES = ['high', 'medium', 'low'] as const;
export type PartialResultsStability = (typeof PARTIAL_RESULTS_STABILITIES)[number];

/** `ContentType`: the only value of ContentIdentificationType and ContentRedactionType. */
export const CONTENT_TYPES = ['PII'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Amazon Transcribe's PII entity types (the detector's, analytics/PiiTypes.ts). */
export const PII_TYPES = [
  'ADDRESS',
  'BANK_ACCOUNT_NUMBER',
  'BANK_ROUTING',
  'CREDIT_DEBIT_CVV',
  'CREDIT_DEBIT_EXPIRY',
  'CREDIT_DEBIT_NUMBER',
  'EMAIL',
  'NAME',
  'PHONE',
  'PIN',
  'SSN',
] as const;

/** The values `PiiEntityTypes` may list, comma-separated (API reference text; `ALL` selects every type). */
export const PII_ENTITY_TYPES = [...PII_TYPES, 'ALL'] as const;

export const CONTENT_REDACTION_OUTPUTS = ['redacted', 'redacted_and_unredacted'] as const;
export type ContentRedactionOutput = (typeof CONTENT_REDACTION_OUTPUTS)[number];

export const RECORDING_FILE_FORMATS = ['Wav', 'Opus'] as const;
export type RecordingFileFormat = (typeof RECORDING_FILE_FORMATS)[number];

/** `VoiceAnalyticsConfigurationStatus`. */
export const VOICE_ANALYTICS_STATUSES = ['Enabled', 'Disabled'] as const;
export type VoiceAnalyticsConfigurationStatus = (typeof VOICE_ANALYTICS_STATUSES)[number];

export const REAL_TIME_ALERT_RULE_TYPES = ['KeywordMatch', 'Sentiment', 'IssueDetection'] as const;
export type RealTimeAlertRuleType = (typeof REAL_TIME_ALERT_RULE_TYPES)[number];

/** `SentimentType`: the model has only NEGATIVE (its documentation string mentions more). */
export const SENTIMENT_TYPES = ['NEGATIVE'] as const;
export type SentimentType = (typeof SENTIMENT_TYPES)[number];

/** Limits from the service model, in one place for the schema, the rules and the docs. */
export const LIMITS = {
  /** MediaInsightsPipelineConfigurationNameString, RuleName: 2..64. */
  nameLength: { min: 2, max: 64 },
  /** Arn, AmazonResourceName: 1..1024. */
  arnLength: { min: 1, max: 1024 },
  /** RealTimeAlertRuleList: 1..3 rules. */
  rules: { min: 1, max: 3 },
  /** KeywordMatchWordList: 1..10 keywords, each 1..100 characters. */
  keywords: { min: 1, max: 10 },
  keywordLength: { min: 1, max: 100 },
  /** SentimentTimePeriodInSeconds: 60..1800. */
  sentimentTimePeriodSeconds: { min: 60, max: 1800 },
  /** TagList: 1..200 tags; TagKey 1..128; TagValue 0..256. */
  tags: { min: 1, max: 200 },
  /** CategoryNameList: 1..20 names, each 1..200 characters. */
  categories: { min: 1, max: 20 },
  /** ResultMax (MaxResults of the list operation): 1..100. */
  maxResults: { min: 1, max: 100 },
} as const;

export type AmazonTranscribeCallAnalyticsProcessorConfiguration = {
  /** Required. */
  readonly LanguageCode: CallAnalyticsLanguageCode;
  readonly VocabularyName?: string;
  readonly VocabularyFilterName?: string;
  readonly VocabularyFilterMethod?: VocabularyFilterMethod;
  readonly LanguageModelName?: string;
  readonly EnablePartialResultsStabilization?: boolean;
  readonly PartialResultsStability?: PartialResultsStability;
  /** Not together with ContentRedactionType. */
  readonly ContentIdentificationType?: ContentType;
  readonly ContentRedactionType?: ContentType;
  /** Comma-separated PII_ENTITY_TYPES; needs ContentIdentificationType or ContentRedactionType. */
  readonly PiiEntityTypes?: string;
  /** Drop UtteranceEvents with IsPartial true. */
  readonly FilterPartialResults?: boolean;
  readonly PostCallAnalyticsSettings?: PostCallAnalyticsSettings;
  readonly CallAnalyticsStreamCategories?: readonly string[];
  /** Callsight extension: the speech engine by name (config file `speechEngines:`); default the embedded one. */
  readonly CallsightSpeechEngine?: string;
};

export type PostCallAnalyticsSettings = {
  readonly OutputLocation: string;
  readonly DataAccessRoleArn: string;
  readonly ContentRedactionOutput?: ContentRedactionOutput;
  readonly OutputEncryptionKMSKeyId?: string;
};

/** Exactly one of LanguageCode, IdentifyLanguage and IdentifyMultipleLanguages (model note). */
export type AmazonTranscribeProcessorConfiguration = {
  readonly LanguageCode?: CallAnalyticsLanguageCode;
  readonly VocabularyName?: string;
  readonly VocabularyFilterName?: string;
  readonly VocabularyFilterMethod?: VocabularyFilterMethod;
  /** Speaker diarization. */
  readonly ShowSpeakerLabel?: boolean;
  readonly EnablePartialResultsStabilization?: boolean;
  readonly PartialResultsStability?: PartialResultsStability;
  readonly ContentIdentificationType?: ContentType;
  readonly ContentRedactionType?: ContentType;
  readonly PiiEntityTypes?: string;
  readonly LanguageModelName?: string;
  /** Drop TranscriptEvents with IsPartial true. */
  readonly FilterPartialResults?: boolean;
  readonly IdentifyLanguage?: boolean;
  readonly IdentifyMultipleLanguages?: boolean;
  /** Comma-separated language codes for language identification. */
  readonly LanguageOptions?: string;
  readonly PreferredLanguage?: CallAnalyticsLanguageCode;
  /** Comma-separated; up to 3000 characters. */
  readonly VocabularyNames?: string;
  readonly VocabularyFilterNames?: string;
  /** Callsight extension: the speech engine by name (config file `speechEngines:`); default the embedded one. */
  readonly CallsightSpeechEngine?: string;
};

export type VoiceAnalyticsProcessorConfiguration = {
  readonly SpeakerSearchStatus?: VoiceAnalyticsConfigurationStatus;
  readonly VoiceToneAnalysisStatus?: VoiceAnalyticsConfigurationStatus;
};

/** KinesisDataStreamSink, LambdaFunctionSink, SqsQueueSink and SnsTopicSink configurations. */
export type InsightsTargetConfiguration = {
  /**
   * An ARN in Chime. Callsight also accepts an http(s) URL for the Lambda, SQS and SNS sinks, which it
   * turns into a webhook.
   */
  readonly InsightsTarget?: string;
};

export type S3RecordingSinkConfiguration = {
  readonly Destination?: string;
  readonly RecordingFileFormat?: RecordingFileFormat;
};

export type VoiceEnhancementSinkConfiguration = {
  readonly Disabled?: boolean;
};

/** One element: a `Type` and, under `<Type>Configuration`, its settings. */
export type MediaInsightsPipelineConfigurationElement = {
  readonly Type: ElementType;
  readonly AmazonTranscribeCallAnalyticsProcessorConfiguration?: AmazonTranscribeCallAnalyticsProcessorConfiguration;
  readonly AmazonTranscribeProcessorConfiguration?: AmazonTranscribeProcessorConfiguration;
  readonly KinesisDataStreamSinkConfiguration?: InsightsTargetConfiguration;
  readonly S3RecordingSinkConfiguration?: S3RecordingSinkConfiguration;
  readonly VoiceAnalyticsProcessorConfiguration?: VoiceAnalyticsProcessorConfiguration;
  readonly LambdaFunctionSinkConfiguration?: InsightsTargetConfiguration;
  readonly SqsQueueSinkConfiguration?: InsightsTargetConfiguration;
  readonly SnsTopicSinkConfiguration?: InsightsTargetConfiguration;
  readonly VoiceEnhancementSinkConfiguration?: VoiceEnhancementSinkConfiguration;
};

export type KeywordMatchConfiguration = {
  readonly RuleName: string;
  readonly Keywords: readonly string[];
  /** true: fire when all keywords are absent for the whole call. Default false. */
  readonly Negate?: boolean;
};

export type SentimentConfiguration = {
  readonly RuleName: string;
  readonly SentimentType: SentimentType;
  /** Rolling window in seconds, 60..1800. */
  readonly TimePeriod: number;
};

export type IssueDetectionConfiguration = {
  readonly RuleName: string;
};

export type RealTimeAlertRule = {
  readonly Type: RealTimeAlertRuleType;
  readonly KeywordMatchConfiguration?: KeywordMatchConfiguration;
  readonly SentimentConfiguration?: SentimentConfiguration;
  readonly IssueDetectionConfiguration?: IssueDetectionConfiguration;
};

export type RealTimeAlertConfiguration = {
  readonly Disabled?: boolean;
  /** 1..3 rules. */
  readonly Rules?: readonly RealTimeAlertRule[];
};

export type Tag = { readonly Key: string; readonly Value: string };

/** CreateMediaInsightsPipelineConfiguration's body. */
export type CreateMediaInsightsPipelineConfigurationRequest = {
  readonly MediaInsightsPipelineConfigurationName: string;
  /**
   * Required by Chime; optional in Callsight, which does not use IAM roles. Kept and returned so a
   * document round-trips, and reported with a warning.
   */
  readonly ResourceAccessRoleArn?: string;
  readonly RealTimeAlertConfiguration?: RealTimeAlertConfiguration;
  readonly Elements: readonly MediaInsightsPipelineConfigurationElement[];
  /**
   * Callsight extension: records and recordings of calls run under this configuration are erased this
   * many days after the call ended (1..3650; absent: the global retention settings alone apply).
   */
  readonly CallsightRetentionDays?: number;
  readonly Tags?: readonly Tag[];
  /** Idempotency token: a retried create with the same token and body returns the stored configuration. */
  readonly ClientRequestToken?: string;
};

/** UpdateMediaInsightsPipelineConfiguration's body (the identifier is in the path). Replaces all three. */
export type UpdateMediaInsightsPipelineConfigurationRequest = {
  readonly ResourceAccessRoleArn?: string;
  readonly RealTimeAlertConfiguration?: RealTimeAlertConfiguration;
  readonly Elements: readonly MediaInsightsPipelineConfigurationElement[];
  /** Callsight extension (see the create request); absent: none. */
  readonly CallsightRetentionDays?: number;
};

/** What Get, Create and Update return (`MediaInsightsPipelineConfiguration`). */
export type MediaInsightsPipelineConfiguration = {
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly MediaInsightsPipelineConfigurationArn: string;
  readonly ResourceAccessRoleArn?: string;
  readonly RealTimeAlertConfiguration?: RealTimeAlertConfiguration;
  readonly Elements: readonly MediaInsightsPipelineConfigurationElement[];
  /** Callsight extension (see the create request). */
  readonly CallsightRetentionDays?: number;
  /** A UUID. */
  readonly MediaInsightsPipelineConfigurationId: string;
  /** ISO 8601. */
  readonly CreatedTimestamp: string;
  readonly UpdatedTimestamp: string;
};

/** One entry of ListMediaInsightsPipelineConfigurations. */
export type MediaInsightsPipelineConfigurationSummary = {
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly MediaInsightsPipelineConfigurationId: string;
  readonly MediaInsightsPipelineConfigurationArn: string;
};

/** A problem or warning about a configuration document, with its JSON path (`Elements[2].Type`). */
export type ConfigurationIssue = Problem;

/**
 * The configuration operations the REST API answers with ConflictException (409): a second
 * configuration with a name already taken, a retried create whose ClientRequestToken came with a
 * different body, or a delete of a configuration still in use.
 */
export class ConfigurationConflictError extends CallsightError {
  override name = 'ConfigurationConflictError';
  readonly exception = 'ConflictException';

  constructor(message: string) {
    super('CS_ERR_CONFIGURATION_CONFLICT', message);
  }
}

/** No configuration has that name, id or ARN (NotFoundException, 404). */
export class ConfigurationNotFoundError extends CallsightError {
  override name = 'ConfigurationNotFoundError';
  readonly exception = 'NotFoundException';
  readonly identifier: string;

  constructor(identifier: string) {
    super('CS_ERR_NOT_FOUND', `no media insights pipeline configuration ${JSON.stringify(identifier)}`);
    this.identifier = identifier;
  }
}
