/**
 * The transcript of an utterance as one string with the character offset of every word, so that
 * models can report `CharacterOffsets` (issues, PII) and map them back to word items (redaction).
 *
 * ASR output has no punctuation: the transcript is the words joined by single spaces, which is what
 * the `Transcribe` record carries too (TranscribeRecord.ts).
 */

export interface TranscriptText {
  readonly text: string;
  readonly words: readonly string[];
  /** `starts[i]` is the offset of `words[i]` in `text`; its end is `starts[i] + words[i].length`. */
  readonly starts: readonly number[];
}

export function transcriptText(words: readonly string[]): TranscriptText {
  const starts: number[] = [];
  let offset = 0;
  const clean: string[] = [];
  for (const raw of words) {
    const word = raw.trim();
    if (word === '') continue;
    starts.push(offset);
    clean.push(word);
    offset += word.length + 1;
  }
  return { text: clean.join(' '), words: clean, starts };
}

/** Splits a transcript string into words (whitespace) and keeps their offsets in that same string. */
export function parseTranscript(text: string): TranscriptText {
  const words: string[] = [];
  const starts: number[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    words.push(m[0]);
    starts.push(m.index);
  }
  return { text, words, starts };
}

/** Character span of the words `[first, last]` (inclusive word indices). */
export function wordSpan(t: TranscriptText, first: number, last: number): { begin: number; end: number } {
  const begin = t.starts[first] ?? 0;
  const end = (t.starts[last] ?? 0) + (t.words[last]?.length ?? 0);
  return { begin, end };
}
