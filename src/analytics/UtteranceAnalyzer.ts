/**
 * The per-utterance analytics step: from one ASR result of one participant to the TCA
 * `UtteranceEvent` — PII identified or redacted (on partials too, which also mask what may still
 * become PII, so nothing unredacted leaves the step), and on finals the sentiment and the issues.
 * Pure and synchronous; see docs/analytics.md for its latency.
 */
import type { AmazonTranscribeCallAnalyticsProcessorConfiguration } from '../configurations/ConfigurationTypes.js';
import type { AnalyticsUtterance, AnalyticsWord, CharacterOffsets, IssueDetected } from './AnalyticsTypes.js';
import { detectIssues, type IssueDetectorOptions } from './IssueDetector.js';
import { detectPii } from './PiiDetector.js';
import { partialMasks } from './PiiPartialMask.js';
import { redactionTag, redactTranscript, type RedactionLabel } from './PiiRedactor.js';
import { parsePiiEntityTypes, type PiiEntity, type PiiEntityType } from './PiiTypes.js';
import { analyzeSentiment, type SentimentOptions, type SentimentResult } from './SentimentAnalyzer.js';
import { transcriptText, type TranscriptText } from './TranscriptText.js';
import { spokenWords } from '../transcribe/ReadableText.js';
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
  /** The other participant's last final, the question this may answer (PiiCallContext.ts). */
  readonly piiPrompt?: readonly string[];
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

function utteranceItem(w: AnalyticsWord, content: string, isPartial: boolean): UtteranceItem {
  return {
    Content: content,
    Confidence: Math.round(w.confidence * 1e4) / 1e4,
    VocabularyFilterMatch: w.vocabularyFilterMatch === true,
    Stable: !isPartial,
    ItemType: w.type ?? 'pronunciation',
    BeginOffsetMillis: round(w.startMs),
    EndOffsetMillis: round(w.endMs),
  };
}

/**
 * The readable items of an utterance with the models' findings on its spoken words `t` placed on
 * them: an item any of whose words is redacted shows the tag (one tag in the transcript per
 * entity), and character offsets into the spoken text map onto the readable one.
 */
function renderReadable(
  shown: readonly AnalyticsWord[],
  t: TranscriptText,
  entities: readonly PiiEntity[],
  redactedWords: readonly string[] | undefined,
): {
  text: string;
  items: { item: AnalyticsWord; content: string }[];
  entity: (e: PiiEntity, tag: string | undefined) => PiiEntity;
  mapOffsets: (o: CharacterOffsets) => CharacterOffsets;
} {
  /** Which cut (entity index, or -1 for a partial's mask) redacts spoken word k. */
  const cutOf = (k: number): number | undefined => {
    if (redactedWords === undefined || redactedWords[k] === t.words[k]) return undefined;
    return entities.findIndex((x) => k >= x.Words.First && k <= x.Words.Last);
  };
  const begins: number[] = [];
  const ends: number[] = [];
  const items: { item: AnalyticsWord; content: string }[] = [];
  let text = '';
  let k = 0;
  let lastCut: number | undefined;
  for (const item of shown) {
    const count =
      item.type === 'punctuation' ? 0 : (item.spoken ?? [item]).filter((w) => w.word.trim() !== '').length;
    const words = Array.from({ length: count }, (_, i) => k + i);
    const redactedAt = words.find((i) => cutOf(i) !== undefined);
    const cut = redactedAt === undefined ? undefined : cutOf(redactedAt);
    const content = redactedAt === undefined ? item.word : (redactedWords?.[redactedAt] ?? '[PII]');
    items.push({ item, content });
    let begin: number;
    if (cut !== undefined && cut === lastCut) begin = text.length - content.length;
    else {
      if (item.type !== 'punctuation' && text !== '') text += ' ';
      begin = text.length;
      text += content;
    }
    lastCut = cut;
    for (const i of words) {
      begins[i] = begin;
      ends[i] = text.length;
    }
    k += count;
  }
  const wordAt = (offset: number): number => {
    let w = 0;
    while (w + 1 < t.starts.length && (t.starts[w + 1] ?? 0) <= offset) w += 1;
    return w;
  };
  return {
    text,
    items,
    entity: (e, tag) => {
      const Begin = begins[e.Words.First] ?? 0;
      const End = ends[e.Words.Last] ?? Begin;
      return { ...e, Content: tag ?? text.slice(Begin, End), CharacterOffsets: { Begin, End } };
    },
    mapOffsets: (o) => ({
      Begin: begins[wordAt(o.Begin)] ?? 0,
      End: ends[wordAt(Math.max(o.Begin, o.End - 1))] ?? text.length,
    }),
  };
}

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
    // The models read the recogniser's own words; readable items (ReadableText.ts: digits, capitals,
    // punctuation) are what the event shows.
    const shown = u.words.filter((w) => w.word.trim() !== '');
    const readable = shown.some((w) => w.spoken !== undefined || w.type === 'punctuation');
    const kept = spokenWords(shown).filter((w) => w.word.trim() !== '');
    const t = transcriptText(kept.map((w) => w.word.toLowerCase()));

    const found: PiiEntity[] = detectPii(t.words, {
      types: this.#types,
      wordConfidences: kept.map((w) => w.confidence),
      ...(u.piiContext !== undefined && { context: u.piiContext }),
      ...(u.piiPrompt !== undefined && { prompt: u.piiPrompt }),
    });
    const identified = this.#mode === 'off' ? [] : found;
    const redaction =
      this.#mode === 'redact'
        ? redactTranscript(
            t,
            identified,
            this.#options.redactionLabel,
            isPartial ? partialMasks(t.words, u.piiContext, this.#types, u.piiPrompt) : [],
          )
        : undefined;

    let sentiment: SentimentResult | undefined;
    let issues: IssueDetected[] = [];
    if (!isPartial) {
      sentiment = analyzeSentiment(t.words, this.#options.sentiment);
      issues = detectIssues(t.text, u.role, this.#options.issues);
    }

    let transcript: string;
    let items: UtteranceItem[];
    let entities: readonly PiiEntity[];
    if (readable) {
      const view = renderReadable(shown, t, identified, redaction?.words);
      transcript = view.text;
      items = view.items.map((x) => utteranceItem(x.item, x.content, isPartial));
      entities = identified.map((e) =>
        view.entity(e, redaction ? redactionTag(e, this.#options.redactionLabel) : undefined),
      );
      issues = issues.map((i) => ({ CharacterOffsets: view.mapOffsets(i.CharacterOffsets) }));
    } else {
      transcript = redaction?.text ?? t.text;
      const contents = redaction?.words ?? t.words;
      items = kept.map((w, i) => utteranceItem(w, contents[i] ?? w.word, isPartial));
      entities = redaction?.entities ?? identified;
      if (redaction !== undefined)
        issues = issues.map((i) => ({ CharacterOffsets: redaction.mapOffsets(i.CharacterOffsets) }));
    }
    const entityRecords: UtteranceEntity[] = entities.map((e) => ({
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
