import { ValidationError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import {
  ConfigurationConflictError,
  LIMITS,
  type CreateMediaInsightsPipelineConfigurationRequest,
  type MediaInsightsPipelineConfiguration,
  type MediaInsightsPipelineConfigurationElement,
  type RealTimeAlertConfiguration,
  type UpdateMediaInsightsPipelineConfigurationRequest,
} from './ConfigurationTypes.js';
import type { EnsureDefaultOptions, ListConfigurationsResult } from './ConfigurationStoreTypes.js';

/**
 * The rules every ConfigurationStore implementation keeps alike: identity, comparison, paging, the
 * Chime resource of a row, ClientRequestToken retries.
 */

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `arn:callsight:chime:<region>:<account>:media-insights-pipeline-configuration/` */
export function arnPrefix(region: string, account: string): string {
  return `arn:callsight:chime:${region}:${account}:media-insights-pipeline-configuration/`;
}

/** JSON with object keys sorted, so equal documents compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The parts of a configuration an update replaces, in a canonical form for comparisons. */
export function contentOf(request: {
  readonly ResourceAccessRoleArn?: string;
  readonly RealTimeAlertConfiguration?: RealTimeAlertConfiguration;
  readonly Elements: readonly MediaInsightsPipelineConfigurationElement[];
  readonly CallsightRetentionDays?: number;
}): string {
  return canonicalJson([
    request.ResourceAccessRoleArn ?? null,
    request.RealTimeAlertConfiguration ?? null,
    request.Elements,
    request.CallsightRetentionDays ?? null,
  ]);
}

export function encodeListToken(name: string): string {
  return Buffer.from(JSON.stringify({ after: name }), 'utf8').toString('base64url');
}

export function decodeListToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // reported below
  }
  throw new ValidationError('ListMediaInsightsPipelineConfigurations', [
    { path: 'NextToken', message: 'Not a token this server issued' },
  ]);
}

/** MaxResults checked against Chime's limits; the default is the maximum. */
export function checkMaxResults(maxResults: number | undefined): number {
  const max = maxResults ?? LIMITS.maxResults.max;
  if (!Number.isInteger(max) || max < LIMITS.maxResults.min || max > LIMITS.maxResults.max) {
    throw new ValidationError('ListMediaInsightsPipelineConfigurations', [
      {
        path: 'MaxResults',
        message: `Must be an integer from ${LIMITS.maxResults.min} to ${LIMITS.maxResults.max}`,
      },
    ]);
  }
  return max;
}

