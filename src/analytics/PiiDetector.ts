/**
 * PII in recogniser output: the entities Amazon Transcribe identifies (PiiTypes.ts), found in the
 * lower-case spoken words a recogniser writes ("my card is four one one one …", "john at example
 * dot com", "double five", "twenty twenty six") rather than in digits and punctuation, and with its
 * errors ("for" for four, a digit dropped, "uh" in the middle of a number).
 *
 * Emails (PiiEmails.ts), addresses (PiiAddresses.ts) and names (PiiNames.ts) are found first; digit
 * runs (SpokenNumbers.ts) outside them are classified by PiiNumbers.ts.
 *
 * A caller's utterance is not the unit of what they say: "my card number is" can end one final and
 * the digits start the next. `context` is the end of the same caller's previous finals
 * (PiiChannelContext.ts): the detector reads it with the words, so a cue there types a number here
 * and a number that began there continues here; only entities reaching into the words are returned,
 * cut to them. `prompt` is the other side's question, which says what an answer without a cue is.
 *
 * Pure and synchronous; a 20-word utterance takes a few µs.
 */
import { findAddresses } from './PiiAddresses.js';
import { findEmails } from './PiiEmails.js';
import { answeredName, asksForName, findNames } from './PiiNames.js';
import { findNumbers, promptCue } from './PiiNumbers.js';
import { PII_TYPES, type PiiEntity, type PiiEntityType, type PiiSpan } from './PiiTypes.js';
import { digitRuns } from './SpokenNumbers.js';
import { transcriptText, wordSpan } from './TranscriptText.js';

export interface PiiDetectorOptions {
  /** Types to report (default all; see parsePiiEntityTypes). */
  readonly types?: ReadonlySet<PiiEntityType>;
  /** The recogniser's confidence of each word, 0 … 1, to weigh the entity confidence. */
  readonly wordConfidences?: readonly number[];
  /** The same caller's words just before these (the end of their previous finals). */
  readonly context?: readonly string[];
  /**
   * The other side's last final, when these words may answer it (PiiCallContext.ts): its last cue
   * types a number that has none of its own ("and the security code?" … "four two seven"), and a
   * question for a name makes the answer's first words one ("your name please?" … "bill green").
   */
  readonly prompt?: readonly string[];
}

function overlaps(a: PiiSpan, b: PiiSpan): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Finds the PII entities of one utterance, in order. */
export function detectPii(words: string | readonly string[], options: PiiDetectorOptions = {}): PiiEntity[] {
  const list = typeof words === 'string' ? words.split(/\s+/) : words;
  const t = transcriptText(list.map((x) => x.toLowerCase()));
  const context = transcriptText((options.context ?? []).map((x) => x.toLowerCase())).words;
  const all = [...context, ...t.words];
  const types = options.types ?? new Set(PII_TYPES);
  const runs = digitRuns(all);

  // Structured entities first; digit runs inside them are not classified again.
  const found: PiiSpan[] = [];
  const take = (candidates: readonly PiiSpan[]): void => {
    for (const c of candidates) if (!found.some((f) => overlaps(f, c))) found.push(c);
  };
  const offset = context.length;
  const prompt = (options.prompt ?? []).map((x) => x.toLowerCase());
  take(findEmails(all));
  take(findAddresses(all, runs));
  take(findNames(all));
  if (asksForName(prompt)) take(answeredName(all, offset));
  take(findNumbers(all, runs, promptCue(prompt)));

  const conf = options.wordConfidences;
  return found
    .filter((f) => f.last >= offset && types.has(f.type))
    .map((f) => ({ ...f, first: Math.max(0, f.first - offset), last: f.last - offset }))
    .sort((a, b) => a.first - b.first)
    .map((f) => {
      const span = wordSpan(t, f.first, f.last);
      let asr = 1;
      if (conf !== undefined && conf.length === t.words.length) {
        let sum = 0;
        for (let i = f.first; i <= f.last; i += 1) sum += conf[i] ?? 1;
        asr = sum / (f.last - f.first + 1);
      }
      return {
        Type: f.type,
        Category: 'PII' as const,
        Content: t.text.slice(span.begin, span.end),
        CharacterOffsets: { Begin: span.begin, End: span.end },
        Words: { First: f.first, Last: f.last },
        Confidence: Math.round(f.confidence * asr * 1e4) / 1e4,
      };
    });
}
