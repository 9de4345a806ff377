import {
  arnId,
  arr,
  channelNumber,
  decodeNested,
  defaultRole,
  detailTypeOf,
  isRole,
  num,
  obj,
  parseMetadata,
  safeUrl,
  str,
  type JsonObject,
  type Role,
  type StreamRecord,
} from './records.js';
import { DetailType } from '../../../client/src/DetailTypes.js';
import type { CharRange, PiiEntity } from './TranscriptText.js';

export const ROLES: readonly Role[] = ['CUSTOMER', 'AGENT'];

/** One utterance of the transcript: partial results update it in place until its final arrives. */
export interface Segment {
  readonly key: string;
  readonly role: Role;
  /** The record named the role (ParticipantRole); otherwise it comes from the channel's mapping. */
  readonly roleFromRecord: boolean;
  readonly channel: number | null;
  /** Seconds from the start of the call. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly partial: boolean;
  /** POSITIVE | NEGATIVE | NEUTRAL | MIXED (call analytics finals only). */
  readonly sentiment: string | null;
  readonly pii: readonly PiiEntity[];
  readonly issues: readonly CharRange[];
  /** Names of the real-time alert rules this utterance matched. */
  readonly alerts: readonly string[];
}

export interface SentimentPoint {
  /** Seconds from the start of the call. */
  readonly t: number;
  /** −1 (negative) … +1 (positive). */
  readonly value: number;
  readonly label: string;
  readonly source: 'utterance' | 'voice tone';
}

export interface CallAlert {
  readonly seq: string;
  readonly kind: 'rule' | 'pipeline' | 'webhook' | 'category';
  readonly severity: 'info' | 'warning' | 'critical';
  readonly title: string;
  readonly detail: string;
  readonly time: string | null;
}

export type PipelineStatus =
  'Initializing' | 'InProgress' | 'Paused' | 'Stopped' | 'Failed' | 'TemporarilyFailed' | 'Unknown';

export interface PipelineInfo {
  readonly id: string;
  readonly arn: string | null;
  readonly status: PipelineStatus;
  readonly eventType: string;
  readonly failureReason: string | null;
  readonly elements: readonly { readonly type: string; readonly status: string }[];
  readonly time: string | null;
}

export interface RecordingInfo {
  readonly seq: string;
  /** Browser-fetchable URL, or null when the record's URL is not http(s). */
  readonly url: string | null;
  readonly name: string;
  readonly durationSeconds: number | null;
  readonly subtype: string | null;
}

export interface PostCallInfo {
  readonly seq: string;
  readonly status: string;
  /** The post-call analytics document (Transcribe's TranscriptFileUri), when the browser can fetch it. */
  readonly documentUrl: string | null;
  readonly fields: readonly { readonly name: string; readonly value: string }[];
}

export type CallPhase = 'starting' | 'live' | 'ended';

export interface CallState {
  readonly callId: string;
  transactionId: string | null;
  fromNumber: string | null;
  toNumber: string | null;
  direction: string | null;
  /** Epoch ms: when the INVITE arrived (the zero of transcript times), else the first record. */
  startedAt: number | null;
  endedAt: number | null;
  phase: CallPhase;
  streamsStarted: number;
  streamsEnded: number;
  readonly channelRoles: Map<number, Role>;
  /** In order of start time. */
  readonly segments: Segment[];
  readonly sentiment: Record<Role, SentimentPoint[]>;
  readonly currentSentiment: Partial<Record<Role, string>>;
  readonly alerts: CallAlert[];
  /** Category name → time ranges (ms from the start of the call). */
  readonly categories: Map<string, CharRange[]>;
  readonly pipelines: Map<string, PipelineInfo>;
  readonly recordings: RecordingInfo[];
  summary: string | null;
  postCall: PostCallInfo | null;
  inviteHeaders: Readonly<Record<string, string>>;
  messages: number;
  lastSeq: string;
  /** Bumped on every change: views memoize on it. */
  version: number;
}

const SENTIMENT_VALUE: Readonly<Record<string, number>> = { POSITIVE: 1, NEGATIVE: -1, NEUTRAL: 0, MIXED: 0 };

