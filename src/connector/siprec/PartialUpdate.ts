import type {
  Participant,
  ParticipantSessionAssoc,
  ParticipantStreamAssoc,
  RecordingGroup,
  RecordingMetadata,
  RecordingSession,
  RecordingStream,
  SessionRecordingAssoc,
} from './RecordingMetadataTypes.js';

/**
 * Merges a metadata snapshot received in a re-INVITE or UPDATE into the state so far.
 *
 * A `complete` update replaces everything: it is the whole model. A `partial` update carries only
 * the elements that changed (RFC 7865); each is matched to the previous state by its id and:
 *
 * - group, session, stream, sessionrecordingassoc, participantsessionassoc (matched by participant and
 *   session): the fields the update sets replace the previous ones, fields it leaves out are kept
 *   (a partial session with only `<stop-time>` ends the session without forgetting its Session-IDs);
 *   a repeated list (sipSessionID) replaces the previous list when the update has one;
 * - participant: its nameIDs replace the previous ones when the update has any;
 * - participantstreamassoc: replaced as a whole. The element states which streams the participant
 *   sends and receives now, and an omitted `<send>` means "sends nothing": that is how the SRC says
 *   hold (the Chime developer guide's hold snapshot lists only `<recv>` for the held party), and the
 *   resume snapshot lists both again.
 *
 * Elements new in the update are appended in its order. Nothing is ever removed: RFC 7865 ends
 * associations with disassociate-time / stop-time rather than by omission. The result keeps the
 * previous datamode and namespace (merging into a complete state gives a complete state). It is not
 * re-checked for dangling references; a partial update may refer to what only earlier snapshots had.
 */
export function applyPartialUpdate(
  previous: RecordingMetadata,
  update: RecordingMetadata,
): RecordingMetadata {
  if (update.dataMode === 'complete') return update;
  return {
    dataMode: previous.dataMode,
    namespace: previous.namespace,
    groups: mergeBy(previous.groups, update.groups, (g) => g.groupId, mergeGroup),
    sessions: mergeBy(previous.sessions, update.sessions, (s) => s.sessionId, mergeSession),
    participants: mergeBy(
      previous.participants,
      update.participants,
      (p) => p.participantId,
      mergeParticipant,
    ),
    streams: mergeBy(previous.streams, update.streams, (s) => s.streamId, mergeStream),
    sessionRecordingAssocs: mergeBy(
      previous.sessionRecordingAssocs,
      update.sessionRecordingAssocs,
      (a) => a.sessionId,
      mergeTimes<SessionRecordingAssoc>,
    ),
    participantSessionAssocs: mergeBy(
      previous.participantSessionAssocs,
      update.participantSessionAssocs,
      (a) => `${a.participantId}\u0000${a.sessionId}`,
      mergeTimes<ParticipantSessionAssoc>,
    ),
    participantStreamAssocs: mergeBy(
      previous.participantStreamAssocs,
      update.participantStreamAssocs,
      (a) => a.participantId,
      (_before: ParticipantStreamAssoc, after: ParticipantStreamAssoc) => after,
    ),
  };
}

function mergeBy<T>(
  previous: readonly T[],
  update: readonly T[],
  key: (item: T) => string,
  merge: (before: T, after: T) => T,
): T[] {
  const changes = new Map(update.map((item) => [key(item), item]));
  const merged = previous.map((item) => {
    const change = changes.get(key(item));
    if (change === undefined) return item;
    changes.delete(key(item));
    return merge(item, change);
  });
  // What is left is new, in the update's order.
  return [...merged, ...update.filter((item) => changes.get(key(item)) === item)];
}

const pick = <V>(after: V | null, before: V | null): V | null => (after !== null ? after : before);

function mergeTimes<T extends { associateTime: string | null; disassociateTime: string | null }>(
  before: T,
  after: T,
): T {
  return {
    ...before,
    associateTime: pick(after.associateTime, before.associateTime),
    disassociateTime: pick(after.disassociateTime, before.disassociateTime),
  };
}

function mergeGroup(before: RecordingGroup, after: RecordingGroup): RecordingGroup {
  return mergeTimes(before, after);
}

function mergeSession(before: RecordingSession, after: RecordingSession): RecordingSession {
  return {
    sessionId: before.sessionId,
    sipSessionIds: after.sipSessionIds.length > 0 ? after.sipSessionIds : before.sipSessionIds,
    groupRef: pick(after.groupRef, before.groupRef),
    startTime: pick(after.startTime, before.startTime),
    stopTime: pick(after.stopTime, before.stopTime),
  };
}

function mergeParticipant(before: Participant, after: Participant): Participant {
  return {
    participantId: before.participantId,
    nameIds: after.nameIds.length > 0 ? after.nameIds : before.nameIds,
  };
}

function mergeStream(before: RecordingStream, after: RecordingStream): RecordingStream {
  return {
    ...mergeTimes(before, after),
    sessionId: pick(after.sessionId, before.sessionId),
    label: pick(after.label, before.label),
  };
}
