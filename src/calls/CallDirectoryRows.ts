import type { CallInfo } from '../connector/CallTypes.js';
import { ValidationError } from '../platform/errors.js';
import { nullableInt, type ColumnDecoder } from '../platform/database/columns.js';
import type { Pipeline } from '../pipeline/Pipeline.js';
import type { PipelineStatus } from '../pipeline/PipelineTypes.js';
import type { CallEntry, CallInfoJson, PipelineEntry } from './CallDirectoryTypes.js';

/**
 * The calls and pipelines tables' rows, as both call directories (SQLite, PostgreSQL) read and write
 * them, and the list limit both check.
 */

export function callInfoJson(info: CallInfo): CallInfoJson {
  return { ...info, startedAt: info.startedAt.toISOString() };
}

/** A list limit: 1..1000, default 100. */
export function checkLimit(limit: number | undefined, what: string): number {
  const value = limit ?? 100;
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw new ValidationError(what, [{ path: 'limit', message: 'Must be an integer from 1 to 1000' }]);
  return value;
}

/** The rows as a driver returns them (see ColumnDecoder). */
export interface CallRow<Json, Int> {
  call_id: string;
  info: Json;
  owner: string | null;
  started_at: Int;
  ended_at: Int | null;
  last_media_at: Int | null;
  updated_at: Int;
}

export interface PipelineRow<Json, Int> {
  pipeline_id: string;
  call_id: string;
  status: string;
  configuration_name: string;
  configuration_arn: string;
  owner: string | null;
  created_at: Int;
  updated_at: Int;
  document: Json;
}

export function callEntry<Json, Int>(row: CallRow<Json, Int>, decode: ColumnDecoder<Json, Int>): CallEntry {
  return {
    callId: row.call_id,
    info: decode.json(row.info) as CallInfoJson,
    owner: row.owner,
    startedAt: decode.int(row.started_at),
    endedAt: nullableInt(decode, row.ended_at),
    lastMediaAt: nullableInt(decode, row.last_media_at),
    updatedAt: decode.int(row.updated_at),
  };
}

export function pipelineEntry<Json, Int>(
  row: PipelineRow<Json, Int>,
  decode: ColumnDecoder<Json, Int>,
): PipelineEntry {
  return {
    pipelineId: row.pipeline_id,
    callId: row.call_id,
    status: row.status as PipelineStatus,
    configurationName: row.configuration_name,
    configurationArn: row.configuration_arn,
    owner: row.owner,
    createdAt: decode.int(row.created_at),
    updatedAt: decode.int(row.updated_at),
    document: decode.json(row.document) as Record<string, unknown>,
  };
}

/**
 * putPipeline's values, in the column order (pipeline_id, call_id, status, configuration_name,
 * configuration_arn, owner, created_at, updated_at, document).
 */
export function pipelineValues(entry: PipelineEntry): unknown[] {
  return [
    entry.pipelineId,
    entry.callId,
    entry.status,
    entry.configurationName,
    entry.configurationArn,
    entry.owner,
    entry.createdAt,
    entry.updatedAt,
    JSON.stringify(entry.document),
  ];
}

/** A running pipeline's entry as of its latest state, held by `owner`. */
export function pipelineEntryOf(pipeline: Pipeline, owner: string | null): PipelineEntry {
  return {
    pipelineId: pipeline.id,
    callId: pipeline.call.callId,
    status: pipeline.status,
    configurationName: pipeline.configurationName,
    configurationArn: pipeline.configurationArn,
    owner,
    createdAt: pipeline.createdAt.getTime(),
    updatedAt: pipeline.updatedAt.getTime(),
    document: pipeline.toJSON(),
  };
}
