import type { CustomVocabulary } from './SpeechEngineTypes.js';

/** One term of a custom vocabulary: how it is said (words) and how a transcript writes it. */
export interface VocabularyTerm {
  /** The phrase's words, lower case ("los angeles" from Phrase "Los-Angeles"). */
  readonly words: readonly string[];
  /** How it is written: DisplayAs, else the phrase with its hyphens as spaces. */
  readonly display: string;
  /** Table rows: syllables spelled as they sound ("ko-val-chik"). */
  readonly soundsLike?: string;
  /** Table rows: space-separated IPA symbols. */
  readonly ipa?: string;
}

/** The terms of the vocabularies, in order, each once. */
export function vocabularyTerms(vocabularies: readonly CustomVocabulary[] = []): VocabularyTerm[] {
  const terms = new Map<string, VocabularyTerm>();
  for (const v of vocabularies) {
    for (const phrase of v.Phrases ?? []) {
      const words = phrase.toLowerCase().split(/\s+/).filter(Boolean);
      terms.set(words.join(' '), { words, display: phrase });
    }
    for (const row of v.Table ?? []) {
      const words = row.Phrase.toLowerCase().split('-').filter(Boolean);
      terms.set(words.join(' '), {
        words,
        display: row.DisplayAs ?? row.Phrase.replaceAll('-', ' '),
        ...(row.SoundsLike ? { soundsLike: row.SoundsLike } : {}),
        ...(row.IPA ? { ipa: row.IPA } : {}),
      });
    }
  }
  return [...terms.values()];
}

/** Whisper reads about 224 tokens of prompt; the terms beyond this are left out. */
const MAX_PROMPT_CHARS = 800;

/**
 * The terms as a prompt for Whisper-class servers (the `prompt` field): a comma-separated list,
 * which Whisper takes as preceding text and so favours those spellings. Undefined when there are none.
 */
export function vocabularyPrompt(vocabularies: readonly CustomVocabulary[] = []): string | undefined {
  let prompt = '';
  for (const term of vocabularyTerms(vocabularies)) {
    const next = prompt === '' ? term.display : `${prompt}, ${term.display}`;
    if (next.length > MAX_PROMPT_CHARS) break;
    prompt = next;
  }
  if (prompt === '') return undefined;
  return /[.!?]$/.test(prompt) ? prompt : `${prompt}.`;
}
