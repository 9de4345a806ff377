import type { RecordingMetadata } from './RecordingMetadataTypes.js';

/**
 * Chime's `oneTimeMetadata.siprecMetadataJson`: "siprec metadata in JSON (converted from above XML)",
 * a JSON-encoded string. AWS documents neither the conversion nor an example, so Callsight's mapping
 * is its own, chosen to be predictable for consumers:
 *
 * - one top-level key `recording`; inside it the RFC 7865 element and attribute names, unprefixed,
 *   in document order (`datamode`, `group`, `session`, `participant`, `stream`,
 *   `sessionrecordingassoc`, `participantsessionassoc`, `participantstreamassoc`), plus `xmlns`;
 * - every repeatable element is always an array (empty when absent), so the shape does not change
 *   with the count; `send`, `recv` and `sipSessionID` too;
 * - attributes and single-text children are string properties, omitted when absent;
 * - `name` is `{ "#text": "Bob", "xml:lang": "it" }` (`xml:lang` omitted when absent);
 * - vendor extension elements are not carried (the raw XML is in `siprecMetadata`).
 */

type Json = string | Json[] | { [key: string]: Json };

function strip(entries: Record<string, Json | null>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(entries)) if (value !== null) out[key] = value;
  return out;
}

/** The object siprecMetadataJson encodes (for consumers that want it unencoded). */
export function siprecMetadataObject(metadata: RecordingMetadata): { [key: string]: Json } {
  const times = (t: { associateTime: string | null; disassociateTime: string | null }) => ({
    'associate-time': t.associateTime,
    'disassociate-time': t.disassociateTime,
  });
  return {
    recording: strip({
      xmlns: metadata.namespace,
      datamode: metadata.dataMode,
      group: metadata.groups.map((g) => strip({ group_id: g.groupId, ...times(g) })),
      session: metadata.sessions.map((s) =>
        strip({
          session_id: s.sessionId,
          sipSessionID: [...s.sipSessionIds],
          'group-ref': s.groupRef,
          'start-time': s.startTime,
          'stop-time': s.stopTime,
        }),
      ),
      participant: metadata.participants.map((p) => ({
        participant_id: p.participantId,
        nameID: p.nameIds.map((n) =>
          strip({
            aor: n.aor,
            name: n.names.map((name) => strip({ '#text': name.text, 'xml:lang': name.lang })),
          }),
        ),
      })),
      stream: metadata.streams.map((s) =>
        strip({ stream_id: s.streamId, session_id: s.sessionId, label: s.label, ...times(s) }),
      ),
      sessionrecordingassoc: metadata.sessionRecordingAssocs.map((a) =>
        strip({ session_id: a.sessionId, ...times(a) }),
      ),
      participantsessionassoc: metadata.participantSessionAssocs.map((a) =>
        strip({ participant_id: a.participantId, session_id: a.sessionId, ...times(a) }),
      ),
      participantstreamassoc: metadata.participantStreamAssocs.map((a) => ({
        participant_id: a.participantId,
        send: [...a.send],
        recv: [...a.recv],
      })),
    }),
  };
}

/** The metadata as the JSON string Chime carries in `oneTimeMetadata.siprecMetadataJson`. */
export function siprecMetadataJson(metadata: RecordingMetadata): string {
  return JSON.stringify(siprecMetadataObject(metadata));
}
