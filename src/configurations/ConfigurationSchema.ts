/**
 * The call analytics configuration as a zod schema, faithful to the Chime SDK Media Pipelines service
 * model (botocore `chime-sdk-media-pipelines/2021-07-15/service-2.json`): field names, enums, required
 * members, string lengths and patterns. Unknown keys are refused with their path.
 *
 * Two passes, so that every problem is reported at once: zod checks types, enums, lengths and
 * patterns; `modelRules` then walks the raw input for what zod would stop at or skip (zod v4 skips an
 * object's refinements once one of its fields failed, and an array's length check stops it parsing
 * the items): list lengths, a Type's configuration, and the model's either/or rules. Whether Callsight
 * can honour an element, and Chime's cross-element rules, are ConfigurationPlan.ts.
 *
 * Deliberate differences from the model, all documented in docs/configuration-analytics.md:
 * - patterns the model leaves unanchored (`^[0-9a-zA-Z._-]+`) are matched in full;
 * - ResourceAccessRoleArn is optional (Callsight does not use IAM roles);
 * - the Lambda, SQS and SNS sinks' InsightsTarget may also be an http(s) URL (a webhook);
 * - Transcribe processors must carry their configuration object (the model only requires `Type`);
 * - both Transcribe processor configurations take the Callsight extension `CallsightSpeechEngine`, the
 *   name of the speech engine to use (config file `speechEngines:`; absent: the embedded engine);
 * - create and update take the Callsight extension `CallsightRetentionDays` (top level): after how
 *   many days the records and recordings of a call run under the configuration are erased.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { errorMessage, formatPath, ValidationError } from '../platform/errors.js';
import {
  CALL_ANALYTICS_LANGUAGE_CODES,
  CONTENT_REDACTION_OUTPUTS,
  CONTENT_TYPES,
  ELEMENT_TYPES,
  LIMITS,
  PARTIAL_RESULTS_STABILITIES,
  PII_ENTITY_TYPES,
  REAL_TIME_ALERT_RULE_TYPES,
  RECORDING_FILE_FORMATS,
  SENTIMENT_TYPES,
  VOCABULARY_FILTER_METHODS,
  VOICE_ANALYTICS_STATUSES,
  configurationKeyOf,
  type ConfigurationIssue,
  type CreateMediaInsightsPipelineConfigurationRequest,
  type ElementType,
  type MediaInsightsPipelineConfigurationElement,
  type RealTimeAlertConfiguration,
  type UpdateMediaInsightsPipelineConfigurationRequest,
} from './ConfigurationTypes.js';

/** A problem before formatting: the path as zod gives it. */
export interface RawIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Order of every known key, in the order the shapes below declare them; sorts problems top-down. */
const KEY_RANK = new Map<string, number>();
/** The same per configuration object, where two objects order shared keys differently. */
const OWNER_KEY_RANK = new Map<string, Map<string, number>>();

function strict<T extends z.ZodRawShape>(shape: T, owner?: string): z.ZodObject<T, z.core.$strict> {
  for (const key of Object.keys(shape)) if (!KEY_RANK.has(key)) KEY_RANK.set(key, KEY_RANK.size);
  if (owner !== undefined) OWNER_KEY_RANK.set(owner, new Map(Object.keys(shape).map((key, i) => [key, i])));
  return z.strictObject(shape);
}

/** `Arn` / `AmazonResourceName` pattern of the model. */
export const ARN_PATTERN = /^arn[/:\-_.a-zA-Z0-9]+$/;
/** MediaInsightsPipelineConfigurationNameString, RuleName, ModelName, VocabularyName, CategoryName. */
const NAME_PATTERN = /^[0-9a-zA-Z._-]+$/;

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const arn = z
  .string()
  .min(LIMITS.arnLength.min)
  .max(LIMITS.arnLength.max)
  .regex(ARN_PATTERN, 'Must be an ARN (arn:partition:service:region:account:resource)');
const arnOrUrl = z
  .string()
  .min(LIMITS.arnLength.min)
  .max(LIMITS.arnLength.max)
  .refine((v) => ARN_PATTERN.test(v) || isHttpUrl(v), 'Must be an ARN or, in Callsight, an http(s) URL');
const name = (min: number, max: number) =>
  z.string().min(min).max(max).regex(NAME_PATTERN, 'May contain only letters, digits, ".", "_" and "-"');
