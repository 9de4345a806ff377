/**
 * Chime's real-time alerts (`RealTimeAlertConfiguration`, chime-spec.md §3.3) over a call's
 * utterances, yielding the `detail` of each "Media Insights Rules Matched" event (§2.3); the
 * processor puts it in an EventBridge envelope and on the event bus.
 *
 * - KeywordMatch: an utterance that contains any of the Keywords (whole words, case and
 *   punctuation ignored) fires once, with `utteranceId` (or `resultId` for a Transcribe processor)
 *   and `beginTimestamp`. With `Negate`, the rule fires once at call end if none was ever spoken.
 * - Sentiment (NEGATIVE, TimePeriod seconds): after each final utterance the window of the last
 *   TimePeriod seconds is judged; it is negative when negative speech outweighs positive speech in
 *   it (durations; MIXED counts half each way; NEUTRAL not at all). The rule fires when the window
 *   turns negative, with the window's `beginTimestamp` and `endTimestamp`, and fires again only
 *   after a window that was not negative.
 * - IssueDetection: an utterance with an issue fires once, with `utteranceId` and `beginTimestamp`.
 *
 * Keyword and issue rules look at finals only, so a partial and its final do not both fire.
 */
import type { RealTimeAlertConfiguration } from '../configurations/ConfigurationTypes.js';
import type { Sentiment } from './AnalyticsTypes.js';
import type { UtteranceEvent } from './UtteranceTypes.js';

/** `detail` of a "Media Insights Rules Matched" event. */
export interface RulesMatchedDetail {
  readonly version: '0';
  readonly sourceMetadata: Readonly<Record<string, unknown>>;
  readonly ruleName: string;
  readonly utteranceId?: string;
  readonly resultId?: string;
  readonly beginTimestamp?: string;
  readonly endTimestamp?: string;
}

export interface RealTimeAlertEvaluatorOptions {
  /** When the call started: offsets become ISO 8601 timestamps. */
  readonly callStartTime: Date;
  /** Copied into every detail's `sourceMetadata` (e.g. the call's metadata). */
  readonly sourceMetadata?: Readonly<Record<string, unknown>>;
  /** `utteranceId` for TCA (default), `resultId` for the Transcribe processor. */
  readonly idField?: 'utteranceId' | 'resultId';
}

/** What the evaluator reads of an utterance (a TCA UtteranceEvent has all of it). */
export type AlertInput = Pick<
  UtteranceEvent,
  'UtteranceId' | 'IsPartial' | 'BeginOffsetMillis' | 'EndOffsetMillis' | 'Transcript'
> &
  Partial<Pick<UtteranceEvent, 'Sentiment' | 'IssuesDetected'>>;

interface Timed {
  readonly beginMs: number;
  readonly endMs: number;
  readonly sentiment: Sentiment;
}

function normalise(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^a-z0-9'\s-]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ')} `;
}

export class RealTimeAlertEvaluator {
  readonly #rules: RealTimeAlertConfiguration['Rules'];
  readonly #start: number;
  readonly #metadata: Readonly<Record<string, unknown>>;
  readonly #idField: 'utteranceId' | 'resultId';
  readonly #spoken = new Set<string>();
  readonly #timed: Timed[] = [];
  readonly #negativeNow = new Set<string>();
  /** The longest sentiment window: older utterances are dropped. */
  readonly #keepMs: number;
  #ended = false;

  constructor(configuration: RealTimeAlertConfiguration | undefined, options: RealTimeAlertEvaluatorOptions) {
    this.#rules = configuration?.Disabled === true ? [] : (configuration?.Rules ?? []);
    this.#start = options.callStartTime.getTime();
    this.#metadata = options.sourceMetadata ?? {};
    this.#idField = options.idField ?? 'utteranceId';
    this.#keepMs = Math.max(
      0,
      ...(this.#rules ?? []).map((r) => (r.SentimentConfiguration?.TimePeriod ?? 0) * 1000),
    );
  }

  #iso(offsetMs: number): string {
    return new Date(this.#start + Math.max(0, offsetMs)).toISOString();
  }

  #detail(ruleName: string, extra: Partial<RulesMatchedDetail>): RulesMatchedDetail {
    return { version: '0', sourceMetadata: this.#metadata, ruleName, ...extra };
  }

  /** An utterance; returns the details of the rules it fires. */
  add(u: AlertInput): RulesMatchedDetail[] {
    if (this.#ended || u.IsPartial) return [];
    const out: RulesMatchedDetail[] = [];
    const text = normalise(u.Transcript);
    const at = { [this.#idField]: u.UtteranceId, beginTimestamp: this.#iso(u.BeginOffsetMillis) };
    if (u.Sentiment !== undefined) {
      this.#timed.push({ beginMs: u.BeginOffsetMillis, endMs: u.EndOffsetMillis, sentiment: u.Sentiment });
      const horizon = u.EndOffsetMillis - this.#keepMs;
      while (this.#timed.length > 0 && (this.#timed[0]?.endMs ?? 0) < horizon) this.#timed.shift();
    }
    for (const rule of this.#rules ?? []) {
      const k = rule.KeywordMatchConfiguration;
      if (rule.Type === 'KeywordMatch' && k !== undefined) {
        const hit = k.Keywords.some((kw) => {
          const n = normalise(kw);
          return n.trim() !== '' && text.includes(n);
        });
        if (hit) this.#spoken.add(k.RuleName);
        if (hit && k.Negate !== true) out.push(this.#detail(k.RuleName, at));
      }
      const s = rule.SentimentConfiguration;
      if (rule.Type === 'Sentiment' && s !== undefined && u.Sentiment !== undefined) {
        const end = u.EndOffsetMillis;
        const begin = Math.max(0, end - s.TimePeriod * 1000);
        const negative = this.#windowNegative(begin, end);
        if (negative && !this.#negativeNow.has(s.RuleName)) {
          out.push(
            this.#detail(s.RuleName, { beginTimestamp: this.#iso(begin), endTimestamp: this.#iso(end) }),
          );
        }
        if (negative) this.#negativeNow.add(s.RuleName);
        else this.#negativeNow.delete(s.RuleName);
      }
      const i = rule.IssueDetectionConfiguration;
      if (rule.Type === 'IssueDetection' && i !== undefined && (u.IssuesDetected?.length ?? 0) > 0) {
        out.push(this.#detail(i.RuleName, at));
      }
    }
    return out;
  }

  /** The call ended: negated keyword rules whose keywords were never spoken fire now. */
  end(): RulesMatchedDetail[] {
    if (this.#ended) return [];
    this.#ended = true;
    const out: RulesMatchedDetail[] = [];
    for (const rule of this.#rules ?? []) {
      const k = rule.KeywordMatchConfiguration;
      if (rule.Type === 'KeywordMatch' && k?.Negate === true && !this.#spoken.has(k.RuleName)) {
        out.push(this.#detail(k.RuleName, {}));
      }
    }
    return out;
  }

  #windowNegative(begin: number, end: number): boolean {
    let negative = 0;
    let positive = 0;
    for (const t of this.#timed) {
      const overlap = Math.min(end, t.endMs) - Math.max(begin, t.beginMs);
      if (overlap <= 0) continue;
      if (t.sentiment === 'NEGATIVE') negative += overlap;
      else if (t.sentiment === 'POSITIVE') positive += overlap;
      else if (t.sentiment === 'MIXED') {
        negative += overlap / 2;
        positive += overlap / 2;
      }
    }
    return negative > 0 && negative > positive;
  }
}
