import { pipelineEntryOf } from '../calls/CallDirectoryRows.js';
import type { CallDirectory } from '../calls/CallDirectoryTypes.js';
import type { CallInfo } from '../connector/CallTypes.js';
import { streamFailed } from '../connector/StreamingStatus.js';
import type { VoiceConnector } from '../connector/VoiceConnector.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import { DetailType } from '../events/DetailTypes.js';
import type { Pipeline } from '../pipeline/Pipeline.js';
import type { ElementStatus } from '../pipeline/PipelineTypes.js';
import { stateChangeEvent } from '../pipeline/records/StateChange.js';
import type { Logger } from '../platform/logger.js';
import { eventCallId } from './eventRules.js';

/**
 * How often the time media last arrived is written to the call directory for each call in progress:
 * a call a crash leaves open is closed at that time, give or take this much.
 */
export const MEDIA_MARK_MS = 5000;

/** The failureReason of the closing records of a call a crash (or kill) left open. */
export const RESTART_REASON = 'callsight restarted';

/** The failureReason of the closing records of a dead sip process's calls, closed by a worker (lostSip.ts). */
export const LOST_REASON = 'sip process lost';

/**
 * Ended calls kept in the embedded directory for this long (it only serves restarts), except those of
 * configurations with a retention, kept until it erases them (RetentionSweep prunes).
 */
export const EMBEDDED_KEEP_MS = 24 * 3_600_000;

export interface CallRecorder {
  /** A pipeline's state change, for the call directory (one process: PipelineManager's stateChanged). */
  pipelineChanged(pipeline: Pipeline, owner: string | null): void;
  /** Writes what is pending (the last media marks, the ends of the calls hung up at shutdown). */
  close(): Promise<void>;
}

/**
 * Keeps the call directory's account of this process's calls, so that a restart knows which ones it
 * left open: each call when it starts (again when a stream is added or its SIPREC metadata changes),
 * the time media last arrived (every MEDIA_MARK_MS), and its end. Writes for one call go in order,
 * so an end can never be overtaken by its start.
 */
