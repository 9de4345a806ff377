import { DetailType } from '../../../client/src/DetailTypes.js';
import { isObject, type StreamRecord } from '../../../client/src/records.js';

export { isObject, type StreamRecord };

/**
 * Reading stream records (docs/messages.md) defensively. Every field may be missing or of the wrong
 * type: records come from SIP peers (numbers, display names, headers) and from any producer that can
 * write to the stream, so nothing here trusts a shape, and nothing is ever rendered as HTML.
 */

export type Role = 'AGENT' | 'CUSTOMER';

export type JsonObject = Readonly<Record<string, unknown>>;

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A number, or a numeric string (Chime's examples quote some numbers). */
export function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function obj(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The record's kind: its `detail-type`; a bare `{summarization}` (the AWS summarizer sample posts no
 * detail-type) is a Summarization. The seed's app threw on records without one; we label them.
 */
export function detailTypeOf(record: JsonObject): string {
  const type = str(record['detail-type']);
  if (type) return type;
  if (typeof record.summarization === 'string') return DetailType.Summarization;
  return '(no detail-type)';
}

/** The event type within a kind, used as a sub-filter: streaming status, pipeline event, partial/final… */
export function subTypeOf(record: JsonObject, type: string): string | null {
  const detail = obj(record.detail);
  switch (type) {
    case DetailType.StreamingStatus:
      return str(detail.streamingStatus);
    case DetailType.StateChange: {
      const eventType = str(detail.eventType);
      return eventType ? eventType.replace(/^chime:/, '') : null;
    }
    case DetailType.Transcribe: {
      const partial = obj(record.TranscriptEvent).IsPartial;
      return typeof partial === 'boolean' ? (partial ? 'partial' : 'final') : null;
    }
    case DetailType.TranscribeCallAnalytics: {
      const partial = obj(record.UtteranceEvent).IsPartial;
      return typeof partial === 'boolean' ? (partial ? 'partial' : 'final') : null;
    }
    case DetailType.VoiceToneAnalysisStatus:
    case DetailType.VoiceAnalyticsStatus:
    case DetailType.SpeakerSearchStatus:
      return str(detail.detailStatus);
    case DetailType.RulesMatched:
      return str(detail.ruleName);
    case DetailType.PipelineAlert:
      return str(detail.severity);
    case DetailType.Audit:
      return str(detail.action);
    default:
      return str(record['callevent-type']) ?? str(record['detail-subtype']);
  }
}

/** `metadata` is a JSON-encoded string in practice, an object in some of Chime's examples: accept both. */
export function parseMetadata(record: JsonObject): JsonObject {
  const metadata = record.metadata;
  if (isObject(metadata)) return metadata;
  if (typeof metadata !== 'string') return {};
  try {
    return obj(JSON.parse(metadata));
  } catch {
    return {};
  }
}

/** A JSON value carried as a string (Chime's oneTimeMetadata, inviteHeaders…), or the object itself. */
export function decodeNested(value: unknown): JsonObject {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return {};
  try {
    return obj(JSON.parse(value));
  } catch {
    return {};
  }
}

/** The last path segment of an ARN (`…/media-pipeline/<id>` → `<id>`). */
export function arnId(arn: string | null): string | null {
  if (!arn) return null;
  const slash = arn.lastIndexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}

/** `ch_0` → 0. */
export function channelNumber(channelId: unknown): number | null {
  if (typeof channelId === 'number' && Number.isInteger(channelId)) return channelId;
  const match = typeof channelId === 'string' ? /^ch_(\d+)$/.exec(channelId) : null;
  return match ? Number(match[1]) : null;
}

export function isRole(value: unknown): value is Role {
  return value === 'AGENT' || value === 'CUSTOMER';
}

/**
 * Callsight's documented default when a record names no ParticipantRole: channel 0 carries the
 * caller's stream, who is the CUSTOMER; channel 1 is the AGENT (docs/messages.md, ALL_STARTED).
 */
export function defaultRole(channel: number | null): Role {
  return channel === 1 ? 'AGENT' : 'CUSTOMER';
}

/** Only http(s) and same-origin relative URLs may become a link or an audio source. */
export function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const base = (globalThis as { location?: { href: string } }).location?.href ?? 'http://localhost/';
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