/** `String` of the model: up to 4096 characters. */
const text = z.string().max(4096);
const languageCode = z.enum(CALL_ANALYTICS_LANGUAGE_CODES);
const commaList = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[a-zA-Z0-9,\-._]+$/, 'A comma-separated list of names (letters, digits, ",", "-", ".", "_")');
const piiEntityTypes = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Z_, ]+$/, 'A comma-separated list of upper-case PII entity types');

/** Callsight extension: a `speechEngines[].name` of the config file. */
const engineName = z
  .string()
  .regex(/^[\w.-]{1,64}$/, 'A speech engine name: letters, digits, "_", "." and "-"');

const postCallAnalyticsSettings = strict({
  OutputLocation: text,
  DataAccessRoleArn: text,
  ContentRedactionOutput: z.enum(CONTENT_REDACTION_OUTPUTS).optional(),
  OutputEncryptionKMSKeyId: text.optional(),
});

const callAnalyticsProcessorConfiguration = strict(
  {
    LanguageCode: languageCode,
    VocabularyName: name(1, 200).optional(),
    VocabularyFilterName: name(1, 200).optional(),
    VocabularyFilterMethod: z.enum(VOCABULARY_FILTER_METHODS).optional(),
    LanguageModelName: name(1, 200).optional(),
    EnablePartialResultsStabilization: z.boolean().optional(),
    PartialResultsStability: z.enum(PARTIAL_RESULTS_STABILITIES).optional(),
    ContentIdentificationType: z.enum(CONTENT_TYPES).optional(),
    ContentRedactionType: z.enum(CONTENT_TYPES).optional(),
    PiiEntityTypes: piiEntityTypes.optional(),
    FilterPartialResults: z.boolean().optional(),
    PostCallAnalyticsSettings: postCallAnalyticsSettings.optional(),
    CallAnalyticsStreamCategories: z.array(name(1, 200)).optional(),
    CallsightSpeechEngine: engineName.optional(),
  },
  'AmazonTranscribeCallAnalyticsProcessorConfiguration',
);

const transcribeProcessorConfiguration = strict(
  {
    LanguageCode: languageCode.optional(),
    VocabularyName: name(1, 200).optional(),
    VocabularyFilterName: name(1, 200).optional(),
    VocabularyFilterMethod: z.enum(VOCABULARY_FILTER_METHODS).optional(),
    ShowSpeakerLabel: z.boolean().optional(),
    EnablePartialResultsStabilization: z.boolean().optional(),
    PartialResultsStability: z.enum(PARTIAL_RESULTS_STABILITIES).optional(),
    ContentIdentificationType: z.enum(CONTENT_TYPES).optional(),
    ContentRedactionType: z.enum(CONTENT_TYPES).optional(),
    PiiEntityTypes: piiEntityTypes.optional(),
    LanguageModelName: name(1, 200).optional(),
    FilterPartialResults: z.boolean().optional(),
    IdentifyLanguage: z.boolean().optional(),
    IdentifyMultipleLanguages: z.boolean().optional(),
    LanguageOptions: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[a-zA-Z-,]+$/, 'A comma-separated list of language codes')
      .optional(),
    PreferredLanguage: languageCode.optional(),
    VocabularyNames: commaList(3000).optional(),
    VocabularyFilterNames: commaList(3000).optional(),
    CallsightSpeechEngine: engineName.optional(),
  },
  'AmazonTranscribeProcessorConfiguration',
);

const kinesisDataStreamSinkConfiguration = strict({ InsightsTarget: arn.optional() });
/** Lambda, SQS and SNS sinks: an ARN in Chime, or (Callsight) a webhook URL. */
const notificationSinkConfiguration = strict({ InsightsTarget: arnOrUrl.optional() });

const s3RecordingSinkConfiguration = strict({
  Destination: arn.optional(),
  RecordingFileFormat: z.enum(RECORDING_FILE_FORMATS).optional(),
});
const voiceAnalyticsProcessorConfiguration = strict({
  SpeakerSearchStatus: z.enum(VOICE_ANALYTICS_STATUSES).optional(),
  VoiceToneAnalysisStatus: z.enum(VOICE_ANALYTICS_STATUSES).optional(),
});
const voiceEnhancementSinkConfiguration = strict({ Disabled: z.boolean().optional() });

