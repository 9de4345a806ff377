import { randomUUID } from 'node:crypto';
import type { EventOrigin } from '../../events/EventEnvelope.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import type {
  PipelineContext,
  PipelineProcessor,
  SharedUtterance,
  VoiceToneLeg,
  VoiceToneTaskControl,
  VoiceToneTaskState,
} from '../PipelineTypes.js';
import {
  analyticsReadyEvent,
  speakerSearchUnavailableEvent,
  voiceToneEvent,
  voiceToneTaskId,
  type VoiceTaskInput,
} from '../records/VoiceAnalyticsEvents.js';
import { VoiceToneTracker, type ToneUpdate } from '../../analytics/voice/VoiceToneTracker.js';
import type {
  AcousticWindow,
  VoiceFeatureStream,
  VoiceStreamStats,
} from '../../analytics/voice/VoiceToneTypes.js';
import { WordSentimentTrack } from '../../analytics/voice/WordSentimentTrack.js';
import { asError } from '../../platform/errors.js';

/** Where a channel's acoustic analysis runs (VoiceToneEngine: worker threads). */
export interface VoiceFeatureSource {
  openStream(): VoiceFeatureStream;
}

export interface VoiceToneProcessorOptions {
  /** Acoustic analysis; null when only speaker search is enabled. */
  readonly features: VoiceFeatureSource | null;
  /** VoiceToneAnalysisStatus: Enabled. */
  readonly voiceTone: boolean;
  /** SpeakerSearchStatus: Enabled (answered with one "not available" event per call). */
  readonly speakerSearch: boolean;
  readonly origin: EventOrigin;
  /**
   * True when another processor of the pipeline shares final utterances: each window then waits up
   * to `holdMs` for the words spoken in it before it is scored.
   */
  readonly expectUtterances: boolean;
  /** Longest wait for a window's words, ms (default 2500). */
  readonly holdMs?: number;
}

const DEFAULT_HOLD_MS = 2500;

interface Held {
  readonly window: AcousticWindow;
  readonly arrivedAt: number;
}

interface ChannelTask {
  readonly input: VoiceTaskInput;
  readonly tracker: VoiceToneTracker;
  readonly words: WordSentimentTrack;
  stream: VoiceFeatureStream | null;
  held: Held[];
  timer: NodeJS.Timeout | null;
  /** How the channel's analysis ended, once the pipeline stopped. */
  outcome: VoiceToneLeg | null;
}

/**
 * Chime's VoiceAnalyticsProcessor. Voice tone: each channel's audio goes to the acoustic analysis
 * in a worker; every 5 s window with speech is scored (the words' sentiment from shared utterances
 * included) and published as a "VoiceToneAnalysisStatus" event (VoiceToneAnalysisSuccessful) with
 * the current and overall averages; at the end a VoiceToneAnalysisCompleted, or a
 * VoiceToneAnalysisFailure for a channel without speech. Speaker search: one "SpeakerSearchStatus"
 * IdentificationFailure per call saying it is not available. Pausing ends each channel's window
 * (no window spans paused time); a failed worker fails the processor, not the pipeline.
 *
 * The Voice API's view: the call gets a "VoiceAnalyticsStatus" AnalyticsReady when the processor
 * starts, and its voice tone analysis is one task (`voiceToneTask`, both channels under one task
 * id, told apart by `isCaller`) that StartVoiceToneAnalysisTask finds already running — it starts
 * with the pipeline so that no speech before the Start call is lost — and StopVoiceToneAnalysisTask
 * ends early.
 */
export class VoiceToneProcessor implements PipelineProcessor {
  readonly type = 'VoiceAnalyticsProcessor';
  readonly #options: VoiceToneProcessorOptions;
  readonly #context: PipelineContext;
  readonly #fail: (error: Error) => void;
  readonly #holdMs: number;
  readonly #channels = new Map<number, ChannelTask>();
  readonly #startedAt = new Date();
  #updatedAt = new Date();
  #paused = false;
  #stopped = false;
  #failed = false;
  /** StopVoiceToneAnalysisTask was called: no more analysis or events. */
  #taskStopped = false;
  readonly voiceToneTask: VoiceToneTaskControl | undefined;

