import { eventCounter, eventHistogram, record } from '../../platform/metrics.js';
import { PIPELINE_SAMPLE_RATE, type PcmFrame } from '../../media/MediaTypes.js';
import type { PipelineContext } from '../PipelineTypes.js';
import type { EngineSwitch } from '../../transcribe/FallbackStream.js';
import type { SpeechEngines } from '../../transcribe/SpeechEngines.js';
import type {
  EngineCategoryMatch,
  RecognitionResult,
  RecognitionSettings,
  RecognitionStream,
} from '../../transcribe/SpeechEngineTypes.js';

const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20];

export const UTTERANCES = eventCounter(
  'callsight_asr_utterances_total',
  'Final recognition results (utterances) delivered to pipelines.',
);
export const PARTIAL_LATENCY = eventHistogram(
  'callsight_asr_partial_latency_seconds',
  'From the arrival of the audio a partial result ends with to the result, seconds.',
  LATENCY_BUCKETS,
);
export const FINAL_LATENCY = eventHistogram(
  'callsight_asr_final_latency_seconds',
  'From the arrival of the audio a final result ends with to the result, seconds.',
  LATENCY_BUCKETS,
);

/** The newest audio of a channel: where it ends on the call's clock, and when it arrived. */
interface AudioClock {
  endMs: number;
  arrivedAt: number;
}

/** Which engine a processor recognises with, and what it asks of it. */
export interface RecognitionChoice {
  readonly engines: SpeechEngines;
  /** The configuration's CallsightSpeechEngine; absent: the default engine. */
  readonly engineName?: string;
  readonly settings: RecognitionSettings;
}

export interface RecognitionChannelsOptions extends RecognitionChoice {
  readonly context: PipelineContext;
  /** Transcribe Call Analytics instead of plain transcription, where the engine has it. */
  readonly callAnalytics?: boolean;
  readonly onResult: (result: RecognitionResult) => void;
  /** A category the engine matched itself (Transcribe Call Analytics). */
  readonly onCategory?: (match: EngineCategoryMatch) => void;
  /** The engine failed: no more results will come. Called once. */
  readonly onError: (error: Error) => void;
  /** An engine failed a channel and its fallback carries it on (a temporary failure). */
  readonly onFallback: (reason: string) => void;
}

/**
 * The speech recognition half of a Transcribe or call analytics processor: one recognition stream
 * per pipeline channel, on the configuration's engine and its fallbacks. Pausing ends the open
 * utterances (their finals come out) and resuming opens new streams, so no utterance spans paused
 * time; a channel added mid-call is opened on its first audio. One failed stream (with no fallback
 * left) ends them all: the processor is no use with a channel missing.
 */
export class RecognitionChannels {
  readonly #options: RecognitionChannelsOptions;
  readonly #streams = new Map<number, RecognitionStream>();
  /** Channels whose engine fell behind, so the warning is logged once per channel. */
  readonly #slow = new Set<number>();
  readonly #clocks = new Map<number, AudioClock>();
  #failed = false;
  #paused = false;

  constructor(options: RecognitionChannelsOptions) {
    this.#options = options;
  }

  start(): void {
    for (const { channelId } of this.#options.context.channels) this.#open(channelId);
  }

  #open(channelId: number): RecognitionStream {
    const { engines, engineName, settings, context } = this.#options;
    const role = context.channels.find((c) => c.channelId === channelId)?.participantRole ?? null;
    const stream = engines.openStream(
      engineName,
      {
        channel: channelId,
        role,
        settings,
        sessionId: context.pipelineId,
        ...(this.#options.callAnalytics ? { callAnalytics: true } : {}),
      },
      (event) => this.#onSwitch(event),
      context.logger,
    );
    stream.on('result', (result) => {
      this.#measure(result);
      this.#options.onResult(result);
    });
    stream.on('category', (match) => this.#options.onCategory?.(match));
    stream.on('error', (error) => this.#onError(error));
    stream.on('drain', () => this.#slow.delete(channelId));
    this.#streams.set(channelId, stream);
    return stream;
  }

  write(frame: PcmFrame): void {
    if (this.#failed || this.#paused) return;
    const endMs = frame.offsetMs + (frame.samples.length * 1000) / PIPELINE_SAMPLE_RATE;
    this.#clocks.set(frame.channel, { endMs, arrivedAt: performance.now() });
    const stream = this.#streams.get(frame.channel) ?? this.#open(frame.channel);
    if (!stream.write(frame) && !this.#slow.has(frame.channel)) {
      this.#slow.add(frame.channel);
      this.#options.context.logger.warn(
        { channel: frame.channel, bufferedMs: Math.round(stream.bufferedMs) },
        'speech engine is behind the audio',
      );
    }
  }

  /**
   * The result's latency: when the audio at its end arrived (the channel's newest audio, less what
   * came after the result's end: audio arrives in real time) until now.
   */
  #measure(result: RecognitionResult): void {
    if (!result.isPartial) record(UTTERANCES);
    const clock = this.#clocks.get(result.channel);
    if (!clock) return;
    const arrivedAt = clock.arrivedAt - Math.max(0, clock.endMs - result.endMs);
    const seconds = Math.max(0, performance.now() - arrivedAt) / 1000;
    record(result.isPartial ? PARTIAL_LATENCY : FINAL_LATENCY, {}, seconds);
  }

  async pause(): Promise<void> {
    this.#paused = true;
    await this.#endAll();
  }

  resume(): void {
    this.#paused = false;
    if (!this.#failed) this.start();
  }

  /** Flushes every channel: the last finals are out when this resolves. */
  async stop(): Promise<void> {
    this.#paused = true;
    await this.#endAll();
  }

  async #endAll(): Promise<void> {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.allSettled(streams.map((stream) => stream.end()));
  }

  #onSwitch(event: EngineSwitch): void {
    this.#options.onFallback(
      `speech engine ${event.from} failed on ch_${event.channel} (${event.error.message}); continuing with ${event.to}`,
    );
  }

  #onError(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    void this.#endAll();
    this.#options.onError(error);
  }
}
