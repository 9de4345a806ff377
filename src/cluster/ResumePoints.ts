import { DetailType } from '../events/DetailTypes.js';
import type { ChannelDefinition } from '../pipeline/PipelineTypes.js';
import type { StoredRecord } from '../stream/StreamTypes.js';
import { replayWindowMs, type ReplayFrom } from './AudioReplay.js';

/** The record types whose results say how far a pipeline's recognition got. */
const RESULT_RECORD_TYPES: readonly string[] = [DetailType.Transcribe, DetailType.TranscribeCallAnalytics];

/** How far back into the data stream a takeover looks: longer than the replay window (see resumePoints). */
export function resumeLookbackMs(jobAckWaitMs: number): number {
  return replayWindowMs(jobAckWaitMs) + 5000;
}

interface ResultRecord {
  readonly TranscriptEvent?: { ChannelId?: unknown; IsPartial?: unknown; EndTime?: unknown };
  readonly UtteranceEvent?: { ParticipantRole?: unknown; IsPartial?: unknown; EndOffsetMillis?: unknown };
}

/**
 * Where a taken-over pipeline's recognition resumes on each of the call's channels: the end of the
 * last final result the previous worker wrote (its partials after that are superseded), from the
 * call's Transcribe / TranscribeCallAnalytics records of the last moments. A channel with no final
 * among them starts from 0: the lookback is longer than the replay window, so a final older than the
 * lookback is older than any audio a replay can hold.
 */
export function resumePoints(
  records: readonly Pick<StoredRecord, 'type' | 'json'>[],
  channels: readonly ChannelDefinition[],
): ReplayFrom {
  const from = new Map<number, number>(channels.map((c) => [c.streamChannel, 0]));
  const byChannelId = (id: number) => channels.find((c) => c.channelId === id)?.streamChannel ?? id;
  const byRole = (role: unknown) => channels.find((c) => c.participantRole === role)?.streamChannel;
  for (const stored of records) {
    if (!RESULT_RECORD_TYPES.includes(stored.type)) continue;
    const record = JSON.parse(stored.json) as ResultRecord | null;
    let channel: number | undefined;
    let endMs: number | undefined;
    const transcript = record?.TranscriptEvent;
    const utterance = record?.UtteranceEvent;
    if (transcript && transcript.IsPartial === false && typeof transcript.EndTime === 'number') {
      const id = /^ch_(\d+)$/.exec(String(transcript.ChannelId))?.[1];
      if (id !== undefined) channel = byChannelId(Number(id));
      endMs = transcript.EndTime * 1000;
    } else if (utterance && utterance.IsPartial === false && typeof utterance.EndOffsetMillis === 'number') {
      channel = byRole(utterance.ParticipantRole);
      endMs = utterance.EndOffsetMillis;
    }
    if (channel === undefined || endMs === undefined || !from.has(channel)) continue;
    from.set(channel, Math.max(from.get(channel)!, endMs));
  }
  return from;
}
