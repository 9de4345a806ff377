import type { ParticipantRole } from '../CallTypes.js';
import type { Participant, RecordingMetadata } from './RecordingMetadataTypes.js';
import { StreamMappingError } from './SiprecErrors.js';

/**
 * Which participant speaks on each audio stream of a SIPREC offer, and which pipeline channel and
 * role the stream gets.
 *
 * 1. m-line → metadata stream: the m-line's `a=label` equals the stream's `<label>` (a stream not
 *    disassociated first, when a later session reuses the label).
 * 2. stream → speaker: the participant whose `participantstreamassoc` lists the stream in `<send>`
 *    (the one who *sends* a stream is heard on it). No sender, or several (a mixed stream) → null.
 * 3. role: with `agentAorPattern`, the stream whose speaker's AOR matches is AGENT and the other
 *    CUSTOMER. Without a pattern — or when it does not single out one of two streams — Callsight's
 *    default (the seed's): first stream in m-line order CUSTOMER, second AGENT. (Chime's own SIPREC
 *    rule, "lowest label is AGENT", is deliberately not followed; see PipelineManager.defaultChannels.)
 *    channel follows the role: CUSTOMER → 0 (ch_0), AGENT → 1 (ch_1).
 * 4. isCaller: when the pattern decided the roles, the CUSTOMER's stream, so that `isCaller`, the
 *    role and the channel always agree (caller = CUSTOMER = ch_0, the seed's convention, which its
 *    app and ours chart voice tone by). Otherwise the stream sent by the participant whose AOR
 *    matches `callerAor` (the CS's From); failing that, the first stream. Exactly one stream is the
 *    caller's, except a lone stream sent by an agent (none is).
 *
 * At most two audio streams, as on Chime's Voice Connector; more → StreamMappingError (488).
 */

/** One audio m-line of the offer: its index among all m-lines, and its `a=label`. */
export interface SdpAudioStream {
  readonly mediaIndex: number;
  readonly label: string | null;
}

export interface StreamMappingOptions {
  /**
   * Matches agents' AORs (e.g. `'@agents\\.example\\.com$'`). A string is compiled case-insensitively
   * (host names are); a RegExp is used as given. Default: none (positional roles).
   */
  readonly agentAorPattern?: RegExp | string;
  /** The communication session's caller: its From header value or AOR. Default: none. */
  readonly callerAor?: string;
}

export interface StreamParticipant {
  readonly participantId: string;
  /** First non-empty name, or null. */
  readonly name: string | null;
  /** First AOR as written, or null. */
  readonly aor: string | null;
}

export interface MappedStream {
  /** Index of the m-line among all m-lines (given), or its position in the label list. */
  readonly mediaIndex: number;
  readonly label: string | null;
  /** The metadata stream with this label, or null. */
  readonly streamId: string | null;
  /** Who sends (speaks on) the stream, or null when the metadata does not say. */
  readonly participant: StreamParticipant | null;
  readonly participantRole: ParticipantRole;
  readonly isCaller: boolean;
  readonly channel: 0 | 1;
}

export const MAX_AUDIO_STREAMS = 2;

/**
 * An AOR reduced for comparison: `"Bob" <sip:Bob@Example.com:5060;transport=udp>;tag=1` →
 * `{ user: 'bob', host: 'example.com' }`. Scheme, port, parameters and case are dropped.
 */
function aorKey(text: string): { user: string | null; host: string } | null {
  let value = text.trim();
  const open = value.lastIndexOf('<');
  if (open >= 0)
    value = value.slice(open + 1, value.indexOf('>', open) < 0 ? undefined : value.indexOf('>', open));
  value = value
    .replace(/^(?:sips?|tel):/i, '')
    .split(/[;?]/, 1)[0]!
    .trim()
    .toLowerCase();
  if (value === '') return null;
  const at = value.lastIndexOf('@');
  const user = at < 0 ? null : value.slice(0, at);
  const hostPort = at < 0 ? value : value.slice(at + 1);
  const host = hostPort.startsWith('[')
    ? hostPort.slice(0, hostPort.indexOf(']') + 1)
    : hostPort.split(':', 1)[0]!;
  // `tel:+1…` or a bare number is a user without host.
  if (at < 0 && /^\+?[\d\-.() ]+$/.test(host)) return { user: host, host: '' };
  return { user, host };
}

const digits = (user: string) => user.replace(/[^\d]/g, '');
const isPhoneNumber = (user: string) => /^\+?[\d\-.() ]+$/.test(user) && digits(user).length > 0;

