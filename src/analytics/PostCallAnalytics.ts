/**
 * Post-call analytics: from a call's final (already redacted) utterance events to Transcribe Call
 * Analytics' post-call document (PostCallTypes.ts). A pure function.
 *
 * - TalkTime: per participant, the union of its speech segments (first word to last word of each
 *   utterance, SpeechTimeline.ts); the total is their sum, as in Transcribe's example.
 * - TalkSpeed: words per minute of that participant's talk time.
 * - Sentiment: utterances score +5 (POSITIVE), -5 (NEGATIVE), 0 (NEUTRAL, MIXED); the overall and
 *   per-quarter scores are averages weighted by speaking time (the quarters split the whole call
 *   into four equal periods; a quarter without speech scores 0). Transcribe's example values
 *   (0, ±2.5, ±5) fit this; its exact formula is not documented.
 * - NonTalkTime: periods of at least `minNonTalkMs` (default 3000) in which nobody speaks, from the
 *   call's start to its end.
 * - Interruptions: overlaps where one participant starts while the other is talking, keyed by the
 *   interrupter.
 */
import type { ParticipantRole, Sentiment, TimestampRange } from './AnalyticsTypes.js';
import { PARTICIPANT_ROLES } from './AnalyticsTypes.js';
import type {
  ByRole,
  DurationRange,
  PeriodScore,
  PostCallAnalytics,
  PostCallTranscriptEntry,
} from './PostCallTypes.js';
import {
  DEFAULT_MIN_INTERRUPTION_MS,
  findInterruptions,
  mergeIntervals,
  nonTalkIntervals,
  speechSegment,
  type SpeechSegment,
} from './SpeechTimeline.js';
import type { UtteranceEvent } from './UtteranceTypes.js';

export interface PostCallInput {
  /** The call's utterance events; partials are ignored. */
  readonly utterances: readonly UtteranceEvent[];
  /** Matched categories with their ranges (CategoryEvaluator.postCallMatches()). */
  readonly categories?: Readonly<Record<string, readonly TimestampRange[]>>;
  /** Loudness scores per UtteranceId (Loudness.ts). */
  readonly loudness?: ReadonlyMap<string, readonly number[]>;
  /** Length of the call; default the end of the last utterance. */
  readonly callDurationMs?: number;
  readonly languageCode?: string;
  readonly sessionId?: string;
  /** Shortest silence reported as non-talk time (default 3000 ms). */
  readonly minNonTalkMs?: number;
  /** Shortest overlap counted as an interruption (default 300 ms). */
  readonly minInterruptionMs?: number;
}

const SCORE: Record<Sentiment, number> = { POSITIVE: 5, NEGATIVE: -5, NEUTRAL: 0, MIXED: 0 };

const round1 = (x: number): number => Math.round(x * 10) / 10;

function withDuration(r: TimestampRange): DurationRange {
  return { ...r, DurationMillis: r.EndOffsetMillis - r.BeginOffsetMillis };
}

function weightedScore(
  items: readonly { segment: SpeechSegment; sentiment: Sentiment }[],
  from: number,
  to: number,
): number {
  let weight = 0;
  let sum = 0;
  for (const { segment, sentiment } of items) {
    const overlap = Math.min(to, segment.endMs) - Math.max(from, segment.beginMs);
    if (overlap <= 0) continue;
    weight += overlap;
    sum += overlap * SCORE[sentiment];
  }
  return weight > 0 ? round1(sum / weight) : 0;
}

