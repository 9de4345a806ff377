/** One word of a decoded utterance, in decoder frames (10 ms each) from the utterance start. */
export interface DecodedSegment {
  readonly word: string;
  readonly startFrame: number;
  readonly endFrame: number;
  /** Posterior probability, 0..1. */
  readonly confidence: number;
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
}