const PIPELINE_STATUS: Readonly<Record<string, PipelineStatus>> = {
  MediaInsightsCreated: 'Initializing',
  MediaInsightsInProgress: 'InProgress',
  MediaInsightsPaused: 'Paused',
  MediaInsightsStopped: 'Stopped',
  MediaInsightsPermanentFailure: 'Failed',
  MediaInsightsCreateFailed: 'Failed',
  MediaInsightsTemporaryFailure: 'TemporarilyFailed',
};

/** Default bound of the call list: the oldest ended calls go first. */
export const DEFAULT_CALL_CAP = 500;

/**
 * Every call the page has heard of, built from stream records alone (the stream is the source of
 * truth: replaying it rebuilds this exactly). Records are applied in sequence order, one at a time.
 */
export class CallsModel {
  readonly #calls = new Map<string, CallState>();
  readonly #segmentIndex = new Map<string, Map<string, number>>();
  readonly #byTransaction = new Map<string, string>();
  readonly #byPipeline = new Map<string, string>();
  readonly #bySession = new Map<string, string>();
  readonly #cap: number;
  /** Bumped when a call is added or removed, or changes phase: the list re-sorts on it. */
  listVersion = 0;

  constructor(cap = DEFAULT_CALL_CAP) {
    this.#cap = cap;
  }