export function recordCalls(input: {
  readonly connector: VoiceConnector;
  readonly bus: EventBus;
  readonly directory: CallDirectory;
  /** Read at each write: a process on a wildcard port learns its name once it listens. */
  readonly owner: () => string;
  readonly log: Logger;
  /** After a call's end is in the directory (scale-out: tells the workers). */
  readonly ended?: (callId: string) => void;
}): CallRecorder {
  const { connector, bus, directory, log } = input;
  const chains = new Map<string, Promise<void>>();
  // A directory that cannot be written (a full data disk, a database down) is logged once until a
  // write succeeds again, not at every call and every media mark.
  let failing = false;
  const inOrder = (key: string, write: () => Promise<unknown>, what: string) => {
    const next = (chains.get(key) ?? Promise.resolve()).then(write).then(
      () => {
        if (failing) log.info('call directory: written again');
        failing = false;
      },
      (err: unknown) => {
        if (!failing)
          log.error(
            { err, key },
            `call directory: ${what} not recorded (and maybe more, until written again)`,
          );
        failing = true;
      },
    );
    chains.set(key, next);
    void next.finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };
  const record = (call: CallInfo | undefined) => {
    if (call) inOrder(call.callId, () => directory.callStarted(call, input.owner()), 'call');
  };
  bus.addRule(
    'calls to the directory',
    (event) => event['detail-type'] === DetailType.StreamingStatus,
    (event) => {
      const status = (event.detail as { streamingStatus?: string }).streamingStatus;
      const callId = eventCallId(event);
      if (callId !== null && (status === 'STARTED' || status === 'UPDATED'))
        record(connector.getCall(callId));
    },
  );
  const lastMedia = new Map<string, number>();
  connector.on('frame', (call) => lastMedia.set(call.callId, Date.now()));
  connector.on('streamAdded', (call) => record(call));
  connector.on('mediaEnded', (call) => {
    lastMedia.delete(call.callId);
    inOrder(
      call.callId,
      () =>
        directory.callEnded(call.callId).finally(() => {
          input.ended?.(call.callId);
        }),
      'call end',
    );
  });
  const mark = () => {
    if (lastMedia.size === 0) return;
    const marks = new Map(lastMedia);
    lastMedia.clear();
    inOrder(' media marks', () => directory.mediaSeen(marks), 'last media');
  };
  const marking = setInterval(mark, MEDIA_MARK_MS);
  marking.unref();
  return {
    pipelineChanged(pipeline, owner) {
      const entry = pipelineEntryOf(pipeline, owner);
      inOrder(pipeline.call.callId, () => directory.putPipeline(entry), 'pipeline state');
    },
    async close() {
      clearInterval(marking);
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
}

/** The pipeline document's fields that the closing state change needs. */
interface StoredDocument {
  readonly MediaPipelineArn?: string;
  readonly MediaInsightsRuntimeMetadata?: Readonly<Record<string, string>>;
  readonly ElementStatuses?: readonly { readonly Type: string; readonly Status: string }[];
}

/**
 * Closes the calls that a previous run left open (it was killed, or its machine died): each one is
 * ended in the directory at the last media it marked (or its start), and, by whoever ended it (so
 * never twice), gets a `FAILED` streaming status per stream with `reason`. With `pipelines`,
 * the call's pipelines still running in the directory get a `MediaInsightsPermanentFailure` state
 * change and are marked Failed (one process runs its calls' pipelines; scaled out, the workers stop
 * them when they hear the call ended). Resolves with the calls closed, their records on the bus.
 */
export async function closeCallsLeftOpen(input: {
  readonly directory: CallDirectory;
  /** Only the calls of this owner; null: every open call (the directory is this process's alone). */
  readonly owner: string | null;
  readonly bus: EventBus;
  readonly origin: EventOrigin;
  readonly log: Logger;
  readonly pipelines: boolean;
  /** The closing records' failureReason. Default RESTART_REASON. */
  readonly reason?: string;
  /** After a call is closed here (scale-out: tells the workers). */
  readonly closed?: (callId: string) => void;
}): Promise<number> {
  const { directory, owner, bus, origin, log } = input;
  const reason = input.reason ?? RESTART_REASON;
  let closed = 0;
  for (;;) {
    const open = (await directory.listCalls({ which: 'active', limit: 1000 })).filter(
      (c) => owner === null || c.owner === owner,
    );
    if (open.length === 0) break;
    for (const entry of open) {
      const call: CallInfo = { ...entry.info, startedAt: new Date(entry.info.startedAt) };
      const at = new Date(Math.max(entry.lastMediaAt ?? 0, entry.startedAt));
      if (!(await directory.callEnded(call.callId, at.getTime()))) continue;
      closed++;
      for (const stream of call.streams) bus.publish(streamFailed(call, stream, reason, origin, at));
      if (input.pipelines) await failPipelines(directory, call, at, origin, bus, reason);
      input.closed?.(call.callId);
    }
    // A full page of another owner's calls: the rest are not this process's to close either.
    if (owner !== null || open.length < 1000) break;
  }
  await bus.settled();
  if (closed > 0) log.warn({ calls: closed, owner, reason }, 'calls left open: closed as FAILED');
  return closed;
}

async function failPipelines(
  directory: CallDirectory,
  call: CallInfo,
  at: Date,
  origin: EventOrigin,
  bus: EventBus,
  reason: string,
): Promise<void> {
  for (const entry of await directory.listPipelines({ callId: call.callId, active: true })) {
    const document = entry.document as StoredDocument;
    const elements: ElementStatus[] = (document.ElementStatuses ?? []).map((e) => ({
      type: e.Type,
      status: e.Status === 'Stopped' || e.Status === 'NotStarted' ? e.Status : 'Failed',
      updatedOn: at.getTime(),
    }));
    bus.publish(
      stateChangeEvent(
        {
          call,
          pipelineArn: document.MediaPipelineArn ?? entry.pipelineId,
          eventType: 'chime:MediaInsightsPermanentFailure',
          elements,
          runtimeMetadata: document.MediaInsightsRuntimeMetadata ?? {},
          failureReason: reason,
        },
        origin,
        at,
      ),
    );
    const now = Date.now();
    await directory.putPipeline({
      ...entry,
      status: 'Failed',
      owner: null,
      updatedAt: now,
      document: {
        ...entry.document,
        Status: 'Failed',
        UpdatedTimestamp: new Date(now).toISOString(),
        ElementStatuses: elements.map((e) => ({ Type: e.type, Status: e.status })),
      },
    });
  }
}
