/**
 * Where a frame of the call goes in the recording file: its media time (`offsetMs`, measured from
 * the start of the call) less the time before the recording's first frame and less the time
 * skipped by pauses, in sample frames.
 *
 * The recording starts with the first frame the pipeline hands on (on either channel), so a
 * pipeline started mid-call does not begin with minutes of silence. While the pipeline is paused
 * nothing is recorded, and the first frame after the resume lands where the recording stopped:
 * the file is shorter than the call by the paused time. (Chime's S3RecordingSink cannot pause at all.)
 */
export class RecordingClock {
  readonly #framesPerMs: number;
  /** Media time of position 0, in frames; null until the first frame. */
  #origin: number | null = null;
  /** Media time skipped by pauses, in frames. */
  #skipped = 0;
  /** Set by resume(): the position the next frame must land on. */
  #resumeAt: number | null = null;
  #pausedAt: number | null = null;
  /** From which file position on which skip applies (ascending): how call time maps onto the file. */
  readonly #segments: { readonly from: number; readonly skipped: number }[] = [{ from: 0, skipped: 0 }];

  constructor(sampleRate: number) {
    this.#framesPerMs = sampleRate / 1000;
  }

  /** Media time (ms from the call's start) of the recording's first sample; null before any frame. */
  get originMs(): number | null {
    return this.#origin === null ? null : this.#origin / this.#framesPerMs;
  }

  /** Call time skipped by pauses so far, in ms. */
  get skippedMs(): number {
    return this.#skipped / this.#framesPerMs;
  }

  /** The file position (sample frames) of a frame starting at `offsetMs`. */
  positionOf(offsetMs: number): number {
    const media = Math.round(offsetMs * this.#framesPerMs);
    this.#origin ??= media;
    if (this.#resumeAt !== null) {
      // Skipping never shrinks: a frame from before the pause point must not move the clock back.
      const skipped = Math.max(this.#skipped, media - this.#origin - this.#resumeAt);
      if (skipped !== this.#skipped) this.#segments.push({ from: this.#resumeAt, skipped });
      this.#skipped = skipped;
      this.#resumeAt = null;
    }
    return media - this.#origin - this.#skipped;
  }

  /** Media time (ms from the call's start) of a file position. */
  mediaMsOf(position: number): number {
    return ((this.#origin ?? 0) + this.#skipped + position) / this.#framesPerMs;
  }

  /**
   * Where a stretch of call time (ms from the call's start) lies in the file: the file positions
   * (sample frames, `[start, end)`) it covers, less what fell in a pause (not recorded) or before the
   * first frame. Empty before any frame.
   */
  framesOf(startMs: number, endMs: number): [number, number][] {
    if (this.#origin === null) return [];
    const from = Math.floor(startMs * this.#framesPerMs) - this.#origin;
    const to = Math.ceil(endMs * this.#framesPerMs) - this.#origin;
    const ranges: [number, number][] = [];
    this.#segments.forEach((segment, i) => {
      const next = this.#segments[i + 1]?.from ?? Infinity;
      const start = Math.max(segment.from, from - segment.skipped);
      const end = Math.min(next, to - segment.skipped);
      if (end > start) ranges.push([start, end]);
    });
    return ranges;
  }

  /** The pipeline paused after `endPosition` frames had been recorded. */
  pause(endPosition: number): void {
    this.#pausedAt = endPosition;
  }

  /** The next frame continues the file at the position where the pause began. */
  resume(): void {
    if (this.#pausedAt === null) return;
    this.#resumeAt = this.#pausedAt;
    this.#pausedAt = null;
  }
}
