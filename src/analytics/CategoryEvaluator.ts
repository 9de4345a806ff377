/**
 * Evaluates call analytics categories (CategoryTypes.ts) over a call's final utterances.
 *
 * - REAL_TIME categories are evaluated as each utterance arrives (`add`): when all of a category's
 *   rules hold, a `CategoryEvent` names it with the time ranges that made it match; later matches
 *   emit it again with only their new ranges, so each occurrence is reported once. A category that
 *   can only be decided at the end — a negated rule (absence of a phrase, of interruptions, of
 *   silence), or a `Last` or relative time range, which need the call's length — is evaluated by
 *   `end`. (Transcribe allows only TranscriptFilter rules in REAL_TIME categories; Callsight
 *   evaluates all four filters in real time.)
 * - POST_CALL categories (Transcribe's default) are evaluated at `end` for the post-call record
 *   only; `postCallMatches` returns every category that matched, real-time and post-call.
 *
 * Rule semantics follow the Transcribe API reference: Targets match as exact word sequences
 * (case and punctuation ignored), any target counts; SentimentFilter Negate selects the other
 * sentiments; InterruptionFilter Threshold is the total interruption time needed; NonTalkTimeFilter
 * Threshold the length of one silence; a range matches a time window when it begins inside it.
 */
import type { ParticipantRole, TimestampRange } from './AnalyticsTypes.js';
import type {
  AbsoluteTimeRange,
  CallAnalyticsCategory,
  CategoryEvent,
  RelativeTimeRange,
  Rule,
} from './CategoryTypes.js';
import {
  DEFAULT_MIN_INTERRUPTION_MS,
  InterruptionTracker,
  nonTalkIntervals,
  speechSegment,
  type Interruption,
  type SpeechSegment,
} from './SpeechTimeline.js';
import type { UtteranceEvent } from './UtteranceTypes.js';

export interface CategoryEvaluatorOptions {
  /** `CallAnalyticsStreamCategories`: only these categories are emitted as CategoryEvents (default all). */
  readonly streamCategories?: readonly string[];
  /** Overlap that counts as an interruption (default 300 ms). */
  readonly minInterruptionMs?: number;
  /** Silence length when a NonTalkTimeFilter has no Threshold (default 5000 ms). */
  readonly defaultNonTalkMs?: number;
}

interface Candidate extends TimestampRange {
  /** For InterruptionFilter thresholds. */
  readonly durationMs: number;
}

interface RuleState {
  readonly rule: Rule;
  readonly negate: boolean;
  readonly window: { readonly absolute?: AbsoluteTimeRange; readonly relative?: RelativeTimeRange };
  readonly candidates: Candidate[];
  readonly keys: Set<string>;
}

interface CategoryState {
  readonly category: CallAnalyticsCategory;
  readonly rules: readonly RuleState[];
  readonly realTime: boolean;
  /** Decidable only at the end of the call. */
  readonly deferred: boolean;
  readonly emitted: Set<string>;
  readonly ranges: TimestampRange[];
}

const key = (r: TimestampRange): string => `${r.BeginOffsetMillis}-${r.EndOffsetMillis}`;

function filterOf(rule: Rule): {
  negate: boolean;
  absolute?: AbsoluteTimeRange;
  relative?: RelativeTimeRange;
} {
  const f =
    'TranscriptFilter' in rule
      ? rule.TranscriptFilter
      : 'SentimentFilter' in rule
        ? rule.SentimentFilter
        : 'InterruptionFilter' in rule
          ? rule.InterruptionFilter
          : rule.NonTalkTimeFilter;
  // A negated SentimentFilter selects the other sentiments: it is a positive rule.
  const negate = 'SentimentFilter' in rule ? false : f.Negate === true;
  return {
    negate,
    ...(f.AbsoluteTimeRange !== undefined && { absolute: f.AbsoluteTimeRange }),
    ...(f.RelativeTimeRange !== undefined && { relative: f.RelativeTimeRange }),
  };
}