export function postCallAnalytics(input: PostCallInput): PostCallAnalytics {
  const finals = input.utterances
    .filter((u) => !u.IsPartial)
    .sort((a, b) => a.BeginOffsetMillis - b.BeginOffsetMillis);
  const segments = finals.map(speechSegment);
  const duration = Math.round(
    input.callDurationMs ??
      Math.max(0, ...finals.map((u) => u.EndOffsetMillis), ...segments.map((s) => s.endMs)),
  );
  const roles = PARTICIPANT_ROLES.filter((r) => finals.some((u) => u.ParticipantRole === r));

  const talk: ByRole<{ TotalTimeMillis: number }> = {};
  const speed: ByRole<{ AverageWordsPerMinute: number }> = {};
  const overall: ByRole<number> = {};
  const quarters: ByRole<PeriodScore[]> = {};
  let talkTotal = 0;
  for (const role of roles) {
    const mine = segments.filter((s) => s.role === role);
    const ms = mergeIntervals(mine).reduce((sum, [b, e]) => sum + (e - b), 0);
    talk[role] = { TotalTimeMillis: Math.round(ms) };
    talkTotal += ms;
    const words = finals
      .filter((u) => u.ParticipantRole === role)
      .reduce((n, u) => n + u.Items.filter((i) => i.ItemType === 'pronunciation').length, 0);
    speed[role] = { AverageWordsPerMinute: ms > 0 ? Math.round(words / (ms / 60_000)) : 0 };

    const scored = finals
      .map((u, i) => ({ u, segment: segments[i] as SpeechSegment }))
      .filter(({ u }) => u.ParticipantRole === role)
      .map(({ u, segment }) => ({ segment, sentiment: u.Sentiment ?? 'NEUTRAL' }));
    overall[role] = weightedScore(scored, 0, Number.POSITIVE_INFINITY);
    const q = duration / 4;
    quarters[role] = [0, 1, 2, 3].map((k) => {
      const begin = Math.round(k * q);
      const end = k === 3 ? duration : Math.round((k + 1) * q);
      return { Score: weightedScore(scored, begin, end), BeginOffsetMillis: begin, EndOffsetMillis: end };
    });
  }

  const silences = nonTalkIntervals(segments, 0, duration, input.minNonTalkMs ?? 3000).map(withDuration);
  const interruptions = findInterruptions(segments, input.minInterruptionMs ?? DEFAULT_MIN_INTERRUPTION_MS);
  const byInterrupter: ByRole<DurationRange[]> = {};
  for (const i of interruptions) {
    const list = (byInterrupter[i.interrupter] ??= []);
    list.push({
      BeginOffsetMillis: i.BeginOffsetMillis,
      EndOffsetMillis: i.EndOffsetMillis,
      DurationMillis: i.DurationMillis,
    });
  }

  const transcript: PostCallTranscriptEntry[] = finals.map((u) => ({
    Id: u.UtteranceId,
    ParticipantRole: u.ParticipantRole,
    Content: u.Transcript,
    BeginOffsetMillis: u.BeginOffsetMillis,
    EndOffsetMillis: u.EndOffsetMillis,
    Sentiment: u.Sentiment ?? 'NEUTRAL',
    LoudnessScores: input.loudness?.get(u.UtteranceId) ?? [],
    IssuesDetected: u.IssuesDetected,
    Items: u.Items,
  }));

  const categories = input.categories ?? {};
  const names = Object.keys(categories);
  return {
    JobStatus: 'COMPLETED',
    LanguageCode: input.languageCode ?? 'en-US',
    ...(input.sessionId !== undefined && { SessionId: input.sessionId }),
    Channel: 'VOICE',
    Participants: roles.map((r: ParticipantRole) => ({ ParticipantRole: r })),
    Transcript: transcript,
    Categories: {
      MatchedCategories: names,
      MatchedDetails: Object.fromEntries(
        names.map((n) => [n, { PointsOfInterest: [...(categories[n] ?? [])] }]),
      ),
    },
    ConversationCharacteristics: {
      TotalConversationDurationMillis: duration,
      TalkTime: { TotalTimeMillis: Math.round(talkTotal), DetailsByParticipant: talk },
      TalkSpeed: { DetailsByParticipant: speed },
      NonTalkTime: {
        TotalTimeMillis: silences.reduce((s, r) => s + r.DurationMillis, 0),
        Instances: silences,
      },
      Interruptions: {
        TotalCount: interruptions.length,
        TotalTimeMillis: interruptions.reduce((s, i) => s + i.DurationMillis, 0),
        InterruptionsByInterrupter: byInterrupter,
      },
      Sentiment: { OverallSentiment: overall, SentimentByPeriod: { QUARTER: quarters } },
    },
  };
}
