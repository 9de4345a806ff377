/**
 * Who spoke when: speech segments of final utterances, interruptions (one participant starts while
 * the other is talking) and non-talk time (nobody talks). Shared by the category rules
 * (InterruptionFilter, NonTalkTimeFilter) and post-call analytics.
 *
 * A segment runs from its first word's start to its last word's end, not over the utterance's
 * bounds, which include the VAD's pre-roll and trailing silence.
 */
import type { ParticipantRole, TimestampRange } from './AnalyticsTypes.js';
import type { UtteranceEvent } from './UtteranceTypes.js';

export interface SpeechSegment {
  readonly utteranceId: string;
  readonly role: ParticipantRole;
  readonly beginMs: number;
  readonly endMs: number;
}

/** One interruption: `interrupter` started talking at BeginOffsetMillis while the other was talking. */
export interface Interruption extends TimestampRange {
  readonly interrupter: ParticipantRole;
  /** The interrupter's utterance. */
  readonly utteranceId: string;
  readonly DurationMillis: number;
}

/** Overlaps shorter than this are turn-taking, not interruptions (default 300 ms). */
export const DEFAULT_MIN_INTERRUPTION_MS = 300;

export function speechSegment(e: UtteranceEvent): SpeechSegment {
  const words = e.Items.filter((i) => i.ItemType === 'pronunciation');
  const first = words[0];
  const last = words[words.length - 1];
  return {
    utteranceId: e.UtteranceId,
    role: e.ParticipantRole,
    beginMs: first?.BeginOffsetMillis ?? e.BeginOffsetMillis,
    endMs: last?.EndOffsetMillis ?? e.EndOffsetMillis,
  };
}

/** `later` interrupts `earlier` if it starts while `earlier` is talking and they overlap enough. */
export function interruptionOf(
  earlier: SpeechSegment,
  later: SpeechSegment,
  minOverlapMs = DEFAULT_MIN_INTERRUPTION_MS,
): Interruption | undefined {
  if (earlier.role === later.role) return undefined;
  if (!(later.beginMs > earlier.beginMs && later.beginMs < earlier.endMs)) return undefined;
  const end = Math.min(earlier.endMs, later.endMs);
  const duration = end - later.beginMs;
  if (duration < minOverlapMs) return undefined;
  return {
    interrupter: later.role,
    utteranceId: later.utteranceId,
    BeginOffsetMillis: later.beginMs,
    EndOffsetMillis: end,
    DurationMillis: duration,
  };
}

/**
 * Interruptions as segments arrive, in any order across the two channels: each pair is judged when
 * the second of the two arrives.
 */
export class InterruptionTracker {
  readonly #segments: SpeechSegment[] = [];
  readonly #minOverlapMs: number;

  constructor(minOverlapMs = DEFAULT_MIN_INTERRUPTION_MS) {
    this.#minOverlapMs = minOverlapMs;
  }

  add(segment: SpeechSegment): Interruption[] {
    const found: Interruption[] = [];
    for (const other of this.#segments) {
      const i =
        interruptionOf(other, segment, this.#minOverlapMs) ??
        interruptionOf(segment, other, this.#minOverlapMs);
      if (i !== undefined) found.push(i);
    }
    this.#segments.push(segment);
    return found.sort((a, b) => a.BeginOffsetMillis - b.BeginOffsetMillis);
  }
}

export function findInterruptions(
  segments: readonly SpeechSegment[],
  minOverlapMs = DEFAULT_MIN_INTERRUPTION_MS,
): Interruption[] {
  const tracker = new InterruptionTracker(minOverlapMs);
  return segments.flatMap((s) => tracker.add(s)).sort((a, b) => a.BeginOffsetMillis - b.BeginOffsetMillis);
}

/** Merges overlapping segments into sorted disjoint [begin, end] intervals. */
export function mergeIntervals(segments: readonly { beginMs: number; endMs: number }[]): [number, number][] {
  const sorted = [...segments].filter((s) => s.endMs > s.beginMs).sort((a, b) => a.beginMs - b.beginMs);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.beginMs <= last[1]) last[1] = Math.max(last[1], s.endMs);
    else out.push([s.beginMs, s.endMs]);
  }
  return out;
}

/** Periods in [fromMs, toMs] without speech, at least minMs long. */
export function nonTalkIntervals(
  segments: readonly SpeechSegment[],
  fromMs: number,
  toMs: number,
  minMs: number,
): TimestampRange[] {
  const out: TimestampRange[] = [];
  let cursor = fromMs;
  for (const [b, e] of mergeIntervals(segments)) {
    if (e <= fromMs) continue;
    if (b >= toMs) break;
    if (b - cursor >= minMs) out.push({ BeginOffsetMillis: cursor, EndOffsetMillis: b });
    cursor = Math.max(cursor, e);
  }
  if (toMs - cursor >= minMs) out.push({ BeginOffsetMillis: cursor, EndOffsetMillis: toMs });
  return out;
}