/** One element, its members in the model's order. */
export const elementSchema = strict({
  Type: z.enum(ELEMENT_TYPES),
  AmazonTranscribeCallAnalyticsProcessorConfiguration: callAnalyticsProcessorConfiguration.optional(),
  AmazonTranscribeProcessorConfiguration: transcribeProcessorConfiguration.optional(),
  KinesisDataStreamSinkConfiguration: kinesisDataStreamSinkConfiguration.optional(),
  S3RecordingSinkConfiguration: s3RecordingSinkConfiguration.optional(),
  VoiceAnalyticsProcessorConfiguration: voiceAnalyticsProcessorConfiguration.optional(),
  LambdaFunctionSinkConfiguration: notificationSinkConfiguration.optional(),
  SqsQueueSinkConfiguration: notificationSinkConfiguration.optional(),
  SnsTopicSinkConfiguration: notificationSinkConfiguration.optional(),
  VoiceEnhancementSinkConfiguration: voiceEnhancementSinkConfiguration.optional(),
});

const ruleName = name(LIMITS.nameLength.min, LIMITS.nameLength.max);
const keywordMatchConfiguration = strict({
  RuleName: ruleName,
  Keywords: z.array(
    z
      .string()
      .min(LIMITS.keywordLength.min)
      .max(LIMITS.keywordLength.max)
      .regex(/^[\s0-9a-zA-Z'-]+$/, 'May contain only letters, digits, spaces, "\'" and "-"'),
  ),
  Negate: z.boolean().optional(),
});
const sentimentConfiguration = strict({
  RuleName: ruleName,
  SentimentType: z.enum(SENTIMENT_TYPES),
  TimePeriod: z
    .number()
    .int()
    .min(LIMITS.sentimentTimePeriodSeconds.min)
    .max(LIMITS.sentimentTimePeriodSeconds.max),
});
const issueDetectionConfiguration = strict({ RuleName: ruleName });

export const realTimeAlertConfigurationSchema = strict({
  Disabled: z.boolean().optional(),
  Rules: z
    .array(
      strict({
        Type: z.enum(REAL_TIME_ALERT_RULE_TYPES),
        KeywordMatchConfiguration: keywordMatchConfiguration.optional(),
        SentimentConfiguration: sentimentConfiguration.optional(),
        IssueDetectionConfiguration: issueDetectionConfiguration.optional(),
      }),
    )
    .optional(),
});

/** The keys of each `<Type>Configuration`, to tell a user who wrote them one level too high. */
const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  AmazonTranscribeCallAnalyticsProcessorConfiguration: Object.keys(callAnalyticsProcessorConfiguration.shape),
  AmazonTranscribeProcessorConfiguration: Object.keys(transcribeProcessorConfiguration.shape),
  KinesisDataStreamSinkConfiguration: Object.keys(kinesisDataStreamSinkConfiguration.shape),
  S3RecordingSinkConfiguration: Object.keys(s3RecordingSinkConfiguration.shape),
  VoiceAnalyticsProcessorConfiguration: Object.keys(voiceAnalyticsProcessorConfiguration.shape),
  LambdaFunctionSinkConfiguration: Object.keys(notificationSinkConfiguration.shape),
  SqsQueueSinkConfiguration: Object.keys(notificationSinkConfiguration.shape),
  SnsTopicSinkConfiguration: Object.keys(notificationSinkConfiguration.shape),
  VoiceEnhancementSinkConfiguration: Object.keys(voiceEnhancementSinkConfiguration.shape),
  KeywordMatchConfiguration: Object.keys(keywordMatchConfiguration.shape),
  SentimentConfiguration: Object.keys(sentimentConfiguration.shape),
  IssueDetectionConfiguration: Object.keys(issueDetectionConfiguration.shape),
};

/** Callsight extension: days a call's records and recordings are kept after it ended. */
const retentionDays = z.number().int().min(1).max(3650);

const tag = strict({ Key: z.string().min(1).max(128), Value: z.string().max(256) });

/** CreateMediaInsightsPipelineConfigurationRequest. */
export const createRequestSchema = strict({
  MediaInsightsPipelineConfigurationName: name(LIMITS.nameLength.min, LIMITS.nameLength.max),
  ResourceAccessRoleArn: arn.optional(),
  RealTimeAlertConfiguration: realTimeAlertConfigurationSchema.optional(),
  Elements: z.array(elementSchema),
  CallsightRetentionDays: retentionDays.optional(),
  Tags: z.array(tag).optional(),
  ClientRequestToken: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[-_a-zA-Z0-9]*$/, 'May contain only letters, digits, "-" and "_"')
    .optional(),
});