  get(callId: string): CallState | undefined {
    return this.#calls.get(callId);
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Live calls first (newest first), then ended ones (most recently ended first). */
  list(): CallState[] {
    const rank = (c: CallState) => (c.phase === 'ended' ? 1 : 0);
    return [...this.#calls.values()].sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (rank(a) === 1 ? (b.endedAt ?? 0) - (a.endedAt ?? 0) : (b.startedAt ?? 0) - (a.startedAt ?? 0)),
    );
  }

  /**
   * The call a record belongs to: `detail.callId` or `metadata.callId`, else through the
   * transaction, pipeline or post-call session it names.
   */
  callIdOf(record: JsonObject): string | null {
    const detail = obj(record.detail);
    const metadata = parseMetadata(record);
    const source = decodeNested(detail.sourceMetadata);
    const callId = str(detail.callId) ?? str(metadata.callId) ?? str(source.callId);
    const transactionId = str(detail.transactionId) ?? str(metadata.transactionId);
    const pipelineId =
      str(record.mediaInsightsPipelineId) ??
      str(detail.mediaInsightsPipelineId) ??
      arnId(str(detail.mediaInsightsPipelineArn)) ??
      arnId(str(detail.sourceArn));
    if (callId) {
      if (transactionId) this.#byTransaction.set(transactionId, callId);
      if (pipelineId) this.#byPipeline.set(pipelineId, callId);
      return callId;
    }
    return (
      (transactionId ? this.#byTransaction.get(transactionId) : undefined) ??
      (pipelineId ? this.#byPipeline.get(pipelineId) : undefined) ??
      this.#bySession.get(str(detail.StreamingSessionId) ?? '') ??
      null
    );
  }

  /**
   * Roles of the call's channels as its pipeline was created with them (GetMediaPipeline's
   * ChannelDefinitions; a SIPREC call may put the agent on channel 0). Utterances whose role came
   * from the default mapping follow. Returns whether anything changed.
   */
  setChannelRoles(callId: string, roles: ReadonlyMap<number, Role>): boolean {
    const call = this.#calls.get(callId);
    if (!call) return false;
    let changed = false;
    for (const [channel, role] of roles) {
      if (call.channelRoles.get(channel) === role) continue;
      call.channelRoles.set(channel, role);
      changed = true;
    }
    if (!changed) return false;
    for (const [i, segment] of call.segments.entries()) {
      const role = segment.channel !== null ? roles.get(segment.channel) : undefined;
      if (!segment.roleFromRecord && role && role !== segment.role) call.segments[i] = { ...segment, role };
    }
    call.version++;
    return true;
  }

  /** Applies one record; returns the call it changed, if any. */
  apply(record: StreamRecord, callId: string | null): CallState | null {
    const type = detailTypeOf(record);
    if (callId === null) {
      if (type === DetailType.Summarization && typeof record.summarization === 'string') {
        // The AWS summarizer posts a bare {summarization} when a pipeline stops: the latest ended call's.
        const latest = this.list().find((c) => c.phase === 'ended');
        if (latest) {
          latest.summary = record.summarization;
          return this.#touched(latest, record);
        }
      }
      return null;
    }
    const call = this.#call(callId, record);
    const detail = obj(record.detail);
    switch (type) {
      case DetailType.StreamingStatus:
        this.#streamingStatus(call, detail);
        break;
      case DetailType.StateChange:
        this.#stateChange(call, record, detail);
        break;
      case DetailType.CallAnalyticsMetadata:
        this.#metadata(call, record);
        break;
      case DetailType.Transcribe:
        this.#transcribe(call, record);
        break;
      case DetailType.TranscribeCallAnalytics:
        this.#utterance(call, obj(record.UtteranceEvent));
        break;
      case DetailType.CategoryEvent:
        this.#categories(call, record);
        break;
      case DetailType.VoiceToneAnalysisStatus:
        this.#voiceTone(call, detail);
        break;
      case DetailType.RulesMatched:
        this.#ruleMatched(call, record, detail);
        break;
      case DetailType.PipelineAlert:
        call.alerts.push({
          seq: record.sequenceNumber,
          kind: 'pipeline',
          severity: str(detail.severity) === 'critical' ? 'critical' : 'warning',
          title: `${str(detail.elementType) ?? 'Pipeline'} failed`,
          detail: str(detail.reason) ?? '',
          time: str(record.time),
        });
        break;
      case DetailType.WebhookDeadLetter:
        call.alerts.push({
          seq: record.sequenceNumber,
          kind: 'webhook',
          severity: 'warning',
          title: 'Webhook gave up',
          detail: `${str(detail.url) ?? ''}: ${str(detail.error) ?? ''} (${num(detail.attempts) ?? '?'} attempts)`,
          time: str(record.time),
        });
        break;
      case DetailType.Recording:
        this.#recording(call, record);
        break;
      case DetailType.Summarization:
        if (typeof record.summarization === 'string') call.summary = record.summarization;
        break;
      default:
        if (type === DetailType.PostCall || /post.?call/i.test(type)) this.#postCall(call, record, detail);
    }
    return this.#touched(call, record);
  }

  #touched(call: CallState, record: StreamRecord): CallState {
    call.messages++;
    call.lastSeq = record.sequenceNumber;
    call.version++;
    return call;
  }

  #call(callId: string, record: StreamRecord): CallState {
    let call = this.#calls.get(callId);
    if (call) return call;
    const detail = obj(record.detail);
    const metadata = parseMetadata(record);
    const time = Date.parse(str(record.time) ?? '');
    call = {
      callId,
      transactionId: str(detail.transactionId) ?? str(metadata.transactionId),
      fromNumber: str(detail.fromNumber) ?? str(metadata.fromNumber),
      toNumber: str(detail.toNumber) ?? str(metadata.toNumber),
      direction: str(detail.direction) ?? str(metadata.direction),
      startedAt: Number.isFinite(time) ? time : null,
      endedAt: null,
      phase: 'starting',
      streamsStarted: 0,
      streamsEnded: 0,
      channelRoles: new Map(),
      segments: [],
      sentiment: { CUSTOMER: [], AGENT: [] },
      currentSentiment: {},
      alerts: [],
      categories: new Map(),
      pipelines: new Map(),
      recordings: [],
      summary: null,
      postCall: null,
      inviteHeaders: {},
      messages: 0,
      lastSeq: record.sequenceNumber,
      version: 0,
    };
    this.#calls.set(callId, call);
    this.#segmentIndex.set(callId, new Map());
    this.listVersion++;
    this.#evict();
    return call;
  }

  /** Drops a call (it was erased): its records are gone from the server too. */
  forget(callId: string): boolean {
    if (!this.#calls.delete(callId)) return false;
    this.#segmentIndex.delete(callId);
    this.listVersion++;
    return true;
  }

  #evict(): void {
    if (this.#calls.size <= this.#cap) return;
    const ended = [...this.#calls.values()]
      .filter((c) => c.phase === 'ended')
      .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    for (const call of ended.slice(0, this.#calls.size - this.#cap)) {
      this.#calls.delete(call.callId);
      this.#segmentIndex.delete(call.callId);
    }
  }

  #phase(call: CallState, phase: CallPhase): void {
    if (call.phase === phase) return;
    call.phase = phase;
    this.listVersion++;
  }

  #streamingStatus(call: CallState, detail: JsonObject): void {
    call.fromNumber = str(detail.fromNumber) ?? call.fromNumber;
    call.toNumber = str(detail.toNumber) ?? call.toNumber;
    call.direction = str(detail.direction) ?? call.direction;
    call.transactionId = str(detail.transactionId) ?? call.transactionId;
    const headers = detail.inviteHeaders;
    if (headers && typeof headers === 'object') call.inviteHeaders = stringMap(headers);
    const status = str(detail.streamingStatus);
    const startTime = Date.parse(str(detail.startTime) ?? '');
    if (status === 'STARTED') {
      call.streamsStarted++;
      if (Number.isFinite(startTime) && call.phase === 'starting') call.startedAt = startTime;
      this.#phase(call, 'live');
    } else if (status === 'ALL_STARTED') {
      // The INVITE's arrival: the zero of every transcript time.
      if (Number.isFinite(startTime)) call.startedAt = startTime;
      for (const stream of arr(detail.streams)) {
        const s = obj(stream);
        const channel = num(s.channelId);
        if (channel !== null && isRole(s.participantRole)) call.channelRoles.set(channel, s.participantRole);
      }
      this.#phase(call, 'live');
    } else if (status === 'ENDED' || status === 'FAILED') {
      call.streamsEnded++;
      const end = Date.parse(str(detail.endTime) ?? str(detail.failTime) ?? '');
      if (Number.isFinite(end)) call.endedAt = Math.max(call.endedAt ?? 0, end);
      if (call.streamsEnded >= call.streamsStarted) {
        call.endedAt ??= Date.now();
        this.#phase(call, 'ended');
      }
    }
  }

  #stateChange(call: CallState, record: StreamRecord, detail: JsonObject): void {
    const arn = str(detail.mediaInsightsPipelineArn);
    const id = arnId(arn) ?? str(record.mediaInsightsPipelineId);
    if (!id) return;
    const eventType = (str(detail.eventType) ?? '').replace(/^chime:/, '');
    call.pipelines.set(id, {
      id,
      arn,
      status: PIPELINE_STATUS[eventType] ?? 'Unknown',
      eventType,
      failureReason: str(detail.failureReason),
      elements: arr(detail.mediaInsightsPipelineElementStatuses).map((e) => ({
        type: str(obj(e).type) ?? '?',
        status: str(obj(e).status) ?? '?',
      })),
      time: str(record.time),
    });
  }

  #metadata(call: CallState, record: StreamRecord): void {
    const metadata = parseMetadata(record);
    call.fromNumber = str(metadata.fromNumber) ?? call.fromNumber;
    call.toNumber = str(metadata.toNumber) ?? call.toNumber;
    call.direction = str(metadata.direction) ?? call.direction;
    const oneTime = decodeNested(metadata.oneTimeMetadata);
    const headers = decodeNested(oneTime.inviteHeaders ?? oneTime.sipHeaders);
    if (Object.keys(headers).length > 0) call.inviteHeaders = stringMap(headers);
    // LCA's rule: the post-call session id is the basename of s3RecordingUrl.
    const session = /([^/]+)\.wav$/.exec(str(oneTime.s3RecordingUrl) ?? '');
    if (session?.[1]) this.#bySession.set(session[1], call.callId);
  }

