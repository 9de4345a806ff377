/**
 * What the PII detector remembers of a call between utterances, in memory only: per channel the end
 * of the caller's previous finals (PiiChannelContext.ts), and the other side's last final, which is
 * often the question the caller is answering. An agent who asks "and the security code on the
 * back?" or "can I have your name please" says what the customer's next words are, as real calls
 * go: the customer's "four two seven" is then a CVV and "bill green" a name, although the
 * customer says no cue (PiiDetector.ts `prompt`). The question counts for PII_PROMPT_GAP_MS after
 * it ends.
 */
import { PiiChannelContext } from './PiiChannelContext.js';

/** How long after the other side's final it is still the question being answered. */
export const PII_PROMPT_GAP_MS = 10_000;

/** What the detector reads besides a result's own words. */
export interface PiiWordsBefore {
  /** The same caller's words just before (PiiChannelContext.ts). */
  readonly context: readonly string[];
  /** The other side's last final, when it ended at most PII_PROMPT_GAP_MS before. */
  readonly prompt: readonly string[];
}

export class PiiCallContext {
  readonly #channels = new Map<number, PiiChannelContext>();
  /** Per channel, its last final (the question its speaker asked last). */
  readonly #lastFinal = new Map<number, { readonly words: readonly string[]; readonly endMs: number }>();

  /** What a result of `channel` that begins at `startMs` (ms from the call start) is read with. */
  before(channel: number, startMs: number): PiiWordsBefore {
    let prompt: { readonly words: readonly string[]; readonly endMs: number } | undefined;
    for (const [c, last] of this.#lastFinal)
      if (
        c !== channel &&
        startMs - last.endMs <= PII_PROMPT_GAP_MS &&
        last.endMs > (prompt?.endMs ?? -Infinity)
      )
        prompt = last;
    return { context: this.#channels.get(channel)?.before(startMs) ?? [], prompt: prompt?.words ?? [] };
  }

  /** A final result of `channel`. */
  addFinal(channel: number, words: readonly string[], startMs: number, endMs: number): void {
    let c = this.#channels.get(channel);
    if (c === undefined) this.#channels.set(channel, (c = new PiiChannelContext()));
    c.addFinal(words, startMs, endMs);
    if (words.length > 0) this.#lastFinal.set(channel, { words: words.slice(-PROMPT_WORDS), endMs });
  }
}

/** The end of a final that holds its question ("… and the security code on the back"). */
const PROMPT_WORDS = 12;
