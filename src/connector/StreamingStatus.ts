import { makeEvent, type EventEnvelope, type EventOrigin } from '../events/EventEnvelope.js';
import type { CallInfo, CallStream } from './CallTypes.js';
import { DetailType } from '../events/DetailTypes.js';

/** What Chime's Voice Connector streams: 8 kHz linear PCM in KVS. Ours is G.711 decoded to the same. */
const MEDIA_TYPE = 'audio/L16';

function callFields(call: CallInfo) {
  return {
    version: '0',
    voiceConnectorId: call.voiceConnectorId,
    transactionId: call.transactionId,
    callId: call.callId,
    direction: call.direction,
    fromNumber: call.fromNumber,
    toNumber: call.toNumber,
  };
}

/** The raw SIPREC metadata, on every event of a recording session (as Chime sends it). */
function siprecFields(call: CallInfo) {
  return call.siprecMetadata === null ? {} : { siprecMetadata: call.siprecMetadata };
}

function streamFields(stream: CallStream, startTime: Date) {
  return {
    isCaller: stream.isCaller,
    mediaType: MEDIA_TYPE,
    startFragmentNumber: stream.startFragmentNumber,
    startTime: startTime.toISOString(),
    streamArn: stream.streamArn,
    sdp: {
      mediaIndex: stream.mediaIndex,
      ...(stream.mediaLabel === null ? {} : { mediaLabel: stream.mediaLabel }),
    },
  };
}

/** STARTED for one stream (AWS admin guide, "Automating Amazon Chime SDK with EventBridge"). */
export function streamStarted(
  call: CallInfo,
  stream: CallStream,
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  return makeEvent(
    DetailType.StreamingStatus,
    {
      streamingStatus: 'STARTED',
      ...callFields(call),
      ...streamFields(stream, at),
      inviteHeaders: call.inviteHeaders,
      ...siprecFields(call),
    },
    origin,
    at,
  );
}

/** ALL_STARTED once every stream started; `streams` lists them caller first, as the seed reads them. */
export function allStarted(
  call: CallInfo,
  startTimes: ReadonlyMap<CallStream, Date>,
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  const ordered = [...call.streams].sort(
    (a, b) => Number(b.isCaller) - Number(a.isCaller) || a.channel - b.channel,
  );
  return makeEvent(
    DetailType.StreamingStatus,
    {
      streamingStatus: 'ALL_STARTED',
      ...callFields(call),
      startTime: call.startedAt.toISOString(),
      inviteHeaders: call.inviteHeaders,
      ...siprecFields(call),
      streams: ordered.map((stream) => ({
        ...streamFields(stream, startTimes.get(stream) ?? at),
        channelId: stream.channel,
      })),
    },
    origin,
    at,
  );
}

export function streamEnded(
  call: CallInfo,
  stream: CallStream,
  startTime: Date,
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  return makeEvent(
    DetailType.StreamingStatus,
    {
      streamingStatus: 'ENDED',
      ...callFields(call),
      ...streamFields(stream, startTime),
      endTime: at.toISOString(),
      ...siprecFields(call),
    },
    origin,
    at,
  );
}

/**
 * UPDATED (a re-INVITE changed the call: hold, resume, a stream added, new SIPREC metadata): the
 * re-INVITE's headers as `updateHeaders` and, for SIPREC, the new metadata snapshot.
 */
export function streamUpdated(
  call: CallInfo,
  updateHeaders: Readonly<Record<string, string>>,
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  return makeEvent(
    DetailType.StreamingStatus,
    { streamingStatus: 'UPDATED', ...callFields(call), updateHeaders, ...siprecFields(call) },
    origin,
    at,
  );
}

export function streamFailed(
  call: CallInfo,
  stream: CallStream | null,
  reason: string,
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  return makeEvent(
    DetailType.StreamingStatus,
    {
      streamingStatus: 'FAILED',
      ...callFields(call),
      ...(stream ? { isCaller: stream.isCaller, streamArn: stream.streamArn } : {}),
      failTime: at.toISOString(),
      failureReason: reason,
    },
    origin,
    at,
  );
}
