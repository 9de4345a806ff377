/**
 * What the PII detector remembers of one caller (one channel) between utterances: the end of their
 * previous finals, so that "my card number is" in one final types the digits of the next, and a
 * number read across a pause is read as one (PiiDetector.ts `context`). Kept only while the caller
 * pauses for at most PII_CONTEXT_GAP_MS; kept in memory only, never written anywhere.
 */

/** The longest pause across which a caller's words still explain the next ones. */
export const PII_CONTEXT_GAP_MS = 5000;

/** Enough words for a cue and the first half of a card number read before a pause. */
const CONTEXT_WORDS = 24;

export class PiiChannelContext {
  #words: readonly string[] = [];
  #endMs = -Infinity;

  /** The context of a result of this channel that begins at `startMs` (ms from the call start). */
  before(startMs: number): readonly string[] {
    return startMs - this.#endMs <= PII_CONTEXT_GAP_MS ? this.#words : [];
  }

  /** A final result of this channel: its words follow on from the context or start a new one. */
  addFinal(words: readonly string[], startMs: number, endMs: number): void {
    this.#words = [...this.before(startMs), ...words].slice(-CONTEXT_WORDS);
    this.#endMs = endMs;
  }
}
