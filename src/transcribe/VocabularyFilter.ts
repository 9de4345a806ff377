/**
 * Vocabulary filtering as Amazon Transcribe does it, for the engines that do not do it themselves
 * (every engine but Amazon Transcribe, which is given the filter names instead). A filter is a list
 * of individual words (Transcribe filters words, not phrases); an item matches when its word, less
 * any punctuation around it, equals a filter word ignoring case — whole words only: "darn" matches
 * "Darn" but not "darned" nor "darn-it". By `VocabularyFilterMethod`:
 *
 * - `mask`: the word becomes `***` in the items and the transcript;
 * - `remove`: the word leaves the items and the transcript;
 * - `tag`: the word stays.
 *
 * Items that match (those left after `remove`) carry `vocabularyFilterMatch: true`, every other
 * item false, as in Transcribe's output. The recogniser's own words kept for the analytics
 * (`spoken`, `spokenTranscript`; ReadableText.ts) are filtered alike, so a masked word reaches
 * neither the records nor the analytics (PII detection, sentiment, categories) nor anything they
 * write. Only filters of the result's language apply, as Transcribe applies only filters whose
 * language matches the audio's.
 */
import type {
  RecognitionResult,
  RecognitionSettings,
  RecognizedWord,
  VocabularyFilterList,
} from './SpeechEngineTypes.js';

export type VocabularyFilterMethod = NonNullable<RecognitionSettings['vocabularyFilterMethod']>;

/** What a masked word is written as. */
export const MASK = '***';

/** Characters that continue a word: a filter word only matches where none of these touch it. */
const WORD_CHAR = String.raw`[\p{L}\p{N}'’_-]`;
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The filter words of the lists, compiled for items and for transcripts. */
export class VocabularyFilter {
  readonly method: VocabularyFilterMethod;
  readonly #words: ReadonlySet<string>;
  readonly #pattern: RegExp;

  private constructor(words: ReadonlySet<string>, method: VocabularyFilterMethod) {
    this.method = method;
    this.#words = words;
    const alternatives = [...words].sort((a, b) => b.length - a.length).map(escape);
    this.#pattern = new RegExp(`(?<!${WORD_CHAR})(?:${alternatives.join('|')})(?!${WORD_CHAR})`, 'giu');
  }

  /**
   * The filter of the settings' lists for a language (null when none applies). A filter named without
   * a method masks: a configuration that names a filter means its words not to be read.
   */
  static of(settings: RecognitionSettings, languageCode = settings.languageCode): VocabularyFilter | null {
    const lists = (settings.vocabularyFilters ?? []).filter(
      (list) => list.LanguageCode === undefined || list.LanguageCode === languageCode,
    );
    return VocabularyFilter.fromLists(lists, settings.vocabularyFilterMethod ?? 'mask');
  }

  static fromLists(
    lists: readonly VocabularyFilterList[],
    method: VocabularyFilterMethod,
  ): VocabularyFilter | null {
    const words = new Set(
      lists.flatMap((list) => list.Words.map((w) => w.trim().toLowerCase()).filter((w) => w !== '')),
    );
    return words.size > 0 ? new VocabularyFilter(words, method) : null;
  }

  matches(word: string): boolean {
    return this.#words.has(word.replace(EDGE_PUNCTUATION, '').toLowerCase());
  }

  /**
   * Whether a word of a result this filter has been applied to is a filtered one: `***` under mask, a
   * filter word under tag (never under remove). For items made afterwards from the filtered text.
   */
  marks(word: string): boolean {
    if (this.method === 'mask') return word === MASK;
    return this.method === 'tag' && this.matches(word);
  }

  /** The transcript with its filter words masked or removed (tag: as it was). */
  text(transcript: string): string {
    if (this.method === 'tag') return transcript;
    if (this.method === 'mask') return transcript.replace(this.#pattern, MASK);
    return transcript
      .replace(this.#pattern, '')
      .replace(/\s+([.,?!;:])/g, '$1')
      .replace(/\s{2,}/g, ' ')
      .replace(/^[\s.,?!;:]+/, '')
      .trim();
  }

  /** The items, each marked whether it matched; masked or removed by the method. */
  items(words: readonly RecognizedWord[]): RecognizedWord[] {
    const out: RecognizedWord[] = [];
    for (const word of words) {
      const match = word.type !== 'punctuation' && this.matches(word.word);
      if (!match) {
        out.push({ ...word, vocabularyFilterMatch: false });
        continue;
      }
      if (this.method === 'remove') continue;
      if (this.method === 'tag') {
        out.push({ ...word, vocabularyFilterMatch: true });
        continue;
      }
      const { spoken: _spoken, ...rest } = word;
      out.push({ ...rest, word: MASK, vocabularyFilterMatch: true });
    }
    // A removed word leaves no punctuation opening the utterance behind it.
    while (out[0]?.type === 'punctuation' && this.method === 'remove') out.shift();
    return out;
  }

  /** The result filtered: its items, transcript and the recogniser's own transcript. */
  result(result: RecognitionResult): RecognitionResult {
    return {
      ...result,
      transcript: this.text(result.transcript),
      words: this.items(result.words),
      ...(result.spokenTranscript !== undefined
        ? { spokenTranscript: this.text(result.spokenTranscript) }
        : {}),
    };
  }
}
