/** One word of a decoded utterance, in decoder frames (10 ms each) from the utterance start. */
export interface DecodedSegment {
  readonly word: string;
  readonly startFrame: number;
  readonly endFrame: number;
  /** Posterior probability, 0..1. */
  readonly confidence: number;
}

/**
 * A decoder's live cepstral mean normalisation (CMN) state: the mean it subtracts, and the running
 * sum and frame count it updates that mean from (sphinxbase `cmn_live`: the mean is recomputed at
 * the end of an utterance and whenever `frames` passes 800, after which sum and count are scaled
 * down to 500 frames).
 */
export interface CmnState {
  readonly mean: Float32Array;
  readonly sum: Float32Array;
  readonly frames: number;
}

/** What the stream recognizer needs from a decoder: one utterance at a time, reusable. */
export interface UtteranceDecoder {
  startUtterance(): void;
  process(samples: Int16Array): void;
  /** The best hypothesis so far (partial while the utterance is open), fillers removed. */
  hypothesis(): string;
  endUtterance(): void;
  /** Word segments of the best path, fillers and sentence markers removed. */
  segments(): DecodedSegment[];
  free(): void;
  /** The CMN state now; absent or null when the decoder cannot expose it. */
  getCmn?(): CmnState | null;
  /** Replaces the CMN state (a stream's own, so pooled decoders do not mix streams). */
  setCmn?(state: CmnState): void;
  /**
   * Decodes a whole utterance again in one call, normalised with its own cepstral mean (batch
   * CMN); `segments()` then describe this decode. Leaves the live CMN state as it was.
   */
  decodeWholeUtterance?(samples: Int16Array): void;
}

/**
 * A decoder that searches JSGF grammars only, never a language model: one that had switched from
 * its language model to a grammar and back decodes later utterances differently (measured: a demo
 * call's last words changed), so the number pass has decoders of its own.
 */
export interface GrammarDecoder {
  /** The words of `samples` (a stretch of a finished utterance), normalised with their own cepstral mean. */
  decodeWithGrammar(samples: Int16Array, jsgf: string): DecodedSegment[];
}