/** UpdateMediaInsightsPipelineConfigurationRequest without its path parameter. */
export const updateRequestSchema = strict({
  ResourceAccessRoleArn: arn.optional(),
  RealTimeAlertConfiguration: realTimeAlertConfigurationSchema.optional(),
  Elements: z.array(elementSchema),
  CallsightRetentionDays: retentionDays.optional(),
});

// The schemas produce exactly the documented types (compile-time check).
const _createConforms: z.ZodType<CreateMediaInsightsPipelineConfigurationRequest> = createRequestSchema;
const _updateConforms: z.ZodType<UpdateMediaInsightsPipelineConfigurationRequest> = updateRequestSchema;
const _elementConforms: z.ZodType<MediaInsightsPipelineConfigurationElement> = elementSchema;
const _alertsConforms: z.ZodType<RealTimeAlertConfiguration> = realTimeAlertConfigurationSchema;
void [_createConforms, _updateConforms, _elementConforms, _alertsConforms];

// ---------------------------------------------------------------------------------------------
// Pass two: the model's rules that a shape cannot express.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isElementType(value: unknown): value is ElementType {
  return typeof value === 'string' && (ELEMENT_TYPES as readonly string[]).includes(value);
}

function listLength(
  value: unknown,
  path: readonly PropertyKey[],
  limits: { readonly min: number; readonly max: number },
  noun: string,
  out: RawIssue[],
): void {
  if (!Array.isArray(value)) return;
  if (value.length < limits.min)
    out.push({
      path,
      message: limits.min === 1 ? 'Must not be empty' : `Must have at least ${limits.min} ${noun}`,
    });
  else if (value.length > limits.max)
    out.push({ path, message: `Must have at most ${limits.max} ${noun} (found ${value.length})` });
}

/** ContentIdentificationType xor ContentRedactionType; PiiEntityTypes needs one of them (model docs). */
function piiRules(config: Record<string, unknown>, path: readonly PropertyKey[], out: RawIssue[]): void {
  if (config.ContentIdentificationType !== undefined && config.ContentRedactionType !== undefined) {
    out.push({
      path: [...path, 'ContentRedactionType'],
      message: 'Cannot be set together with ContentIdentificationType',
    });
  }
  const types = config.PiiEntityTypes;
  if (types === undefined) return;
  if (config.ContentIdentificationType === undefined && config.ContentRedactionType === undefined) {
    out.push({
      path: [...path, 'PiiEntityTypes'],
      message: 'Requires ContentIdentificationType or ContentRedactionType',
    });
  }
  if (typeof types !== 'string' || !/^[A-Z_, ]+$/.test(types)) return; // zod reports it
  for (const entry of types.split(',').map((t) => t.trim())) {
    if (!(PII_ENTITY_TYPES as readonly string[]).includes(entry)) {
      out.push({
        path: [...path, 'PiiEntityTypes'],
        message: `Unknown PII entity type ${JSON.stringify(entry)}; allowed: ${PII_ENTITY_TYPES.join(', ')}`,
      });
    }
  }
}

/** "Calls to this API must include a LanguageCode, IdentifyLanguage, or IdentifyMultipleLanguages
 * parameter. If you include more than one of those parameters, your transcription job fails."
 * (AmazonTranscribeProcessorConfiguration, API reference.) */
function transcribeLanguageRules(
  config: Record<string, unknown>,
  path: readonly PropertyKey[],
  out: RawIssue[],
): void {
  const chosen = (['LanguageCode', 'IdentifyLanguage', 'IdentifyMultipleLanguages'] as const).filter((key) =>
    key === 'LanguageCode' ? config[key] !== undefined : config[key] === true,
  );
  if (chosen.length === 0) {
    out.push({
      path: [...path, 'LanguageCode'],
      message: 'Required: set one of LanguageCode, IdentifyLanguage or IdentifyMultipleLanguages',
    });
  }
  for (const key of chosen.slice(1)) {
    out.push({
      path: [...path, key],
      message: `Cannot be set together with ${chosen[0]}: use one of LanguageCode, IdentifyLanguage and IdentifyMultipleLanguages`,
    });
  }
}