  constructor(options: VoiceToneProcessorOptions, context: PipelineContext, fail: (error: Error) => void) {
    this.#options = options;
    this.#context = context;
    this.#fail = fail;
    this.#holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
    if (options.voiceTone) {
      context.onUtterance((utterance) => this.#onUtterance(utterance));
      this.voiceToneTask = { state: () => this.#taskState(), stop: () => this.#stopTask() };
    }
  }

  start(): void {
    this.#context.publish(analyticsReadyEvent(this.#context.call, this.#options.origin, new Date()));
    if (this.#options.speakerSearch) {
      const caller = this.#context.call.streams.find((s) => s.isCaller) ?? this.#context.call.streams[0];
      const channel = this.#context.channels.find((c) => c.streamChannel === caller?.channel);
      const channelId = channel?.channelId ?? this.#context.channels[0]?.channelId ?? 0;
      const input = this.#taskInput(channelId, randomUUID());
      this.#context.publish(speakerSearchUnavailableEvent(input, this.#options.origin, new Date()));
    }
    if (this.#options.voiceTone) for (const { channelId } of this.#context.channels) this.#task(channelId);
  }

  write(frame: PcmFrame): void {
    if (!this.#options.voiceTone || this.#paused || this.#stopped || this.#failed || this.#taskStopped)
      return;
    const task = this.#task(frame.channel);
    task.stream ??= this.#open(task);
    task.stream?.write(frame);
  }

  async pause(): Promise<void> {
    this.#paused = true;
    await Promise.allSettled([...this.#channels.values()].flatMap((task) => task.stream?.flush() ?? []));
    for (const task of this.#channels.values()) this.#release(task, Infinity);
  }

  resume(): void {
    this.#paused = false;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#updatedAt = new Date();
    const tasks = [...this.#channels.values()];
    const ends = await Promise.allSettled(
      tasks.map((task) => task.stream?.end() ?? Promise.resolve(undefined)),
    );
    if (this.#failed || this.#taskStopped) return;
    tasks.forEach((task, i) => {
      const end = ends[i];
      if (end?.status === 'fulfilled' && end.value) this.#logStats(task, end.value);
      this.#release(task, Infinity);
      const final = task.tracker.finish();
      if (!final) {
        task.outcome = { status: 'SUCCEEDED' };
        return;
      }
      const at = new Date();
      if (final.kind === 'completed') {
        task.outcome = { status: 'SUCCEEDED' };
        this.#context.publish(
          voiceToneEvent(
            {
              ...task.input,
              detailStatus: 'VoiceToneAnalysisCompleted',
              current: final.current,
              overall: final.overall,
            },
            this.#options.origin,
            at,
          ),
        );
      } else {
        const statusMessage = task.stream
          ? `no speech on channel ${task.input.channelId} during the call`
          : `no audio on channel ${task.input.channelId} during the call`;
        task.outcome = { status: 'FAILED', statusMessage };
        this.#context.publish(
          voiceToneEvent(
            { ...task.input, detailStatus: 'VoiceToneAnalysisFailure', statusMessage },
            this.#options.origin,
            at,
          ),
        );
      }
    });
  }

  #task(channelId: number): ChannelTask {
    let task = this.#channels.get(channelId);
    if (!task) {
      task = {
        input: this.#taskInput(channelId, voiceToneTaskId(this.#context.pipelineId)),
        tracker: new VoiceToneTracker(),
        words: new WordSentimentTrack(),
        stream: null,
        held: [],
        timer: null,
        outcome: null,
      };
      this.#channels.set(channelId, task);
    }
    return task;
  }

  #taskInput(channelId: number, taskId: string): VoiceTaskInput {
    const { call, channels, pipelineId, pipelineArn } = this.#context;
    const channel = channels.find((c) => c.channelId === channelId);
    const stream = call.streams.find((s) => s.channel === (channel?.streamChannel ?? channelId));
    return {
      call,
      pipelineId,
      pipelineArn,
      taskId,
      channelId,
      participantRole: channel?.participantRole ?? stream?.participantRole ?? null,
      isCaller: stream?.isCaller ?? channelId === 0,
      streamArn: stream?.streamArn ?? null,
      startFragmentNumber: stream?.startFragmentNumber ?? null,
    };
  }

  #open(task: ChannelTask): VoiceFeatureStream | null {
    const source = this.#options.features;
    if (!source) return null;
    try {
      const stream = source.openStream();
      stream.on('window', (window) => this.#onWindow(task, window));
      stream.on('error', (error) => this.#onError(error));
      return stream;
    } catch (err) {
      this.#onError(asError(err));
      return null;
    }
  }

  #onWindow(task: ChannelTask, window: AcousticWindow): void {
    if (this.#failed || this.#taskStopped) return;
    const wordsKnown = !this.#options.expectUtterances || task.words.latestEndMs >= window.endMs;
    if (wordsKnown && task.held.length === 0) {
      this.#score(task, window);
      return;
    }
    task.held.push({ window, arrivedAt: Date.now() });
    this.#schedule(task);
  }

  #onUtterance(utterance: SharedUtterance): void {
    const task = this.#channels.get(utterance.channelId);
    if (!task) return;
    task.words.add(utterance);
    this.#release(task, utterance.endMs);
  }

  /** Scores held windows in order: those whose words are known by `wordsUntilMs`, and overdue ones. */
  #release(task: ChannelTask, wordsUntilMs: number): void {
    const now = Date.now();
    while (task.held.length > 0) {
      const head = task.held[0]!;
      if (head.window.endMs > wordsUntilMs && head.arrivedAt + this.#holdMs > now) break;
      task.held.shift();
      this.#score(task, head.window);
    }
    this.#schedule(task);
  }

  #schedule(task: ChannelTask): void {
    if (task.timer) clearTimeout(task.timer);
    task.timer = null;
    const head = task.held[0];
    if (!head || this.#failed) return;
    task.timer = setTimeout(
      () => this.#release(task, task.words.latestEndMs),
      Math.max(0, head.arrivedAt + this.#holdMs - Date.now()),
    );
    task.timer.unref();
  }

  #score(task: ChannelTask, window: AcousticWindow): void {
    const words = task.words.over(window.beginMs, window.endMs, window.speechMs);
    for (const update of task.tracker.addWindow(window, words)) this.#publish(task, update);
  }

  #publish(task: ChannelTask, update: ToneUpdate): void {
    const at = new Date();
    if (update.kind === 'tone') {
      this.#context.publish(
        voiceToneEvent(
          {
            ...task.input,
            detailStatus: 'VoiceToneAnalysisSuccessful',
            current: update.current,
            overall: update.overall,
          },
          this.#options.origin,
          at,
        ),
      );
      return;
    }
    this.#context.publish(
      voiceToneEvent(
        {
          ...task.input,
          detailStatus: 'VoiceToneAnalysisFailure',
          statusMessage: `no speech in the first ${Math.round(update.audioMs / 1000)} seconds of audio on channel ${task.input.channelId}; the analysis goes on and reports when speech arrives`,
        },
        this.#options.origin,
        at,
      ),
    );
  }

  #onError(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#updatedAt = new Date();
    for (const task of this.#channels.values()) {
      if (task.timer) clearTimeout(task.timer);
      task.timer = null;
      task.held = [];
      // The other channels' analyses are useless without this one's: release them.
      task.stream?.end().catch(() => undefined);
    }
    this.#fail(error);
  }

  #taskState(): VoiceToneTaskState {
    return {
      taskId: voiceToneTaskId(this.#context.pipelineId),
      startedAt: this.#startedAt.toISOString(),
      updatedAt: this.#updatedAt.toISOString(),
      caller: this.#leg(true),
      callee: this.#leg(false),
    };
  }

  #leg(isCaller: boolean): VoiceToneLeg {
    if (this.#failed) return { status: 'FAILED', statusMessage: 'the voice tone analysis failed' };
    if (this.#taskStopped) return { status: 'STOPPED' };
    const task = [...this.#channels.values()].find((t) => t.input.isCaller === isCaller);
    if (!task) {
      const which = isCaller ? "the caller's" : "the other party's";
      return this.#stopped
        ? { status: 'FAILED', statusMessage: `the pipeline had no channel for ${which} stream` }
        : { status: 'IN_QUEUE', statusMessage: `waiting for ${which} stream` };
    }
    return task.outcome ?? { status: 'IN_PROGRESS' };
  }

  async #stopTask(): Promise<void> {
    if (this.#taskStopped || this.#stopped || this.#failed) return;
    this.#taskStopped = true;
    this.#updatedAt = new Date();
    const tasks = [...this.#channels.values()];
    for (const task of tasks) {
      if (task.timer) clearTimeout(task.timer);
      task.timer = null;
      task.held = [];
    }
    await Promise.allSettled(tasks.map((task) => task.stream?.end() ?? Promise.resolve(undefined)));
    for (const task of tasks) task.stream = null;
  }

  #logStats(task: ChannelTask, stats: VoiceStreamStats): void {
    this.#context.logger.debug(
      {
        channelId: task.input.channelId,
        audioMs: Math.round(stats.audioMs),
        busyMs: Math.round(stats.busyMs),
        cpuPerAudioSecond: stats.audioMs > 0 ? stats.busyMs / stats.audioMs : 0,
      },
      'voice tone analysis finished',
    );
  }
}
