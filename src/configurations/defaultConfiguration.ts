/**
 * The configuration every call gets unless a rule names another, and loading configurations from
 * JSON or YAML files at start-up.
 *
 * The seed (chime-spec.md §1.1) creates `CallAnalyticsReader` with Transcribe en-US, a Kinesis Data
 * Stream sink, S3 recording, voice analytics and a Lambda sink. Callsight's default keeps the two
 * elements it fully honours, so a fresh start logs no warning; the others can be added in a file.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CallsightError, errorMessage, ValidationError } from '../platform/errors.js';
import { describeIssues, parseConfigurationDocument } from './ConfigurationSchema.js';
import type {
  CreateMediaInsightsPipelineConfigurationRequest,
  ConfigurationIssue,
} from './ConfigurationTypes.js';
import { checkCreateRequest, type ConfigurationPlan } from './ConfigurationPlan.js';
import { EMBEDDED_ONLY, type EngineKinds } from './EngineSupport.js';

export const DEFAULT_CONFIGURATION_NAME = 'callsight-default';

export interface ConfigurationOrigin {
  /** Config `voiceConnector.region` and `.account`, as in every ARN Callsight makes. */
  readonly region: string;
  readonly account: string;
}

/** Transcribe (en-US) into the data stream: the seed's configuration, minus what Callsight cannot honour yet. */
export function defaultConfiguration(
  origin: ConfigurationOrigin,
  name = DEFAULT_CONFIGURATION_NAME,
): CreateMediaInsightsPipelineConfigurationRequest {
  return {
    MediaInsightsPipelineConfigurationName: name,
    Elements: [
      {
        Type: 'AmazonTranscribeProcessor',
        AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
      },
      {
        Type: 'KinesisDataStreamSink',
        KinesisDataStreamSinkConfiguration: {
          InsightsTarget: `arn:callsight:kinesis:${origin.region}:${origin.account}:stream/callsight`,
        },
      },
    ],
  };
}

export interface LoadedConfiguration {
  readonly request: CreateMediaInsightsPipelineConfigurationRequest;
  readonly plan: ConfigurationPlan;
  /** Accepted but not (fully) honoured; log them. */
  readonly warnings: readonly ConfigurationIssue[];
  /** The file it came from, or `built-in`. */
  readonly source: string;
}

/**
 * Checks a configuration document (schema, Chime's rules, Callsight support). A document without a
 * name gets `defaultName`. Throws CS_ERR_CONFIG_INVALID listing every problem with its path.
 */
export function checkedConfiguration(
  document: unknown,
  source: string,
  defaultName?: string,
  engines: EngineKinds = EMBEDDED_ONLY,
): LoadedConfiguration {
  const named =
    defaultName !== undefined &&
    typeof document === 'object' &&
    document !== null &&
    !Array.isArray(document) &&
    !('MediaInsightsPipelineConfigurationName' in document)
      ? { MediaInsightsPipelineConfigurationName: defaultName, ...document }
      : document;
  const result = checkCreateRequest(named, engines);
  if (!result.ok) {
    const cause = new ValidationError(`configuration ${source}`, result.errors);
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `call analytics configuration ${source} is invalid:\n  ${describeIssues(result.errors).replaceAll('\n', '\n  ')}`,
      { cause },
    );
  }
  return { request: result.value, plan: result.plan, warnings: result.warnings, source };
}

/** Parses a JSON (`.json`) or YAML (anything else) configuration file, without checking it. */
export function readConfigurationFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `cannot read call analytics configuration ${file}: ${errorMessage(cause)}`,
      { cause },
    );
  }
  try {
    return parseConfigurationDocument(text, extname(file).toLowerCase() === '.json' ? 'json' : 'yaml', file);
  } catch (cause) {
    const problems = cause instanceof ValidationError ? describeIssues(cause.problems) : errorMessage(cause);
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `call analytics configuration ${file}: ${problems}`, {
      cause,
    });
  }
}

/** Reads and checks a configuration file; see checkedConfiguration. */
export function loadConfigurationFile(
  file: string,
  defaultName?: string,
  engines: EngineKinds = EMBEDDED_ONLY,
): LoadedConfiguration {
  return checkedConfiguration(readConfigurationFile(file), file, defaultName, engines);
}

/**
 * The default configuration for start-up: the file when one is given (a name-less file is named
 * `name`), else the built-in one. Pass the result to `store.ensureDefault(loaded.request, { refresh })`
 * with `refresh` true for a file (the operator's edits win) and false for the built-in one (edits made
 * through the REST API survive restarts).
 */
export function loadDefaultConfiguration(options: {
  readonly file?: string;
  readonly origin: ConfigurationOrigin;
  readonly name?: string;
  /** The speech engines configurations may name (default: the embedded one). */
  readonly engines?: EngineKinds;
}): LoadedConfiguration & { readonly refresh: boolean } {
  const name = options.name ?? DEFAULT_CONFIGURATION_NAME;
  if (options.file !== undefined)
    return { ...loadConfigurationFile(options.file, name, options.engines), refresh: true };
  return { ...checkedConfiguration(defaultConfiguration(options.origin, name), 'built-in'), refresh: false };
}
