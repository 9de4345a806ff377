import type { AcousticWindow, ToneFeatures } from './VoiceToneTypes.js';

/*
 * A speaker's own reference: their pitch level and range, loudness and its variability, and speaking
 * rate over their first seconds
 * of speech, so that a naturally high or lively voice, a loud line or a quick talker is not read as
 * agitated.
 * Later windows are measured against it. Until it is complete the windows that build it are part of
 * it, so the first seconds of a call read close to the speaker's baseline.
 */

/** Speech that makes the baseline: the speaker's first 5 seconds. */
export const BASELINE_SPEECH_MS = 5000;

export class SpeakerBaseline {
  readonly #needMs: number;
  #speechMs = 0;
  #pitchSum = 0;
  #pitchWeight = 0;
  #rangeSum = 0;
  #levelSum = 0;
  #spreadSum = 0;
  #levelWeight = 0;
  #rateSum = 0;
  #rateWeight = 0;

  constructor(needMs: number = BASELINE_SPEECH_MS) {
    this.#needMs = needMs;
  }

  /** True once the speaker's first BASELINE_SPEECH_MS of speech have been seen. */
  get complete(): boolean {
    return this.#speechMs >= this.#needMs;
  }

  /** Adds a window to the baseline while it is being built (ignored afterwards). */
  observe(window: AcousticWindow): void {
    if (this.complete || window.speechMs <= 0) return;
    // Only the part of the window that completes the baseline counts.
    const share = Math.min(1, (this.#needMs - this.#speechMs) / window.speechMs);
    this.#speechMs += window.speechMs * share;
    if (window.pitchSt !== null) {
      this.#pitchSum += window.pitchSt * window.voicedMs * share;
      this.#rangeSum += (window.pitchRangeSt ?? 0) * window.voicedMs * share;
      this.#pitchWeight += window.voicedMs * share;
    }
    if (window.levelDb !== null) {
      this.#levelSum += window.levelDb * window.voicedMs * share;
      this.#spreadSum += (window.levelSpreadDb ?? 0) * window.voicedMs * share;
      this.#levelWeight += window.voicedMs * share;
    }
    if (window.onsetRate > 0) {
      this.#rateSum += Math.log(window.onsetRate) * window.speechMs * share;
      this.#rateWeight += window.speechMs * share;
    }
  }

  /** The window's features relative to this speaker (0 for what the baseline does not know yet). */
  features(window: AcousticWindow): ToneFeatures {
    const pitched = this.#pitchWeight > 0;
    const levelled = this.#levelWeight > 0;
    const rate = this.#rateWeight > 0 ? this.#rateSum / this.#rateWeight : null;
    const delta = (value: number | null, sum: number, weight: number, known: boolean) =>
      value !== null && known ? value - sum / weight : 0;
    return {
      pitchDeltaSt: delta(window.pitchSt, this.#pitchSum, this.#pitchWeight, pitched),
      pitchRangeDeltaSt: delta(window.pitchRangeSt, this.#rangeSum, this.#pitchWeight, pitched),
      levelDeltaDb: delta(window.levelDb, this.#levelSum, this.#levelWeight, levelled),
      levelSpreadDeltaDb: delta(window.levelSpreadDb, this.#spreadSum, this.#levelWeight, levelled),
      rateLogRatio: window.onsetRate > 0 && rate !== null ? Math.log(window.onsetRate) - rate : 0,
      pauseRatio: window.pauseRatio,
    };
  }
}
