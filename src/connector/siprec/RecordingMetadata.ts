import { RecordingMetadataError } from './SiprecErrors.js';
import { readXml, type XmlElement } from './XmlTree.js';
import {
  PRE_RFC_RECORDING_NAMESPACE,
  RECORDING_NAMESPACE,
  type DataMode,
  type NameId,
  type Participant,
  type ParticipantSessionAssoc,
  type ParticipantStreamAssoc,
  type RecordingGroup,
  type RecordingMetadata,
  type RecordingMetadataOptions,
  type RecordingSession,
  type RecordingStream,
  type SessionRecordingAssoc,
} from './RecordingMetadataTypes.js';

/**
 * RFC 7865 metadata document → RecordingMetadata.
 *
 *   <recording xmlns="urn:ietf:params:xml:ns:recording:1">
 *     <datamode>complete|partial</datamode>
 *     <group group_id>           associate-time, disassociate-time
 *     <session session_id>       sipSessionID*, group-ref, start-time, stop-time
 *     <participant participant_id>  nameID*(@aor, name*(@xml:lang))
 *     <stream stream_id session_id> label, associate-time, disassociate-time
 *     <sessionrecordingassoc session_id>                  associate-time, disassociate-time
 *     <participantsessionassoc participant_id session_id> associate-time, disassociate-time
 *     <participantstreamassoc participant_id>             send*, recv*
 *   </recording>
 *
 * Tolerated: any namespace prefix (`tns:`), the pre-RFC namespace without `:1`, a document without a
 * namespace, extension elements of other namespaces anywhere (ignored), unknown elements of the
 * recording namespace (ignored, reported), `datamode` in any case or absent (complete, reported),
 * `<aor>`/`<name>` directly under `<participant>` (pre-RFC drafts), a stream without session_id,
 * misspelt tags (up to three; see XmlTree). Refused: see RecordingMetadataError's uses below.
 *
 * References: in a `complete` snapshot every session, participant and stream that an element refers
 * to must be in the snapshot — a complete snapshot is the whole model, so a dangling reference is the
 * "semantic error" RFC 7866 lets the SRS refuse. A session's group-ref to an absent group is only
 * reported (nothing Callsight does depends on groups). In a `partial` snapshot references may point
 * at earlier snapshots and are not checked.
 */

export const METADATA_DEFAULTS = { maxBytes: 64 * 1024, maxElements: 4096 } as const;

const ROOT_CHILDREN = [
  'datamode',
  'group',
  'session',
  'participant',
  'stream',
  'sessionrecordingassoc',
  'participantsessionassoc',
  'participantstreamassoc',
] as const;

/** Every element name this parser reads: a misspelt tag may be repaired to one of them. */
const KNOWN_NAMES: ReadonlySet<string> = new Set([
  'recording',
  ...ROOT_CHILDREN,
  'associate-time',
  'disassociate-time',
  'sipSessionID',
  'group-ref',
  'start-time',
  'stop-time',
  'nameID',
  'name',
  'aor',
  'label',
  'send',
  'recv',
]);

interface Context {
  readonly namespace: string | null;
  readonly warn: (message: string) => void;
}

/** Children in the recording namespace (extensions in other namespaces are skipped). */
function own(element: XmlElement, ctx: Context): XmlElement[] {
  return element.children.filter((c) => c.namespace === ctx.namespace);
}

function attribute(element: XmlElement, name: string, required: true): string;
function attribute(element: XmlElement, name: string, required: false): string | null;
function attribute(element: XmlElement, name: string, required: boolean): string | null {
  const value = element.attributes.get(name)?.trim() ?? '';
  if (value !== '') return value;
  if (required) throw new RecordingMetadataError(`<${element.name}> without ${name}`);
  return null;
}

/** Trimmed text of the first child of that name, or null. */
function childText(children: readonly XmlElement[], name: string): string | null {
  const child = children.find((c) => c.name === name);
  if (!child) return null;
  const text = child.text.trim();
  return text === '' ? null : text;
}

function allTexts(children: readonly XmlElement[], name: string): string[] {
  return children
    .filter((c) => c.name === name)
    .map((c) => c.text.trim())
    .filter((t) => t !== '');
}

function warnUnknown(
  children: readonly XmlElement[],
  allowed: readonly string[],
  parent: string,
  ctx: Context,
): void {
  for (const child of children) {
    if (!allowed.includes(child.name)) ctx.warn(`ignored unknown element <${child.name}> in <${parent}>`);
  }
}

function times(children: readonly XmlElement[]) {
  return {
    associateTime: childText(children, 'associate-time'),
    disassociateTime: childText(children, 'disassociate-time'),
  };
}

function readGroup(element: XmlElement, ctx: Context): RecordingGroup {
  const children = own(element, ctx);
  warnUnknown(children, ['associate-time', 'disassociate-time'], 'group', ctx);
  return { groupId: attribute(element, 'group_id', true), ...times(children) };
}