function elementRules(element: unknown, path: readonly PropertyKey[], out: RawIssue[]): void {
  if (!isRecord(element) || !isElementType(element.Type)) return; // zod reports the Type
  const type = element.Type;
  const own = configurationKeyOf(type);
  for (const other of ELEMENT_TYPES) {
    const key = configurationKeyOf(other);
    if (other !== type && element[key] !== undefined) {
      out.push({ path: [...path, key], message: `Not allowed in an element of Type "${type}" (use ${own})` });
    }
  }
  const config = element[own];
  if (config === undefined) {
    // The model only requires Type, but a Transcribe processor without its language cannot run.
    if (type === 'AmazonTranscribeCallAnalyticsProcessor' || type === 'AmazonTranscribeProcessor')
      out.push({ path: [...path, own], message: 'Required' });
    return;
  }
  if (!isRecord(config)) return;
  const configPath = [...path, own];
  if (type === 'AmazonTranscribeCallAnalyticsProcessor') {
    piiRules(config, configPath, out);
    listLength(
      config.CallAnalyticsStreamCategories,
      [...configPath, 'CallAnalyticsStreamCategories'],
      LIMITS.categories,
      'categories',
      out,
    );
  } else if (type === 'AmazonTranscribeProcessor') {
    transcribeLanguageRules(config, configPath, out);
    piiRules(config, configPath, out);
  }
}

function alertRules(alerts: unknown, path: readonly PropertyKey[], out: RawIssue[]): void {
  if (!isRecord(alerts)) return;
  const rules = alerts.Rules;
  listLength(rules, [...path, 'Rules'], LIMITS.rules, 'rules', out);
  if (!Array.isArray(rules)) return;
  rules.forEach((rule: unknown, i) => {
    const rulePath = [...path, 'Rules', i];
    if (!isRecord(rule) || typeof rule.Type !== 'string') return;
    if (!(REAL_TIME_ALERT_RULE_TYPES as readonly string[]).includes(rule.Type)) return;
    const own = `${rule.Type}Configuration`;
    for (const other of REAL_TIME_ALERT_RULE_TYPES) {
      const key = `${other}Configuration`;
      if (key !== own && rule[key] !== undefined)
        out.push({
          path: [...rulePath, key],
          message: `Not allowed in a rule of Type "${rule.Type}" (use ${own})`,
        });
    }
    const config = rule[own];
    if (config === undefined) out.push({ path: [...rulePath, own], message: 'Required' });
    else if (isRecord(config) && rule.Type === 'KeywordMatch')
      listLength(config.Keywords, [...rulePath, own, 'Keywords'], LIMITS.keywords, 'keywords', out);
  });
}

function modelRules(input: unknown, out: RawIssue[]): void {
  if (!isRecord(input)) return;
  listLength(input.Tags, ['Tags'], LIMITS.tags, 'tags', out);
  if (Array.isArray(input.Elements))
    input.Elements.forEach((e: unknown, i) => elementRules(e, ['Elements', i], out));
  alertRules(input.RealTimeAlertConfiguration, ['RealTimeAlertConfiguration'], out);
}

// ---------------------------------------------------------------------------------------------
// Running both passes, and presenting the result.

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Why a key is unknown, when we can tell: a different case, or a setting one level too high. */
function unknownKeyMessage(owner: unknown, key: string): string {
  const type = isRecord(owner) && typeof owner.Type === 'string' ? owner.Type : undefined;
  const nested = type === undefined ? undefined : `${type}Configuration`;
  if (nested !== undefined && NESTED_KEYS[nested]?.includes(key))
    return `Unknown key (it belongs inside ${nested})`;
  const hint = [...KEY_RANK.keys()].find(
    (known) => known !== key && known.toLowerCase() === key.toLowerCase(),
  );
  return hint ? `Unknown key (did you mean ${hint}?)` : 'Unknown key';
}

function zodIssues(issues: readonly z.core.$ZodIssue[], input: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const owner = valueAt(input, issue.path);
      for (const key of issue.keys)
        out.push({ path: [...issue.path, key], message: unknownKeyMessage(owner, key) });
    } else {
      out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}

function compareKeys(a: PropertyKey, b: PropertyKey, owner: PropertyKey | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const ranks = OWNER_KEY_RANK.get(String(owner));
  const rank = (key: string): number => ranks?.get(key) ?? KEY_RANK.get(key) ?? Number.MAX_SAFE_INTEGER;
  const ra = rank(String(a));
  const rb = rank(String(b));
  return ra !== rb ? ra - rb : String(a).localeCompare(String(b));
}

