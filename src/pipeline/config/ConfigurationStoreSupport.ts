import { ValidationError } from '../../errors.js';
import {
  LIMITS,
  type MediaInsightsPipelineConfigurationElement,
  type RealTimeAlertConfiguration,
} from './ConfigurationTypes.js';

/** What every ConfigurationStore implementation does the same way: identity, comparison, paging. */

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
}): string {
  return canonicalJson([
    request.ResourceAccessRoleArn ?? null,
    request.RealTimeAlertConfiguration ?? null,
    request.Elements,
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