/** The options every ConfigurationStore implementation takes besides its database. */
export interface ConfigurationStoreCommonOptions {
  /** Region and account of the ARNs (config `voiceConnector.region` / `.account`). */
  readonly region: string;
  readonly account: string;
  /** Answers whether a configuration is in use (e.g. by a running pipeline); delete then conflicts. */
  readonly inUse?: (configuration: MediaInsightsPipelineConfiguration) => boolean;
  readonly logger?: Logger;
  /** Clock for timestamps (tests). Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** A stored configuration with its JSON columns decoded and its timestamps as ISO strings. */
export interface ConfigurationRecord {
  readonly id: string;
  readonly name: string;
  readonly resource_access_role_arn: string | null;
  readonly real_time_alert_configuration: RealTimeAlertConfiguration | null;
  readonly elements: MediaInsightsPipelineConfigurationElement[];
  readonly retention_days: number | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** The Chime resource of a stored configuration; `prefix` is the store's arnPrefix(). */
export function toConfiguration(
  prefix: string,
  row: ConfigurationRecord,
): MediaInsightsPipelineConfiguration {
  return {
    MediaInsightsPipelineConfigurationName: row.name,
    MediaInsightsPipelineConfigurationArn: `${prefix}${row.name}`,
    ...(row.resource_access_role_arn !== null ? { ResourceAccessRoleArn: row.resource_access_role_arn } : {}),
    ...(row.real_time_alert_configuration !== null
      ? { RealTimeAlertConfiguration: row.real_time_alert_configuration }
      : {}),
    Elements: row.elements,
    ...(row.retention_days !== null ? { CallsightRetentionDays: row.retention_days } : {}),
    MediaInsightsPipelineConfigurationId: row.id,
    CreatedTimestamp: row.created_at,
    UpdatedTimestamp: row.updated_at,
  };
}

/**
 * How to look an identifier up: the name to try first (none for an ARN of another store), then the id
 * to try when the name is not found (only for a UUID that is not an ARN).
 */
export function identifierLookup(
  identifier: string,
  prefix: string,
): { readonly name?: string; readonly id?: string } {
  if (identifier.startsWith('arn:')) {
    return identifier.startsWith(prefix) ? { name: identifier.slice(prefix.length) } : {};
  }
  return UUID.test(identifier) ? { name: identifier, id: identifier.toLowerCase() } : { name: identifier };
}

/** Delete conflicts while the configuration is in use. */
export function assertDeletable(
  configuration: MediaInsightsPipelineConfiguration,
  inUse: (configuration: MediaInsightsPipelineConfiguration) => boolean,
): void {
  if (inUse(configuration)) {
    throw new ConfigurationConflictError(
      `media insights pipeline configuration ${configuration.MediaInsightsPipelineConfigurationName} is in use and cannot be deleted`,
    );
  }
}

/** One page of ListMediaInsightsPipelineConfigurations from up to `max + 1` rows ordered by name. */
export function listPage(
  rows: readonly { readonly id: string; readonly name: string }[],
  max: number,
  prefix: string,
): ListConfigurationsResult {
  const page = rows.slice(0, max);
  const last = page.at(-1);
  return {
    MediaInsightsPipelineConfigurations: page.map((row) => ({
      MediaInsightsPipelineConfigurationName: row.name,
      MediaInsightsPipelineConfigurationId: row.id,
      MediaInsightsPipelineConfigurationArn: `${prefix}${row.name}`,
    })),
    ...(rows.length > max && last ? { NextToken: encodeListToken(last.name) } : {}),
  };
}

/**
 * A create whose name is taken: a retry of a create that succeeded (same ClientRequestToken, same
 * body) returns the stored configuration (Chime's ClientRequestToken); anything else conflicts.
 */
export function createRetryOrConflict(
  request: CreateMediaInsightsPipelineConfigurationRequest,
  existing:
    | {
        readonly clientRequestToken: string | null;
        readonly configuration: MediaInsightsPipelineConfiguration;
      }
    | undefined,
): MediaInsightsPipelineConfiguration {
  const name = request.MediaInsightsPipelineConfigurationName;
  if (
    existing &&
    request.ClientRequestToken !== undefined &&
    existing.clientRequestToken === request.ClientRequestToken
  ) {
    if (contentOf(existing.configuration) === contentOf(request)) return existing.configuration;
    throw new ConfigurationConflictError(
      `ClientRequestToken ${request.ClientRequestToken} was used to create ${name} with a different body`,
    );
  }
  throw new ConfigurationConflictError(
    `a media insights pipeline configuration named ${name} already exists`,
  );
}

/** ensureDefault: whether the stored configuration stays as it is. */
export function isCurrent(
  stored: MediaInsightsPipelineConfiguration,
  request: CreateMediaInsightsPipelineConfigurationRequest,
  options: EnsureDefaultOptions,
): boolean {
  return options.refresh === false || contentOf(stored) === contentOf(request);
}

/** The columns a create or update writes from the request, in the order both statements take them. */
export function requestColumns(
  request: UpdateMediaInsightsPipelineConfigurationRequest,
): [roleArn: string | null, alerts: string | null, elements: string, retentionDays: number | null] {
  return [
    request.ResourceAccessRoleArn ?? null,
    request.RealTimeAlertConfiguration ? JSON.stringify(request.RealTimeAlertConfiguration) : null,
    JSON.stringify(request.Elements),
    request.CallsightRetentionDays ?? null,
  ];
}

/** An update's timestamp: never earlier than the creation, even if the clock stepped back. */
export function notBefore<T extends string | Date>(now: T, createdAt: T): T {
  return now > createdAt ? now : createdAt;
}