function comparePaths(a: readonly PropertyKey[], b: readonly PropertyKey[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareKeys(a[i]!, b[i]!, i > 0 ? a[i - 1] : undefined);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Sorts problems in document order, drops duplicates and formats their paths (`Elements[2].Type`). */
export function finishIssues(issues: readonly RawIssue[]): ConfigurationIssue[] {
  const seen = new Set<string>();
  const out: ConfigurationIssue[] = [];
  for (const issue of [...issues].sort((a, b) => comparePaths(a.path, b.path))) {
    const formatted = { path: formatPath(issue.path), message: issue.message };
    const key = `${formatted.path}\u0000${formatted.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(formatted);
  }
  return out;
}

const errorMap = (issue: { code?: string; input?: unknown; expected?: string }): string | undefined => {
  if (issue.code !== 'invalid_type' && issue.code !== 'invalid_value') return undefined;
  if (issue.input === undefined) return 'Required';
  if (issue.code === 'invalid_value') return undefined;
  return `Expected ${issue.expected ?? 'another type'}, received ${describeType(issue.input)}`;
};

/** Both passes over a request body: the typed value when there is no problem, else every problem. */
export function collectIssues<T>(
  schema: z.ZodType<T>,
  input: unknown,
): { readonly value: T | undefined; readonly issues: RawIssue[] } {
  const issues: RawIssue[] = [];
  const result = schema.safeParse(input, { error: errorMap });
  if (!result.success) issues.push(...zodIssues(result.error.issues, input));
  modelRules(input, issues);
  return { value: issues.length === 0 && result.success ? result.data : undefined, issues };
}

/**
 * An element of a document that failed validation which is still worth judging for Callsight support:
 * a known Type and, if present, a configuration object. Its fields may still be wrong; the plan reads
 * them defensively and its findings at paths the schema already reported are dropped.
 */
export function plannableElement(input: unknown): MediaInsightsPipelineConfigurationElement | undefined {
  if (!isRecord(input) || !isElementType(input.Type)) return undefined;
  const config = input[configurationKeyOf(input.Type)];
  if (config !== undefined && !isRecord(config)) return undefined;
  return input as MediaInsightsPipelineConfigurationElement;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly ConfigurationIssue[] };

function validate<T>(schema: z.ZodType<T>, input: unknown): ValidationResult<T> {
  const { value, issues } = collectIssues(schema, input);
  return value !== undefined ? { ok: true, value } : { ok: false, errors: finishIssues(issues) };
}

/** Checks a CreateMediaInsightsPipelineConfiguration body against the service model. */
export function validateCreateRequest(
  input: unknown,
): ValidationResult<CreateMediaInsightsPipelineConfigurationRequest> {
  return validate(createRequestSchema, input);
}

/** Checks an UpdateMediaInsightsPipelineConfiguration body against the service model. */
export function validateUpdateRequest(
  input: unknown,
): ValidationResult<UpdateMediaInsightsPipelineConfigurationRequest> {
  return validate(updateRequestSchema, input);
}

export type DocumentFormat = 'json' | 'yaml';

/**
 * Parses a configuration document. YAML is read as YAML 1.2 (so `yes`/`no` stay strings) with unique
 * keys; syntax errors become a ValidationError naming line and column.
 */
export function parseConfigurationDocument(
  text: string,
  format: DocumentFormat,
  what = 'configuration document',
): unknown {
  if (text.trim() === '') throw new ValidationError(what, [{ path: '', message: 'The document is empty' }]);
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ValidationError(what, [{ path: '', message: `Not valid JSON: ${errorMessage(err)}` }]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      what,
      doc.errors.map((e) => ({
        path: '',
        message: `Not valid YAML: ${(e.message.split('\n')[0] ?? e.message).replace(/:$/, '')}`,
      })),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // The yaml library refuses an alias bomb (aliases expanding to an exponential number of nodes).
    throw new ValidationError(what, [{ path: '', message: `Not valid YAML: ${errorMessage(err)}` }]);
  }
}

/** Problems one per line, for logs and start-up errors. */
export function describeIssues(issues: readonly ConfigurationIssue[]): string {
  return issues.map((i) => `${i.path || '(top level)'}: ${i.message}`).join('\n');
}
