import type { PcmFrame } from '../../media/MediaTypes.js';

/** Chime's voice tone labels (lower case, as VoiceToneAnalysisStatus events carry them). */
export type VoiceToneLabel = 'positive' | 'negative' | 'neutral';

/** Chime's voiceToneScore: three probabilities that sum to 1. */
export interface VoiceToneScore {
  readonly positive: number;
  readonly negative: number;
  readonly neutral: number;
}

/**
 * What the voice of one channel carried over one analysis window (computed in a worker thread from
 * the PCM; see docs/voice-tone.md). Pitch is in semitones relative to 100 Hz, levels in dBFS.
 */
export interface AcousticWindow {
  /** Media time of the window, in ms since the call started. */
  readonly beginMs: number;
  readonly endMs: number;
  /** Speech in the window (level above the channel's noise floor; gaps under 200 ms included), ms. */
  readonly speechMs: number;
  /** Voiced speech (periodic frames with a pitch), ms. */
  readonly voicedMs: number;
  /** Median F0 of the voiced frames, semitones re 100 Hz; null with under 200 ms voiced. */
  readonly pitchSt: number | null;
  /** Spread of F0, 90th minus 10th percentile, in semitones; null with under 200 ms voiced. */
  readonly pitchRangeSt: number | null;
  /** Median level of the voiced frames, dBFS; null with under 200 ms voiced. */
  readonly levelDb: number | null;
  /** Standard deviation of the voiced frames' level, dB; null with under 200 ms voiced. */
  readonly levelSpreadDb: number | null;
  /** Voiced-segment onsets (≈ syllables) per second of speech; 0 with under 500 ms of speech. */
  readonly onsetRate: number;
  /** Share of the span from first to last speech that is pause (silence of 200 ms or more). */
  readonly pauseRatio: number;
}

/** The features the tone model reads, after normalising to the speaker's own baseline. */
export interface ToneFeatures {
  /** Median F0 above the speaker's baseline, semitones (0 without a baseline). */
  readonly pitchDeltaSt: number;
  /** F0 spread (10th–90th percentile) above the speaker's baseline spread, semitones. */
  readonly pitchRangeDeltaSt: number;
  /** Median level above the speaker's baseline, dB (0 without a baseline). */
  readonly levelDeltaDb: number;
  /** Standard deviation of the voiced frames' level above the speaker's baseline, dB. */
  readonly levelSpreadDeltaDb: number;
  /** log(onset rate ÷ the speaker's baseline rate): > 0 faster than usual (0 without a baseline). */
  readonly rateLogRatio: number;
  /** Share of the speaking span that is pause (not normalised: pauses are rare in agitated speech). */
  readonly pauseRatio: number;
}

/** The words' sentiment over a window, from the utterances other processors share. */
export interface WordSentiment {
  /** -1 (negative) … 1 (positive). */
  readonly valence: number;
  /** How much of the window the utterances cover, 0 … 1 (0: no words known). */
  readonly weight: number;
}

/** One scored window: the tone model's answer and what it was based on. */
export interface ToneEstimate {
  readonly score: VoiceToneScore;
  readonly label: VoiceToneLabel;
  /** Probability that the voice is agitated (high, wide, loud, fast), 0 … 1. */
  readonly agitation: number;
  readonly features: ToneFeatures;
  readonly words: WordSentiment;
}

/** The main-thread side of one channel's acoustic analysis (its work happens in a worker). */
export interface VoiceFeatureStream {
  /** Audio of the channel; copied before it is handed to the worker. */
  write(frame: PcmFrame): void;
  /** Ends the current segment (a pause): its last, partial window is reported. */
  flush(): Promise<void>;
  /** Flushes and releases the stream; resolves with the worker's CPU time spent on it. */
  end(): Promise<VoiceStreamStats>;
  on(event: 'window', listener: (window: AcousticWindow) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export interface VoiceStreamStats {
  /** Worker time spent on this stream's audio, ms. */
  readonly busyMs: number;
  /** Audio analysed, ms. */
  readonly audioMs: number;
}
