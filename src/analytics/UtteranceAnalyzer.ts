/**
 * The per-utterance analytics step: from one ASR result of one participant to the TCA
 * `UtteranceEvent` — PII identified or redacted (on partials too, which also mask what may still
 * become PII, so nothing unredacted leaves the step), and on finals the sentiment and the issues.
 * Pure and synchronous; see docs/analytics.md for its latency.
 */
import type { AmazonTranscribeCallAnalyticsProcessorConfiguration } from '../configurations/ConfigurationTypes.js';
import type { AnalyticsUtterance, IssueDetected } from './AnalyticsTypes.js';
import { detectIssues, type IssueDetectorOptions } from './IssueDetector.js';
import { detectPii } from './PiiDetector.js';
import { partialMasks } from './PiiPartialMask.js';
import { redactTranscript, type RedactionLabel } from './PiiRedactor.js';
import { parsePiiEntityTypes, type PiiEntity, type PiiEntityType } from './PiiTypes.js';
import { analyzeSentiment, type SentimentOptions, type SentimentResult } from './SentimentAnalyzer.js';
import { transcriptText } from './TranscriptText.js';
import type { UtteranceEntity, UtteranceEvent, UtteranceItem } from './UtteranceTypes.js';

export interface UtteranceAnalyzerOptions {
  /** `ContentIdentificationType`: `PII` reports the entities and leaves the transcript as it is. */
  readonly contentIdentificationType?: 'PII';
  /**
   * `ContentRedactionType`: `PII` replaces every entity with `[PII]` in the Transcript and in its
   * word Items (timings kept). Wins over contentIdentificationType (the schema refuses both).
   */
  readonly contentRedactionType?: 'PII';
  /** `PiiEntityTypes`: comma-separated types or `ALL` (default ALL). */
  readonly piiEntityTypes?: string;
  /** Redaction tag: `[PII]` as Transcribe (default) or the type name, `[CREDIT_DEBIT_NUMBER]`. */
  readonly redactionLabel?: RedactionLabel;
  readonly sentiment?: SentimentOptions;
  readonly issues?: IssueDetectorOptions;
}

export interface UtteranceInput extends AnalyticsUtterance {
  /** A partial hypothesis: PII is handled, sentiment and issues are not computed (default false). */
  readonly isPartial?: boolean;
  /** The same participant's words just before this utterance (PiiChannelContext.ts). */
  readonly piiContext?: readonly string[];
}

export interface UtteranceAnalysis {
  /** What the `TranscribeCallAnalytics` record carries (redacted when redaction is on). */
  readonly event: UtteranceEvent;
  /** The scores behind `event.Sentiment` (finals only). */
  readonly sentiment?: SentimentResult;
  /** Entity types found, also when PII handling is off (never their content). */
  readonly piiTypes: readonly PiiEntityType[];
}

const round = (ms: number): number => Math.round(ms);

export class UtteranceAnalyzer {
  readonly #mode: 'off' | 'identify' | 'redact';
  readonly #types: ReadonlySet<PiiEntityType>;
  readonly #options: UtteranceAnalyzerOptions;

  constructor(options: UtteranceAnalyzerOptions = {}) {
    this.#options = options;
    this.#mode =
      options.contentRedactionType === 'PII'
        ? 'redact'
        : options.contentIdentificationType === 'PII'
          ? 'identify'
          : 'off';
    this.#types = parsePiiEntityTypes(options.piiEntityTypes);
  }

  /** The options of an AmazonTranscribeCallAnalyticsProcessor element. */
  static fromConfiguration(
    config: Pick<
      AmazonTranscribeCallAnalyticsProcessorConfiguration,
      'ContentIdentificationType' | 'ContentRedactionType' | 'PiiEntityTypes'
    >,
    extra: Omit<
      UtteranceAnalyzerOptions,
      'contentIdentificationType' | 'contentRedactionType' | 'piiEntityTypes'
    > = {},
  ): UtteranceAnalyzer {
    return new UtteranceAnalyzer({
      ...extra,
      ...(config.ContentIdentificationType !== undefined && {
        contentIdentificationType: config.ContentIdentificationType,
      }),
      ...(config.ContentRedactionType !== undefined && { contentRedactionType: config.ContentRedactionType }),
      ...(config.PiiEntityTypes !== undefined && { piiEntityTypes: config.PiiEntityTypes }),
    });
  }

  get piiMode(): 'off' | 'identify' | 'redact' {
    return this.#mode;
  }

  analyze(u: UtteranceInput): UtteranceAnalysis {
    const isPartial = u.isPartial ?? false;
    const t = transcriptText(u.words.map((w) => w.word.toLowerCase()));
    // transcriptText drops empty words; keep the timings of the ones it kept.
    const kept = u.words.filter((w) => w.word.trim() !== '');

    const found: PiiEntity[] = detectPii(t.words, {
      types: this.#types,
      wordConfidences: kept.map((w) => w.confidence),
      ...(u.piiContext !== undefined && { context: u.piiContext }),
    });
    const entities = this.#mode === 'off' ? [] : found;
    const redaction =
      this.#mode === 'redact'
        ? redactTranscript(
            t,
            entities,
            this.#options.redactionLabel,
            isPartial ? partialMasks(t.words, u.piiContext, this.#types) : [],
          )
        : undefined;
    const transcript = redaction?.text ?? t.text;
    const contents = redaction?.words ?? t.words;

    let sentiment: SentimentResult | undefined;
    let issues: IssueDetected[] = [];
    if (!isPartial) {
      sentiment = analyzeSentiment(t.words, this.#options.sentiment);
      issues = detectIssues(t.text, u.role, this.#options.issues);
      if (redaction !== undefined)
        issues = issues.map((i) => ({ CharacterOffsets: redaction.mapOffsets(i.CharacterOffsets) }));
    }

    const items: UtteranceItem[] = kept.map((w, i) => ({
      Content: contents[i] ?? w.word,
      Confidence: Math.round(w.confidence * 1e4) / 1e4,
      VocabularyFilterMatch: false,
      Stable: !isPartial,
      ItemType: 'pronunciation',
      BeginOffsetMillis: round(w.startMs),
      EndOffsetMillis: round(w.endMs),
    }));
    const reported = redaction?.entities ?? entities;
    const entityRecords: UtteranceEntity[] = reported.map((e) => ({
      Content: e.Content,
      Confidence: e.Confidence,
      Category: 'PII',
      Type: e.Type,
      BeginOffset: round(kept[e.Words.First]?.startMs ?? u.beginMs),
      EndOffset: round(kept[e.Words.Last]?.endMs ?? u.endMs),
    }));

    const event: UtteranceEvent = {
      UtteranceId: u.utteranceId,
      ParticipantRole: u.role,
      IsPartial: isPartial,
      BeginOffsetMillis: round(u.beginMs),
      EndOffsetMillis: round(u.endMs),
      Transcript: transcript,
      ...(sentiment !== undefined && { Sentiment: sentiment.sentiment }),
      Items: items,
      Entities: entityRecords,
      IssuesDetected: issues,
    };
    return { event, ...(sentiment !== undefined && { sentiment }), piiTypes: found.map((e) => e.Type) };
  }
}
