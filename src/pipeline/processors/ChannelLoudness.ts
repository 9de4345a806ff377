import type { PcmFrame } from '../../media/MediaTypes.js';
import { loudnessScore } from '../../analytics/Loudness.js';
import type { UtteranceEvent } from '../../analytics/UtteranceTypes.js';
import type { ParticipantRole } from '../PipelineTypes.js';

/**
 * Loudness of each channel, one score per second of call time, accumulated as the audio streams
 * by (the post-call record's LoudnessScores) so that no PCM has to be kept for the whole call.
 */
export class ChannelLoudness {
  /** channel → second → [sum of squares, samples] */
  readonly #seconds = new Map<number, Map<number, [number, number]>>();

  add(frame: PcmFrame): void {
    let channel = this.#seconds.get(frame.channel);
    if (!channel) this.#seconds.set(frame.channel, (channel = new Map<number, [number, number]>()));
    const second = Math.floor(frame.offsetMs / 1000);
    const bucket = channel.get(second) ?? [0, 0];
    let sum = 0;
    for (const sample of frame.samples) sum += sample * sample;
    bucket[0] += sum;
    bucket[1] += frame.samples.length;
    channel.set(second, bucket);
  }

  /** Scores for each utterance's seconds, keyed by UtteranceId. */
  scoresFor(
    utterances: readonly UtteranceEvent[],
    channelOf: (role: ParticipantRole) => number,
  ): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const u of utterances) {
      const channel = this.#seconds.get(channelOf(u.ParticipantRole));
      const scores: number[] = [];
      for (let s = Math.floor(u.BeginOffsetMillis / 1000); s <= Math.floor(u.EndOffsetMillis / 1000); s++) {
        const bucket = channel?.get(s);
        if (bucket) scores.push(loudnessScore(bucket[0], bucket[1]));
      }
      out.set(u.UtteranceId, scores);
    }
    return out;
  }
}