function readSession(element: XmlElement, ctx: Context): RecordingSession {
  const children = own(element, ctx);
  warnUnknown(children, ['sipSessionID', 'group-ref', 'start-time', 'stop-time'], 'session', ctx);
  return {
    sessionId: attribute(element, 'session_id', true),
    // Session-ID values are tokens and parameters; whitespace inside is line folding.
    sipSessionIds: allTexts(children, 'sipSessionID').map((s) => s.replace(/\s+/g, '')),
    groupRef: childText(children, 'group-ref'),
    startTime: childText(children, 'start-time'),
    stopTime: childText(children, 'stop-time'),
  };
}

function names(elements: readonly XmlElement[]): NameId['names'] {
  return elements
    .filter((n) => n.name === 'name')
    .map((n) => ({ text: n.text.trim(), lang: n.attributes.get('xml:lang')?.trim() || null }));
}

function readParticipant(element: XmlElement, ctx: Context): Participant {
  const children = own(element, ctx);
  warnUnknown(children, ['nameID', 'aor', 'name'], 'participant', ctx);
  const nameIds: NameId[] = children
    .filter((c) => c.name === 'nameID')
    .map((n) => {
      const aor = attribute(n, 'aor', false);
      if (aor === null) ctx.warn('<nameID> without aor');
      return { aor, names: names(own(n, ctx)) };
    });
  // Pre-RFC drafts: <participant><aor>…</aor><name>…</name></participant>.
  const looseAor = childText(children, 'aor');
  const looseNames = names(children);
  if (looseAor !== null || looseNames.length > 0) nameIds.push({ aor: looseAor, names: looseNames });
  return { participantId: attribute(element, 'participant_id', true), nameIds };
}

function readStream(element: XmlElement, ctx: Context): RecordingStream {
  const children = own(element, ctx);
  warnUnknown(children, ['label', 'associate-time', 'disassociate-time'], 'stream', ctx);
  const streamId = attribute(element, 'stream_id', true);
  const sessionId = attribute(element, 'session_id', false);
  if (sessionId === null) ctx.warn(`<stream stream_id="${streamId}"> without session_id`);
  return { streamId, sessionId, label: childText(children, 'label'), ...times(children) };
}

function readSessionRecordingAssoc(element: XmlElement, ctx: Context): SessionRecordingAssoc {
  const children = own(element, ctx);
  warnUnknown(children, ['associate-time', 'disassociate-time'], 'sessionrecordingassoc', ctx);
  return { sessionId: attribute(element, 'session_id', true), ...times(children) };
}

function readParticipantSessionAssoc(element: XmlElement, ctx: Context): ParticipantSessionAssoc {
  const children = own(element, ctx);
  warnUnknown(children, ['associate-time', 'disassociate-time'], 'participantsessionassoc', ctx);
  return {
    participantId: attribute(element, 'participant_id', true),
    sessionId: attribute(element, 'session_id', true),
    ...times(children),
  };
}

function readParticipantStreamAssoc(element: XmlElement, ctx: Context): ParticipantStreamAssoc {
  const children = own(element, ctx);
  warnUnknown(children, ['send', 'recv'], 'participantstreamassoc', ctx);
  return {
    participantId: attribute(element, 'participant_id', true),
    send: allTexts(children, 'send'),
    recv: allTexts(children, 'recv'),
  };
}

function readDataMode(children: readonly XmlElement[], ctx: Context): DataMode {
  const text = childText(children, 'datamode');
  if (text === null) {
    ctx.warn('no <datamode>: taken as complete');
    return 'complete';
  }
  const mode = text.toLowerCase();
  if (mode !== 'complete' && mode !== 'partial') {
    throw new RecordingMetadataError(`datamode "${text.slice(0, 20)}" is neither complete nor partial`);
  }
  return mode;
}

/** Ids must be unique per element kind. */
function unique<T>(items: readonly T[], key: (item: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const id = key(item);
    if (seen.has(id)) throw new RecordingMetadataError(`duplicate ${what} "${id}"`);
    seen.add(id);
  }
}

/** Several participantstreamassoc elements for one participant are merged into one. */
function mergeStreamAssocs(
  assocs: readonly ParticipantStreamAssoc[],
  ctx: Context,
): ParticipantStreamAssoc[] {
  const byParticipant = new Map<string, { participantId: string; send: string[]; recv: string[] }>();
  for (const assoc of assocs) {
    const existing = byParticipant.get(assoc.participantId);
    if (!existing) {
      byParticipant.set(assoc.participantId, {
        participantId: assoc.participantId,
        send: [...assoc.send],
        recv: [...assoc.recv],
      });
      continue;
    }
    ctx.warn(`merged repeated <participantstreamassoc participant_id="${assoc.participantId}">`);
    for (const id of assoc.send) if (!existing.send.includes(id)) existing.send.push(id);
    for (const id of assoc.recv) if (!existing.recv.includes(id)) existing.recv.push(id);
  }
  return [...byParticipant.values()];
}