/** The window [begin, end) of a rule; undefined when it needs the call's length and that is unknown. */
function windowOf(state: RuleState, durationMs: number | undefined): [number, number] | undefined {
  const a = state.window.absolute;
  const r = state.window.relative;
  if (a !== undefined) {
    if (a.StartTime !== undefined && a.EndTime !== undefined) return [a.StartTime, a.EndTime];
    if (a.First !== undefined) return [0, a.First];
    if (a.Last !== undefined)
      return durationMs === undefined ? undefined : [Math.max(0, durationMs - a.Last), durationMs];
  }
  if (r !== undefined) {
    if (durationMs === undefined) return undefined;
    const at = (p: number): number => (durationMs * p) / 100;
    if (r.StartPercentage !== undefined && r.EndPercentage !== undefined)
      return [at(r.StartPercentage), at(r.EndPercentage)];
    if (r.First !== undefined) return [0, at(r.First)];
    if (r.Last !== undefined) return [at(100 - r.Last), durationMs];
  }
  return [0, Number.POSITIVE_INFINITY];
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9'\s[\]]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

function roleMatches(want: ParticipantRole | undefined, role: ParticipantRole): boolean {
  return want === undefined || want === role;
}

export class CategoryEvaluator {
  readonly #states: CategoryState[];
  readonly #stream: ReadonlySet<string> | undefined;
  readonly #defaultNonTalkMs: number;
  readonly #interruptions: InterruptionTracker;
  readonly #segments: SpeechSegment[] = [];
  readonly #lastEnd = new Map<ParticipantRole, number>();
  #ended = false;

  constructor(categories: readonly CallAnalyticsCategory[], options: CategoryEvaluatorOptions = {}) {
    this.#stream = options.streamCategories === undefined ? undefined : new Set(options.streamCategories);
    this.#defaultNonTalkMs = options.defaultNonTalkMs ?? 5000;
    this.#interruptions = new InterruptionTracker(options.minInterruptionMs ?? DEFAULT_MIN_INTERRUPTION_MS);
    this.#states = categories.map((category) => {
      const rules: RuleState[] = category.Rules.map((rule) => {
        const f = filterOf(rule);
        return {
          rule,
          negate: f.negate,
          window: {
            ...(f.absolute !== undefined && { absolute: f.absolute }),
            ...(f.relative !== undefined && { relative: f.relative }),
          },
          candidates: [],
          keys: new Set<string>(),
        };
      });
      const deferred = rules.some((r) => r.negate || windowOf(r, undefined) === undefined);
      return {
        category,
        rules,
        realTime: category.InputType === 'REAL_TIME',
        deferred,
        emitted: new Set<string>(),
        ranges: [],
      };
    });
  }

  /** A final utterance (partials are ignored). Returns at most one CategoryEvent. */
  add(event: UtteranceEvent): CategoryEvent[] {
    if (event.IsPartial || this.#ended) return [];
    const segment = speechSegment(event);
    this.#segments.push(segment);
    this.#lastEnd.set(segment.role, Math.max(this.#lastEnd.get(segment.role) ?? 0, segment.endMs));
    const interruptions = this.#interruptions.add(segment);
    const gaps = this.#confirmedGaps();

    for (const s of this.#states) {
      for (const r of s.rules) this.#collect(r, event, interruptions, gaps);
    }
    const matched: [string, TimestampRange[]][] = [];
    for (const s of this.#states) {
      if (!s.realTime || s.deferred) continue;
      const ranges = this.#evaluate(s, undefined);
      const fresh = ranges?.filter((r) => !s.emitted.has(key(r))) ?? [];
      if (fresh.length === 0) continue;
      for (const r of fresh) s.emitted.add(key(r));
      s.ranges.push(...fresh);
      matched.push([s.category.CategoryName, fresh]);
    }
    return this.#events(matched);
  }

  /**
   * The call ended (`callDurationMs`, default: the end of the last utterance). Returns the
   * CategoryEvent of the REAL_TIME categories only decidable now; evaluates POST_CALL categories.
   */
  end(callDurationMs?: number): CategoryEvent[] {
    if (this.#ended) return [];
    this.#ended = true;
    const duration = callDurationMs ?? Math.max(0, ...this.#segments.map((s) => s.endMs));
    // Silences now known: every gap, including the last one up to the end of the call.
    for (const s of this.#states) {
      for (const r of s.rules) {
        if (!('NonTalkTimeFilter' in r.rule)) continue;
        const min = r.rule.NonTalkTimeFilter.Threshold ?? this.#defaultNonTalkMs;
        for (const g of nonTalkIntervals(this.#segments, 0, duration, min)) {
          this.#push(r, g, g.EndOffsetMillis - g.BeginOffsetMillis);
        }
      }
    }
    const matched: [string, TimestampRange[]][] = [];
    for (const s of this.#states) {
      if (s.realTime && !s.deferred) continue;
      const ranges = this.#evaluate(s, duration);
      if (ranges === undefined) continue;
      const fresh = ranges.filter((r) => !s.emitted.has(key(r)));
      for (const r of fresh) s.emitted.add(key(r));
      s.ranges.push(...fresh);
      if (s.realTime) matched.push([s.category.CategoryName, fresh]);
    }
    return this.#events(matched);
  }

  /**
   * Every category matched so far with its ranges (post-call `Categories.MatchedDetails`, whose
   * ranges Transcribe calls `PointsOfInterest`). Complete after `end`.
   */
  postCallMatches(): Record<string, TimestampRange[]> {
    const out: Record<string, TimestampRange[]> = {};
    for (const s of this.#states) {
      if (s.emitted.size > 0 || s.ranges.length > 0) out[s.category.CategoryName] = [...s.ranges];
    }
    return out;
  }

  #events(matched: [string, TimestampRange[]][]): CategoryEvent[] {
    const shown = matched.filter(([name]) => this.#stream === undefined || this.#stream.has(name));
    if (shown.length === 0) return [];
    return [
      {
        MatchedCategories: shown.map(([name]) => name),
        MatchedDetails: Object.fromEntries(
          shown.map(([name, ranges]) => [
            name,
            { TimestampRanges: [...ranges].sort((a, b) => a.BeginOffsetMillis - b.BeginOffsetMillis) },
          ]),
        ),
      },
    ];
  }

  /** Silences that no later utterance can fill: both channels have spoken past their end. */
  #confirmedGaps(): TimestampRange[] {
    if (this.#lastEnd.size < 2) return [];
    const watermark = Math.min(...this.#lastEnd.values());
    const min = Math.min(
      ...this.#states.flatMap((s) =>
        s.rules.map((r) =>
          'NonTalkTimeFilter' in r.rule
            ? (r.rule.NonTalkTimeFilter.Threshold ?? this.#defaultNonTalkMs)
            : Infinity,
        ),
      ),
    );
    if (!Number.isFinite(min)) return [];
    // The trailing interval is open (speech may still come), so it is left out.
    return nonTalkIntervals(this.#segments, 0, watermark, min).filter((g) => g.EndOffsetMillis < watermark);
  }

  #push(r: RuleState, range: TimestampRange, durationMs: number): void {
    const k = key(range);
    if (r.keys.has(k)) return;
    r.keys.add(k);
    r.candidates.push({ ...range, durationMs });
  }

  #collect(
    r: RuleState,
    e: UtteranceEvent,
    interruptions: readonly Interruption[],
    gaps: readonly TimestampRange[],
  ): void {
    const rule = r.rule;
    if ('TranscriptFilter' in rule) {
      const f = rule.TranscriptFilter;
      if (!roleMatches(f.ParticipantRole, e.ParticipantRole)) return;
      const items = e.Items.filter((i) => i.ItemType === 'pronunciation');
      const spoken = items.map((i) => words(i.Content).join(' '));
      for (const target of f.Targets) {
        const t = words(target);
        if (t.length === 0) continue;
        for (let i = 0; i + t.length <= spoken.length; i += 1) {
          let ok = true;
          for (let j = 0; j < t.length && ok; j += 1) ok = spoken[i + j] === t[j];
          if (!ok) continue;
          const first = items[i];
          const last = items[i + t.length - 1];
          if (first === undefined || last === undefined) continue;
          this.#push(
            r,
            { BeginOffsetMillis: first.BeginOffsetMillis, EndOffsetMillis: last.EndOffsetMillis },
            0,
          );
        }
      }
    } else if ('SentimentFilter' in rule) {
      const f = rule.SentimentFilter;
      if (e.Sentiment === undefined || !roleMatches(f.ParticipantRole, e.ParticipantRole)) return;
      const listed = f.Sentiments.includes(e.Sentiment);
      if (listed === (f.Negate === true)) return;
      this.#push(r, { BeginOffsetMillis: e.BeginOffsetMillis, EndOffsetMillis: e.EndOffsetMillis }, 0);
    } else if ('InterruptionFilter' in rule) {
      const f = rule.InterruptionFilter;
      for (const i of interruptions) {
        if (!roleMatches(f.ParticipantRole, i.interrupter)) continue;
        this.#push(
          r,
          { BeginOffsetMillis: i.BeginOffsetMillis, EndOffsetMillis: i.EndOffsetMillis },
          i.DurationMillis,
        );
      }
    } else {
      const min = rule.NonTalkTimeFilter.Threshold ?? this.#defaultNonTalkMs;
      for (const g of gaps) {
        if (g.EndOffsetMillis - g.BeginOffsetMillis >= min)
          this.#push(r, g, g.EndOffsetMillis - g.BeginOffsetMillis);
      }
    }
  }

  /**
   * The ranges that make the category match, or undefined when it does not (yet). `durationMs`
   * undefined: the call is going on (windows needing its length cannot be judged).
   */
  #evaluate(s: CategoryState, durationMs: number | undefined): TimestampRange[] | undefined {
    const ranges: TimestampRange[] = [];
    let negatedWindow: TimestampRange | undefined;
    for (const r of s.rules) {
      const w = windowOf(r, durationMs);
      if (w === undefined) return undefined;
      const inWindow = r.candidates.filter((c) => c.BeginOffsetMillis >= w[0] && c.BeginOffsetMillis < w[1]);
      let holds: boolean;
      if ('InterruptionFilter' in r.rule) {
        const total = inWindow.reduce((sum, c) => sum + c.durationMs, 0);
        const threshold = r.rule.InterruptionFilter.Threshold ?? 0;
        holds = inWindow.length > 0 && total >= threshold;
      } else {
        holds = inWindow.length > 0;
      }
      if (r.negate) {
        if (holds) return undefined;
        if (durationMs === undefined) return undefined;
        negatedWindow ??= { BeginOffsetMillis: w[0], EndOffsetMillis: Math.min(w[1], durationMs) };
      } else {
        if (!holds) return undefined;
        ranges.push(...inWindow);
      }
    }
    if (ranges.length === 0 && negatedWindow !== undefined) ranges.push(negatedWindow);
    const unique = new Map(
      ranges.map((r) => [
        key(r),
        { BeginOffsetMillis: r.BeginOffsetMillis, EndOffsetMillis: r.EndOffsetMillis },
      ]),
    );
    return [...unique.values()];
  }
}