/**
 * The participants whose AORs match `callerAor`: the same user and host; failing that, the same user
 * (phone numbers compared by digits — SBCs rewrite hosts and `+`).
 */
function callerParticipants(participants: readonly Participant[], callerAor: string): Set<string> {
  const caller = aorKey(callerAor);
  const found = new Set<string>();
  if (!caller) return found;
  const keyed = participants.flatMap((p) =>
    p.nameIds.flatMap((n) => {
      const key = n.aor === null ? null : aorKey(n.aor);
      return key ? [{ id: p.participantId, key }] : [];
    }),
  );
  for (const { id, key } of keyed) if (key.user === caller.user && key.host === caller.host) found.add(id);
  if (found.size > 0 || caller.user === null) return found;
  const user = caller.user;
  for (const { id, key } of keyed) {
    if (key.user === null) continue;
    const same =
      isPhoneNumber(user) && isPhoneNumber(key.user) ? digits(key.user) === digits(user) : key.user === user;
    if (same) found.add(id);
  }
  return found;
}

function describeParticipant(participant: Participant): StreamParticipant {
  const nameIds = participant.nameIds;
  const name = nameIds.flatMap((n) => n.names).find((n) => n.text !== '')?.text ?? null;
  const aor = nameIds.find((n) => n.aor !== null)?.aor ?? null;
  return { participantId: participant.participantId, name, aor };
}

function compilePattern(pattern: RegExp | string): RegExp {
  return typeof pattern === 'string' ? new RegExp(pattern, 'i') : pattern;
}

/** Maps the offer's audio m-lines (in m-line order) to speakers, roles and channels. */
export function mapStreams(
  sdpMediaLabels: readonly (string | null | SdpAudioStream)[],
  metadata: RecordingMetadata,
  options: StreamMappingOptions = {},
): MappedStream[] {
  if (sdpMediaLabels.length > MAX_AUDIO_STREAMS) {
    throw new StreamMappingError(
      `${sdpMediaLabels.length} audio streams offered; a recording session may have at most ${MAX_AUDIO_STREAMS}`,
    );
  }
  const participants = new Map(metadata.participants.map((p) => [p.participantId, p]));
  const base = sdpMediaLabels.map((entry, index) => {
    const { mediaIndex, label } =
      entry !== null && typeof entry === 'object' ? entry : { mediaIndex: index, label: entry };
    // A label may be reused by a later session (a transfer): prefer a stream still associated.
    const labelled = label === null ? [] : metadata.streams.filter((s) => s.label === label);
    const stream = labelled.find((s) => s.disassociateTime === null) ?? labelled.at(-1);
    const streamId = stream?.streamId ?? null;
    const senders =
      streamId === null ? [] : metadata.participantStreamAssocs.filter((a) => a.send.includes(streamId));
    const sender = senders.length === 1 ? participants.get(senders[0]!.participantId) : undefined;
    return { mediaIndex, label, streamId, sender: sender ?? null };
  });

  // Roles: by pattern when it singles out exactly one stream of two (or decides a lone stream).
  let agentAt = -1;
  if (options.agentAorPattern !== undefined) {
    const pattern = compilePattern(options.agentAorPattern);
    const matches = base.map(
      ({ sender }) =>
        sender !== null &&
        sender.nameIds.some((n) => {
          pattern.lastIndex = 0;
          return n.aor !== null && pattern.test(n.aor);
        }),
    );
    const matching = matches.filter(Boolean).length;
    if (matching === 1) agentAt = matches.indexOf(true);
  }
  const roleAt = (index: number): ParticipantRole => {
    if (agentAt >= 0) return index === agentAt ? 'AGENT' : 'CUSTOMER';
    return index === 0 ? 'CUSTOMER' : 'AGENT';
  };

  // Caller: the customer when the AOR named the agent; else the stream the caller sends, else the first.
  let callerAt = 0;
  if (agentAt >= 0) {
    callerAt = base.findIndex((_, index) => roleAt(index) === 'CUSTOMER');
  } else if (options.callerAor !== undefined) {
    const callers = callerParticipants(metadata.participants, options.callerAor);
    const at = base.findIndex(({ sender }) => sender !== null && callers.has(sender.participantId));
    if (at >= 0) callerAt = at;
  }

  return base.map(({ mediaIndex, label, streamId, sender }, index) => {
    const participantRole = roleAt(index);
    return {
      mediaIndex,
      label,
      streamId,
      participant: sender === null ? null : describeParticipant(sender),
      participantRole,
      isCaller: index === callerAt,
      channel: participantRole === 'CUSTOMER' ? 0 : 1,
    };
  });
}