/** The reference problems of a complete snapshot (empty when consistent). */
export function referenceProblems(metadata: RecordingMetadata): { errors: string[]; warnings: string[] } {
  const sessions = new Set(metadata.sessions.map((s) => s.sessionId));
  const participants = new Set(metadata.participants.map((p) => p.participantId));
  const streams = new Set(metadata.streams.map((s) => s.streamId));
  const groups = new Set(metadata.groups.map((g) => g.groupId));
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const s of metadata.streams) {
    if (s.sessionId !== null && !sessions.has(s.sessionId)) {
      errors.push(`stream "${s.streamId}" refers to unknown session "${s.sessionId}"`);
    }
  }
  for (const a of metadata.sessionRecordingAssocs) {
    if (!sessions.has(a.sessionId))
      errors.push(`sessionrecordingassoc refers to unknown session "${a.sessionId}"`);
  }
  for (const a of metadata.participantSessionAssocs) {
    if (!participants.has(a.participantId)) {
      errors.push(`participantsessionassoc refers to unknown participant "${a.participantId}"`);
    }
    if (!sessions.has(a.sessionId))
      errors.push(`participantsessionassoc refers to unknown session "${a.sessionId}"`);
  }
  for (const a of metadata.participantStreamAssocs) {
    if (!participants.has(a.participantId)) {
      errors.push(`participantstreamassoc refers to unknown participant "${a.participantId}"`);
    }
    for (const id of [...a.send, ...a.recv]) {
      if (!streams.has(id))
        errors.push(`participantstreamassoc of "${a.participantId}" refers to unknown stream "${id}"`);
    }
  }
  for (const s of metadata.sessions) {
    if (s.groupRef !== null && !groups.has(s.groupRef)) {
      warnings.push(
        `session "${s.sessionId}" refers to group "${s.groupRef}" that the snapshot does not define`,
      );
    }
  }
  return { errors, warnings };
}

/**
 * Parses an RFC 7865 recording metadata document. Throws RecordingMetadataError (code
 * CS_ERR_SIPREC_METADATA_INVALID, or CS_ERR_SIPREC_METADATA_TOO_LARGE past the size caps).
 */
export function parseRecordingMetadata(
  xml: string,
  options: RecordingMetadataOptions = {},
): RecordingMetadata {
  const warn = options.onWarning ?? (() => {});
  const root = readXml(xml, {
    maxBytes: options.maxBytes ?? METADATA_DEFAULTS.maxBytes,
    maxElements: options.maxElements ?? METADATA_DEFAULTS.maxElements,
    knownNames: KNOWN_NAMES,
    onWarning: warn,
  });
  if (root.name !== 'recording')
    throw new RecordingMetadataError(`root element is <${root.name}>, not <recording>`);
  const namespace = root.namespace;
  if (namespace === null) warn('<recording> has no namespace');
  else if (namespace === PRE_RFC_RECORDING_NAMESPACE) warn(`pre-RFC namespace ${namespace}`);
  else if (namespace !== RECORDING_NAMESPACE) {
    throw new RecordingMetadataError(
      `<recording> is in namespace "${namespace.slice(0, 60)}", not ${RECORDING_NAMESPACE}`,
    );
  }
  const ctx: Context = { namespace, warn };
  const children = own(root, ctx);
  warnUnknown(children, ROOT_CHILDREN, 'recording', ctx);
  const of = <T>(name: string, read: (e: XmlElement, c: Context) => T): T[] =>
    children.filter((c) => c.name === name).map((e) => read(e, ctx));

  const metadata: RecordingMetadata = {
    dataMode: readDataMode(children, ctx),
    namespace,
    groups: of('group', readGroup),
    sessions: of('session', readSession),
    participants: of('participant', readParticipant),
    streams: of('stream', readStream),
    sessionRecordingAssocs: of('sessionrecordingassoc', readSessionRecordingAssoc),
    participantSessionAssocs: of('participantsessionassoc', readParticipantSessionAssoc),
    participantStreamAssocs: mergeStreamAssocs(of('participantstreamassoc', readParticipantStreamAssoc), ctx),
  };
  unique(metadata.groups, (g) => g.groupId, 'group_id');
  unique(metadata.sessions, (s) => s.sessionId, 'session_id');
  unique(metadata.participants, (p) => p.participantId, 'participant_id');
  unique(metadata.streams, (s) => s.streamId, 'stream_id');
  if (metadata.dataMode === 'complete') {
    const { errors, warnings } = referenceProblems(metadata);
    if (errors.length > 0) throw new RecordingMetadataError(errors[0]!);
    warnings.forEach(warn);
  }
  return metadata;
}