  #roleOf(call: CallState, role: unknown, channel: number | null): Role {
    if (isRole(role)) {
      if (channel !== null) call.channelRoles.set(channel, role);
      return role;
    }
    return (channel !== null ? call.channelRoles.get(channel) : undefined) ?? defaultRole(channel);
  }

  #transcribe(call: CallState, record: StreamRecord): void {
    const event = obj(record.TranscriptEvent);
    // Callsight and the seed flatten one result into TranscriptEvent; DG-OUT nests Transcript.Results[].
    const nested = arr(obj(event.Transcript).Results);
    const results = nested.length > 0 ? nested.map(obj) : [event];
    for (const result of results) {
      const alternatives = arr(result.Alternatives);
      if (alternatives.length === 0) continue;
      const alternative = obj(alternatives[0]);
      const channel = channelNumber(result.ChannelId);
      this.#upsertSegment(call, {
        key: str(result.ResultId) ?? `seq-${record.sequenceNumber}`,
        role: this.#roleOf(call, result.ParticipantRole, channel),
        roleFromRecord: isRole(result.ParticipantRole),
        channel,
        start: num(result.StartTime) ?? 0,
        end: num(result.EndTime) ?? num(result.StartTime) ?? 0,
        text: str(alternative.Transcript) ?? '',
        partial: result.IsPartial === true,
        sentiment: null,
        pii: entitiesOf(alternative.Entities),
        issues: [],
        alerts: [],
      });
    }
  }

  #utterance(call: CallState, event: JsonObject): void {
    const key = str(event.UtteranceId);
    if (!key) return;
    const channel = channelNumber(event.ChannelId);
    const role = this.#roleOf(call, event.ParticipantRole, channel);
    const start = (num(event.BeginOffsetMillis) ?? 0) / 1000;
    const partial = event.IsPartial === true;
    const sentiment = str(event.Sentiment);
    this.#upsertSegment(call, {
      key,
      role,
      roleFromRecord: isRole(event.ParticipantRole),
      channel,
      start,
      end: (num(event.EndOffsetMillis) ?? 0) / 1000,
      text: str(event.Transcript) ?? '',
      partial,
      sentiment,
      pii: entitiesOf(event.Entities),
      issues: arr(event.IssuesDetected).flatMap((issue) => {
        const offsets = obj(obj(issue).CharacterOffsets);
        const begin = num(offsets.Begin);
        const end = num(offsets.End);
        return begin !== null && end !== null && end > begin ? [{ begin, end }] : [];
      }),
      alerts: [],
    });
    if (!partial && sentiment && sentiment in SENTIMENT_VALUE) {
      call.sentiment[role].push({
        t: start,
        value: SENTIMENT_VALUE[sentiment]!,
        label: sentiment,
        source: 'utterance',
      });
      call.currentSentiment[role] = sentiment;
    }
  }

  #upsertSegment(call: CallState, segment: Segment): void {
    const index = this.#segmentIndex.get(call.callId)!;
    const at = index.get(segment.key);
    if (at !== undefined) {
      const previous = call.segments[at]!;
      if (!segment.partial && segment.text.trim() === '') {
        // A final that decoded to nothing clears its partial line.
        call.segments.splice(at, 1);
        this.#reindex(call, at);
        return;
      }
      call.segments[at] = { ...segment, alerts: previous.alerts };
      return;
    }
    if (!segment.partial && segment.text.trim() === '') return;
    // Usually the newest utterance: walk back from the end to keep the chat in time order.
    let position = call.segments.length;
    while (position > 0 && call.segments[position - 1]!.start > segment.start) position--;
    call.segments.splice(position, 0, segment);
    if (position === call.segments.length - 1) index.set(segment.key, position);
    else this.#reindex(call, position);
  }

  #reindex(call: CallState, from: number): void {
    const index = this.#segmentIndex.get(call.callId)!;
    for (let i = from; i < call.segments.length; i++) index.set(call.segments[i]!.key, i);
    for (const [key, i] of index)
      if (i >= call.segments.length || call.segments[i]!.key !== key) index.delete(key);
  }

  #categories(call: CallState, record: StreamRecord): void {
    const event = obj(record.CategoryEvent);
    const details = obj(event.MatchedDetails);
    for (const name of arr(event.MatchedCategories)) {
      if (typeof name !== 'string') continue;
      const ranges = arr(obj(details[name]).TimestampRanges).flatMap((r) => {
        const begin = num(obj(r).BeginOffsetMillis);
        const end = num(obj(r).EndOffsetMillis);
        return begin !== null && end !== null ? [{ begin, end }] : [];
      });
      const known = call.categories.get(name);
      if (known) known.push(...ranges);
      else {
        call.categories.set(name, ranges);
        call.alerts.push({
          seq: record.sequenceNumber,
          kind: 'category',
          severity: 'info',
          title: `Category: ${name}`,
          detail: ranges.map((r) => `${formatOffset(r.begin)}–${formatOffset(r.end)}`).join(', '),
          time: str(record.time),
        });
      }
    }
  }

  #voiceTone(call: CallState, detail: JsonObject): void {
    const status = str(detail.detailStatus);
    if (status !== 'VoiceToneAnalysisSuccessful' && status !== 'VoiceToneAnalysisCompleted') return;
    const details = obj(detail.voiceToneAnalysisDetails);
    const tone = obj(
      status === 'VoiceToneAnalysisSuccessful'
        ? details.currentAverageVoiceTone
        : details.overallAverageVoiceTone,
    );
    const score = obj(tone.voiceToneScore);
    const positive = num(score.positive);
    const negative = num(score.negative);
    if (positive === null || negative === null) return;
    const channel = num(detail.channelId);
    let role: Role;
    if (isRole(detail.participantRole)) role = detail.participantRole;
    else if (channel !== null) role = this.#roleOf(call, null, channel);
    // The caller's stream is channel 0, the CUSTOMER (the seed charted it as Agent: not copied).
    else role = detail.isCaller === false ? 'AGENT' : 'CUSTOMER';
    const end = Date.parse(str(tone.endTime) ?? '');
    const t =
      Number.isFinite(end) && call.startedAt !== null
        ? (end - call.startedAt) / 1000
        : (num(tone.endOffsetMillis) ?? 0) / 1000;
    const label = str(tone.voiceToneLabel) ?? '';
    call.sentiment[role].push({ t, value: positive - negative, label, source: 'voice tone' });
    call.currentSentiment[role] = label.toUpperCase();
  }

  #ruleMatched(call: CallState, record: StreamRecord, detail: JsonObject): void {
    const rule = str(detail.ruleName) ?? 'Rule matched';
    const target = str(detail.utteranceId) ?? str(detail.resultId);
    const begin = str(detail.beginTimestamp);
    const end = str(detail.endTimestamp);
    call.alerts.push({
      seq: record.sequenceNumber,
      kind: 'rule',
      severity: 'warning',
      title: rule,
      detail: [begin && end ? `${begin} – ${end}` : begin, target ? `utterance ${target}` : null]
        .filter(Boolean)
        .join(' · '),
      time: str(record.time),
    });
    const at = target ? this.#segmentIndex.get(call.callId)?.get(target) : undefined;
    if (at !== undefined) {
      const segment = call.segments[at]!;
      call.segments[at] = { ...segment, alerts: [...segment.alerts, rule] };
    }
  }

  #recording(call: CallState, record: StreamRecord): void {
    const raw = str(record.s3MediaObjectConsoleUrl);
    const url = safeUrl(raw);
    let name = raw ?? 'recording';
    try {
      const parsed = new URL(raw ?? '', 'http://localhost/');
      name = parsed.searchParams.get('prefix') ?? parsed.pathname;
    } catch {
      // keep the raw text as its name
    }
    call.recordings.push({
      seq: record.sequenceNumber,
      url,
      name: name.slice(name.lastIndexOf('/') + 1) || 'recording',
      durationSeconds: num(record.recordingDurationSeconds),
      subtype: str(record['detail-subtype']),
    });
  }

  #postCall(call: CallState, record: StreamRecord, detail: JsonObject): void {
    const fields: { name: string; value: string }[] = [];
    const walk = (value: unknown, path: string, depth: number) => {
      if (fields.length >= 24) return;
      if (value !== null && typeof value === 'object' && depth < 3) {
        for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, depth + 1);
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        fields.push({ name: path, value: String(value) });
      }
    };
    walk(Object.keys(detail).length > 0 ? detail : record, '', 0);
    call.postCall = {
      seq: record.sequenceNumber,
      status: str(detail.PostCallStatus) ?? str(detail.status) ?? str(record['detail-type']) ?? 'received',
      documentUrl: safeUrl(obj(detail.Transcript).TranscriptFileUri),
      fields: fields.filter((f) => f.name !== 'sequenceNumber'),
    };
  }
}

function entitiesOf(value: unknown): PiiEntity[] {
  return arr(value).flatMap((e) => {
    const entity = obj(e);
    const content = str(entity.Content);
    return content ? [{ content, type: str(entity.Type) ?? str(entity.Category) ?? 'PII' }] : [];
  });
}

function stringMap(value: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** 61200 → "1:01". */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
