import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallStream } from '../connector/CallTypes.js';
import { CallsightError } from '../platform/errors.js';
import type { EventEnvelope, EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import { counter, gauge, type ScrapedMetric } from '../platform/metrics.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import type { MediaInsightsPipelineConfiguration } from '../configurations/ConfigurationTypes.js';
import type { Pipeline } from '../pipeline/Pipeline.js';
import { pipelineEntryOf } from '../calls/CallDirectoryRows.js';
import type { PipelineBlueprint, PipelineManager } from '../pipeline/PipelineManager.js';
import { stateChangeEvent } from '../pipeline/records/StateChange.js';
import {
  ACTIVE_PIPELINE_STATUSES,
  type CallDirectory,
  type PipelineEntry,
} from '../calls/CallDirectoryTypes.js';
import type { ReplayFrom } from './AudioReplay.js';
import { CallAudioFeed } from './CallAudio.js';
import { callInfoFromJson } from './ClusterEvents.js';
import { JOBS_CONSUMER, pullExpiresMs } from './ClusterStreams.js';
import type { ClusterSubjects } from './ClusterSubjects.js';
import { monotonicClock, type JobClock } from './JobClock.js';
import { JobLease } from './JobLease.js';
import {
  encodeControl,
  parseControlRequest,
  replyOf,
  type ControlReply,
  type ControlRequest,
} from './PipelineControl.js';
import { parseJob, type PipelineJob } from './PipelineJobs.js';

export interface JobRunnerOptions {
  readonly js: JetStreamClient;
  readonly nc: NatsConnection;
  readonly subjects: ClusterSubjects;
  readonly directory: CallDirectory;
  readonly pipelines: PipelineManager;
  /** The configuration document of a job, made ready to instantiate on this worker. */
  readonly blueprint: (configuration: MediaInsightsPipelineConfiguration) => PipelineBlueprint;
  /** The event bus (for the Stopped event of a pipeline whose call ended while no worker had it). */
  readonly publish: (event: EventEnvelope) => void;
  readonly origin: EventOrigin;
  /** This worker's name in the call directory (`owner`). */
  readonly owner: string;
  /** The consumer's AckWait: a heartbeat goes out every third of it. */
  readonly ackWaitMs: number;
  /** A call whose audio stops arriving for this long is taken as over (0: never). */
  readonly staleAudioMs: number;
  /**
   * Where a pipeline taken over from another worker resumes, per channel (the end of the previous
   * worker's last final result): the sip process replays the call's audio from there. Absent: no
   * replay, the pipeline hears the call from the moment it resumes.
   */
  readonly resumePoints?: (job: PipelineJob) => Promise<ReplayFrom>;
  /** Resolves once this worker's records so far are in the data stream (before a handover). */
  readonly appendsSettled?: () => Promise<void>;
  /** What leases are measured in and heartbeats, the watchdog and the pull backoff run on. Default: the monotonic clock. */
  readonly clock?: JobClock;
  readonly logger: Logger;
}

type JobState = 'starting' | 'running' | 'finishing' | 'done';

interface HeldJob {
  readonly msg: JsMsg;
  readonly job: PipelineJob;
  readonly delivery: number;
  readonly lease: JobLease;
  state: JobState;
  control: Subscription | null;
  attached: boolean;
  /** Taken over with the call's audio held back until the replay is in (see #replay). */
  replaying: boolean;
}

interface CallFeed {
  readonly jobs: Set<HeldJob>;
  audio: Promise<{ close(): void }> | null;
  lastFrameAt: number;
  ended: boolean;
  /** Live frames held back while a replay is fetched, so that the pipeline gets them in order. */
  holding: PcmFrame[] | null;
}

const WATCHDOG_MS = 250;
/** A job that fails to start is tried again after this long, up to this many deliveries in all. */
const START_RETRY_MS = 2000;
const MAX_START_ATTEMPTS = 5;
/** How long a claim waits for a holder of a later delivery to object. */
const CLAIM_TIMEOUT_MS = 250;
/** A worker running N pipelines waits N times this (at most the maximum) before pulling another job. */
const LOAD_BACKOFF_MS = 100;
const MAX_LOAD_BACKOFF_MS = 1000;
/** How long a taken-over pipeline waits for the sip process's replay of the call's recent audio. */
const REPLAY_TIMEOUT_MS = 2000;

/** A job this worker acts on whose lease ran out: another worker may have it, so it must be let go. */
const lapsed = (held: HeldJob, now: number) =>
  held.state !== 'starting' && held.state !== 'done' && !held.lease.valid(now);

/**
 * The worker side of pipeline jobs. Pulls jobs from the shared durable consumer; for each, runs the
 * pipeline (with the job's pipeline id, so records continue under it after a failover), feeds it the
 * call's audio from NATS, answers pause/resume/stop, and keeps the job with heartbeats (in-progress
 * acks, confirmed by a round trip) every third of AckWait. At the call's end the pipeline stops
 * (flushes) and the job is acknowledged. A job whose call already ended is acknowledged at once.
 *
 * Exactly one worker handles a call's audio at a time: a worker that cannot confirm a heartbeat
 * within AckWait (JobLease), or hears that another worker claimed the job with a later delivery,
 * releases the pipeline at once: nothing more is emitted, no state is announced, nothing acked.
 * Every frame and every request checks the lease first, so a worker waking from a long pause does
 * not act on the audio that queued up meanwhile.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #logger: Logger;
  readonly #feed: CallAudioFeed;
  readonly #held = new Map<string, HeldJob>();
  /** Jobs being handed over: kept alive by the heartbeat until their last finals are in the stream. */
  readonly #handingOver = new Set<HeldJob>();
  readonly #calls = new Map<string, CallFeed>();
  readonly #writes = new Map<string, Promise<void>>();
  readonly #taking = new Set<Promise<void>>();
  readonly #clock: JobClock;
  readonly #stopHeartbeat: () => void;
  readonly #stopWatchdog: () => void;
  #messages: ConsumerMessages | null = null;
  #closing = false;
  readonly #running: Promise<void>;
  taken = 0;
  takenOver = 0;
  released = 0;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#feed = new CallAudioFeed(options.nc, options.subjects, options.logger);
    this.#clock = options.clock ?? monotonicClock;
    this.#stopHeartbeat = this.#clock.every(Math.max(250, Math.floor(options.ackWaitMs / 3)), () =>
      this.#beat(),
    );
    this.#stopWatchdog = this.#clock.every(WATCHDOG_MS, () => this.#watch());
    this.#running = this.#run();
  }

  /** Pipelines this worker runs now. */
  get held(): number {
    let count = 0;
    for (const job of this.#held.values()) if (job.state !== 'done') count++;
    return count;
  }

  /**
   * Whether this worker may still append the call's results. Not once the lease of a job of the call
   * it runs has lapsed, even before a timer or a frame has noticed: a process waking from a freeze
   * (SIGSTOP, a suspended VM, a long pause) may have results in hand, from audio another worker has
   * since resumed after the stream's last final, and they would overlap that worker's. The job is
   * released at once, as the watchdog would.
   */
  admits(callId: string): boolean {
    const now = this.#clock.now();
    let admitted = true;
    for (const held of this.#held.values()) {
      if (held.job.call.callId !== callId || !lapsed(held, now)) continue;
      admitted = false;
      void this.#release(held, 'lease expired');
    }
    return admitted;
  }

  /** What it reports on /metrics. */
  metrics(): ScrapedMetric[] {
    return [
      gauge('callsight_pipeline_jobs_held', 'Pipeline jobs this worker holds.', () => this.held),
      counter('callsight_pipeline_jobs_taken_total', 'Pipeline jobs taken.', () => this.taken),
      counter(
        'callsight_pipeline_jobs_taken_over_total',
        'Jobs taken over from another worker (redelivered).',
        () => this.takenOver,
      ),
      counter(
        'callsight_pipeline_jobs_released_total',
        'Jobs let go without finishing (lease lost, taken over, shutdown).',
        () => this.released,
      ),
    ];
  }

  /** The PipelineManager's stateChanged: each state goes to the call directory, in order per pipeline. */
  stateChanged(pipeline: Pipeline): void {
    this.#write(pipelineEntryOf(pipeline, this.#options.owner));
  }

  async #run(): Promise<void> {
    const { js, subjects } = this.#options;
    while (!this.#closing) {
      try {
        const consumer = await js.consumers.get(subjects.jobsStream, JOBS_CONSUMER);
        while (!this.#closing) {
          // JetStream gives a job to whichever worker's pull is waiting: a busy worker pulls a little
          // later, so that the jobs of calls arriving together spread over the workers.
          await this.#clock.sleep(Math.min(this.held * LOAD_BACKOFF_MS, MAX_LOAD_BACKOFF_MS));
          if (this.#closing) break;
          this.#messages = await consumer.fetch({
            max_messages: 1,
            expires: pullExpiresMs(this.#options.ackWaitMs),
          });
          for await (const msg of this.#messages) {
            if (this.#closing) {
              msg.nak();
              continue;
            }
            const taking = this.#take(msg).catch((err: unknown) => this.#failed(msg, err));
            this.#taking.add(taking);
            void taking.finally(() => this.#taking.delete(taking));
          }
        }
      } catch (err) {
        if (this.#closing) break;
        this.#logger.warn({ err }, 'pipeline jobs consumer interrupted; pulling again');
        await delay(1000);
      }
    }
  }

  async #take(msg: JsMsg): Promise<void> {
    const receivedAt = performance.now();
    const job = parseJob(msg.data);
    if (!job) {
      this.#logger.error({ subject: msg.subject }, 'dropped a message that is not a pipeline job');
      msg.term();
      return;
    }
    const { nc, subjects } = this.#options;
    const previous = this.#held.get(job.pipelineId);
    if (previous) await this.#release(previous, 'the job was delivered again');
    const held: HeldJob = {
      msg,
      job,
      delivery: msg.info.deliveryCount,
      lease: new JobLease(this.#options.ackWaitMs, () => this.#clock.now()),
      state: 'starting',
      control: null,
      attached: false,
      replaying: false,
    };
    this.#held.set(job.pipelineId, held);
    const log = this.#logger.child({
      pipelineId: job.pipelineId,
      callId: job.call.callId,
      delivery: held.delivery,
    });
    // The job is ours once the server has our first heartbeat.
    if (!(await this.#renew([held]))) {
      held.state = 'done';
      this.#held.delete(job.pipelineId);
      return;
    }
    const control = subjects.pipelineControl(job.pipelineId);
    // A worker that holds a later delivery of this job says so: this one is stale (it sat in this
    // worker's buffer while it was frozen). An earlier holder lets go, silently.
    if (await this.#heldElsewhere(control, held)) {
      log.warn('a later delivery of this job runs on another worker: dropped');
      held.state = 'done';
      this.#held.delete(job.pipelineId);
      return;
    }
    this.taken++;
    if (held.delivery > 1) this.takenOver++;
    held.control = nc.subscribe(control, {
      callback: (err, m) => {
        if (!err) void this.#onControl(held, m);
      },
    });
    await this.#attach(held);
    try {
      await this.#startAttached(held, log, receivedAt);
    } finally {
      if (held.replaying) this.#endHold(held);
    }
  }

  /** The rest of #take, once the job is ours and its call's audio is subscribed to. */
  async #startAttached(held: HeldJob, log: Logger, receivedAt: number): Promise<void> {
    const { job } = held;
    const { directory, pipelines } = this.#options;
    const [call, entry] = await Promise.all([
      directory.getCall(job.call.callId).catch(() => null),
      directory.getPipeline(job.pipelineId).catch(() => null),
    ]);
    if (held.state !== 'starting') return;
    const feed = this.#calls.get(job.call.callId)!;
    if (call?.endedAt != null || feed.ended) {
      log.info('the call ended before the job started: acknowledged');
      await this.#stopOrphan(held, entry);
      return this.#complete(held);
    }
    if (entry && !ACTIVE_PIPELINE_STATUSES.includes(entry.status)) {
      log.info({ status: entry.status }, 'the pipeline was stopped meanwhile: acknowledged');
      return this.#complete(held);
    }
    const info = callInfoFromJson(call?.info ?? job.call);
    let pipeline: Pipeline;
    try {
      pipeline = await pipelines.start(info, this.#options.blueprint(job.configuration), {
        pipelineId: job.pipelineId,
        createdAt: new Date(job.createdAt),
        channels: job.channels,
        runtimeMetadata: job.runtimeMetadata,
      });
    } catch (err) {
      if (err instanceof CallsightError && err.code === 'CS_ERR_NOT_FOUND') return this.#complete(held);
      throw err;
    }
    if (pipeline.id !== job.pipelineId) {
      log.warn(
        { running: pipeline.id },
        'a pipeline of this call and configuration runs already: duplicate job acknowledged',
      );
      return this.#complete(held);
    }
    if (held.state !== 'starting') return;
    held.state = 'running';
    // Streams added while no worker had the job (SIPREC re-INVITE).
    for (const stream of info.streams)
      if (!job.call.streams.some((s) => s.channel === stream.channel))
        pipelines.streamAdded(info.callId, stream);
    if (entry?.status === 'Paused') await pipeline.pause().catch(() => undefined);
    else if (held.replaying) await this.#replay(held, log);
    log.info(
      { tookMs: Math.round(performance.now() - receivedAt) },
      held.delivery > 1 ? 'pipeline resumed after a failover' : 'pipeline job started',
    );
  }

  /**
   * A pipeline taken over mid-call: the audio the previous worker had received but not turned into
   * final results, and the audio sent while no worker listened, replayed by the sip process (which
   * keeps each call's last seconds) from where that worker's last final ended; the live audio held
   * back meanwhile follows it (#endHold).
   */
  async #replay(held: HeldJob, log: Logger): Promise<void> {
    const callId = held.job.call.callId;
    const started = performance.now();
    try {
      const from = await this.#options.resumePoints!(held.job);
      const frames = await this.#feed.replay(callId, from, REPLAY_TIMEOUT_MS);
      const feed = this.#calls.get(callId);
      if (held.state !== 'running' || !feed?.holding) return;
      const firstLive = new Map<number, number>();
      for (const frame of feed.holding)
        if (!firstLive.has(frame.channel)) firstLive.set(frame.channel, frame.offsetMs);
      let written = 0;
      for (const frame of frames) {
        // Decoding moves a frame 1.5 ms back: the first one may now start before the last final's end.
        if (frame.offsetMs < (from.get(frame.channel) ?? Infinity)) continue;
        if (frame.offsetMs >= (firstLive.get(frame.channel) ?? Infinity)) continue;
        this.#options.pipelines.write(callId, frame);
        written++;
      }
      log.info(
        { from: Object.fromEntries(from), frames: written, tookMs: Math.round(performance.now() - started) },
        "audio replayed from where the previous worker's final results ended",
      );
    } catch (err) {
      log.warn({ err }, 'no audio replay: the pipeline goes on with the live audio');
    }
  }

  /** Lets the live audio held back for a replay through, in order. */
  #endHold(held: HeldJob): void {
    held.replaying = false;
    const callId = held.job.call.callId;
    const feed = this.#calls.get(callId);
    const frames = feed?.holding;
    if (!feed || !frames) return;
    feed.holding = null;
    for (const frame of frames) this.#options.pipelines.write(callId, frame);
  }

  /**
   * A job that could not be started (its configuration cannot be built, PostgreSQL refused…): let go
   * and have it tried again, a few times, then given up.
   */
  async #failed(msg: JsMsg, err: unknown): Promise<void> {
    const job = parseJob(msg.data);
    const held = job ? this.#held.get(job.pipelineId) : undefined;
    const delivery = msg.info.deliveryCount;
    const giveUp = delivery >= MAX_START_ATTEMPTS;
    this.#logger.error(
      { err, pipelineId: job?.pipelineId, delivery },
      giveUp ? 'pipeline job failed: given up' : 'pipeline job failed: retrying',
    );
    if (held && held.msg === msg) await this.#release(held, 'failed to start').catch(() => undefined);
    if (giveUp) msg.term();
    else msg.nak(START_RETRY_MS);
  }

  /** Claims the job on its control subject; true when a holder of a later delivery objects. */
  async #heldElsewhere(control: string, held: HeldJob): Promise<boolean> {
    try {
      const reply = await this.#options.nc.request(
        control,
        encodeControl({ op: 'claim', delivery: held.delivery, owner: this.#options.owner }),
        { timeout: CLAIM_TIMEOUT_MS },
      );
      return !reply.json<ControlReply>().ok;
    } catch {
      // No responders (the usual case), or a previous holder that cannot answer (frozen).
      return false;
    }
  }

  /** Subscribes to the call's audio and end (once per call on this worker). */
  async #attach(held: HeldJob): Promise<void> {
    const callId = held.job.call.callId;
    let feed = this.#calls.get(callId);
    if (!feed) {
      feed = { jobs: new Set(), audio: null, lastFrameAt: this.#clock.now(), ended: false, holding: null };
      this.#calls.set(callId, feed);
      // Taken over, and no other pipeline of the call here: hold its audio until the replay is in.
      if (held.delivery > 1 && this.#options.resumePoints) {
        held.replaying = true;
        feed.holding = [];
      }
      const theFeed = feed;
      feed.audio = this.#feed.subscribe(callId, {
        frame: (frame) => this.#onFrame(callId, theFeed, frame),
        streamAdded: (stream) => this.#onStreamAdded(callId, stream),
        ended: () => void this.#callEnded(callId),
      });
    }
    feed.jobs.add(held);
    held.attached = true;
    await feed.audio;
  }

  #detach(held: HeldJob): void {
    held.control?.unsubscribe();
    held.control = null;
    if (this.#held.get(held.job.pipelineId) === held) this.#held.delete(held.job.pipelineId);
    if (!held.attached) return;
    held.attached = false;
    const callId = held.job.call.callId;
    const feed = this.#calls.get(callId);
    if (!feed) return;
    feed.jobs.delete(held);
    if (feed.jobs.size > 0) return;
    this.#calls.delete(callId);
    void feed.audio?.then((subscription) => subscription.close());
  }

  #onFrame(callId: string, feed: CallFeed, frame: PcmFrame): void {
    const now = this.#clock.now();
    feed.lastFrameAt = now;
    for (const held of feed.jobs)
      if (held.state !== 'done' && !held.lease.valid(now)) void this.#release(held, 'lease expired');
    if (feed.holding) feed.holding.push(frame);
    else this.#options.pipelines.write(callId, frame);
  }

  #onStreamAdded(callId: string, stream: CallStream): void {
    this.#options.pipelines.streamAdded(callId, stream);
  }

  /** The call's media ended: its pipelines here stop (flush), then their jobs are acknowledged. */
  async #callEnded(callId: string): Promise<void> {
    const feed = this.#calls.get(callId);
    if (!feed || feed.ended) return;
    feed.ended = true;
    // A job still starting finishes too: its pipeline is refused (the call has ended) or stopped here.
    const jobs = [...feed.jobs].filter((j) => j.state === 'running' || j.state === 'starting');
    for (const held of jobs) held.state = 'finishing';
    await this.#options.pipelines
      .callEnded(callId)
      .catch((err: unknown) => this.#logger.error({ err, callId }, 'pipeline stop failed'));
    await Promise.all(jobs.map((held) => this.#complete(held)));
  }

  /** DeleteMediaPipeline: this pipeline stops, the call goes on. */
  async #stopPipeline(held: HeldJob): Promise<void> {
    held.state = 'finishing';
    await this.#options.pipelines.stop(held.job.pipelineId);
    await this.#complete(held);
  }

  /** Acknowledges a finished job (once its last state is in the directory) if it is still ours. */
  async #complete(held: HeldJob): Promise<void> {
    await this.#writes.get(held.job.pipelineId);
    if (held.lease.valid()) held.msg.ack();
    else
      this.#logger.warn(
        { pipelineId: held.job.pipelineId },
        'job finished after its lease ran out: not acknowledged',
      );
    held.state = 'done';
    this.#detach(held);
  }

  /**
   * Lets go of a job without finishing it: the pipeline is released (nothing more emitted or
   * announced) and the job left to another worker; `nak` hands it over at once (graceful shutdown)
   * instead of after AckWait.
   */
  async #release(held: HeldJob, reason: string, handOver = false): Promise<void> {
    if (held.state === 'done') return;
    const wasStarted = held.state === 'running' || held.state === 'finishing';
    held.state = 'done';
    this.released++;
    this.#logger.warn(
      { pipelineId: held.job.pipelineId, callId: held.job.call.callId, reason },
      'pipeline job released',
    );
    this.#detach(held);
    const flush = handOver && held.lease.valid();
    // Handed over: the next worker starts at once, after this one's last finals, which must be in
    // the data stream first: that is where it reads how far they got. Until then the job's heartbeat
    // goes on, or a flush longer than what is left of AckWait would hand it over early, by
    // redelivery, to a worker that resumes before those finals and says them again.
    if (flush) this.#handingOver.add(held);
    try {
      if (wasStarted)
        await this.#options.pipelines.release(held.job.pipelineId, { flush }).catch((err: unknown) => {
          if (!(err instanceof CallsightError && err.code === 'CS_ERR_NOT_FOUND')) throw err;
        });
      if (!flush) return;
      await this.#options.appendsSettled?.();
      const ids = { pipelineId: held.job.pipelineId, callId: held.job.call.callId };
      if (held.lease.valid()) {
        held.msg.nak();
        this.#logger.info(ids, 'pipeline job handed over');
      } else this.#logger.warn(ids, 'pipeline job not handed over: its lease ran out during the flush');
    } finally {
      this.#handingOver.delete(held);
    }
  }

  /** A pipeline whose call ended while no worker ran it: record it Stopped and say so on the bus. */
  async #stopOrphan(held: HeldJob, entry: PipelineEntry | null): Promise<void> {
    if (!entry || !ACTIVE_PIPELINE_STATUSES.includes(entry.status)) return;
    const now = new Date();
    const document = { ...entry.document, Status: 'Stopped', UpdatedTimestamp: now.toISOString() };
    this.#write({
      ...entry,
      status: 'Stopped',
      owner: this.#options.owner,
      updatedAt: now.getTime(),
      document,
    });
    const elements = ((entry.document.ElementStatuses ?? []) as { Type: string }[]).map((e) => ({
      type: e.Type,
      status: 'Stopped' as const,
      updatedOn: now.getTime(),
    }));
    this.#options.publish(
      stateChangeEvent(
        {
          call: callInfoFromJson(held.job.call),
          pipelineArn: String(entry.document.MediaPipelineArn),
          eventType: 'chime:MediaInsightsStopped',
          elements,
          runtimeMetadata: held.job.runtimeMetadata,
        },
        this.#options.origin,
        now,
      ),
    );
  }

  async #onControl(held: HeldJob, msg: Msg): Promise<void> {
    const request = parseControlRequest(msg.data);
    if (!request) return;
    if (request.op === 'claim') {
      if (request.delivery > held.delivery) return this.#release(held, `taken over by ${request.owner}`);
      if (request.delivery < held.delivery && held.state !== 'done' && held.lease.valid())
        msg.respond(
          encodeControl({
            ok: false,
            code: 'CS_ERR_PIPELINE_STATE',
            message: `delivery ${held.delivery} runs here`,
          }),
        );
      return;
    }
    // Only the certain holder answers; a worker that lost its lease stays silent.
    if (held.state === 'done' || !held.lease.valid()) return;
    msg.respond(encodeControl(await this.#control(held, request)));
  }

  async #control(held: HeldJob, request: Exclude<ControlRequest, { op: 'claim' }>) {
    try {
      if (held.state !== 'running')
        throw new CallsightError(
          'CS_ERR_PIPELINE_UNAVAILABLE',
          `pipeline ${held.job.pipelineId} is ${held.state}`,
        );
      const pipeline = this.#options.pipelines.get(held.job.pipelineId);
      if (request.op === 'Pause') await pipeline.pause();
      else if (request.op === 'Resume') await pipeline.resume();
      else await this.#stopPipeline(held);
      return { ok: true } as const;
    } catch (err) {
      return replyOf(err);
    }
  }

  /** In-progress acks for every job held, confirmed by a round trip; renews their leases. */
  async #renew(jobs: readonly HeldJob[]): Promise<boolean> {
    if (jobs.length === 0) return true;
    const sentAt = this.#clock.now();
    for (const held of jobs) held.msg.working();
    const timeout = Math.max(250, Math.floor(this.#options.ackWaitMs / 3));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.#options.nc.flush(),
        new Promise(
          (_, reject) => (timer = setTimeout(() => reject(new Error('heartbeat timed out')), timeout)),
        ),
      ]);
    } catch (err) {
      this.#logger.warn({ err, jobs: jobs.length }, 'pipeline job heartbeat not confirmed');
      return false;
    } finally {
      clearTimeout(timer);
    }
    for (const held of jobs) held.lease.renewed(sentAt);
    return true;
  }

  async #beat(): Promise<void> {
    this.#watch();
    const alive = [...this.#held.values()].filter((h) => h.state !== 'done');
    await this.#renew([...alive, ...this.#handingOver].filter((h) => h.lease.valid()));
  }

  /** Leases that ran out, and calls whose audio stopped arriving. */
  #watch(): void {
    const now = this.#clock.now();
    for (const held of this.#held.values()) if (lapsed(held, now)) void this.#release(held, 'lease expired');
    const stale = this.#options.staleAudioMs;
    if (stale <= 0) return;
    for (const [callId, feed] of this.#calls) {
      if (!feed.ended && now - feed.lastFrameAt > stale) {
        this.#logger.warn(
          { callId, silentForMs: Math.round(now - feed.lastFrameAt) },
          'no audio from the call: stopping its pipelines',
        );
        void this.#callEnded(callId);
      }
    }
  }

  #write(entry: PipelineEntry): void {
    const id = entry.pipelineId;
    const next = (this.#writes.get(id) ?? Promise.resolve())
      .then(() => this.#options.directory.putPipeline(entry))
      .catch((err: unknown) =>
        this.#logger.error({ err, pipelineId: id }, 'call directory: pipeline state not recorded'),
      );
    this.#writes.set(id, next);
    void next.finally(() => {
      if (this.#writes.get(id) === next) this.#writes.delete(id);
    });
  }

  /**
   * Stops taking jobs. Pipelines whose call has ended finish here; the others are handed to another
   * worker at once (released and negatively acknowledged), so a rolling restart costs each call a
   * gap of about a second, not AckWait.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#messages?.stop();
    await this.#running;
    await Promise.allSettled([...this.#taking]);
    const jobs = [...this.#held.values()].filter((h) => h.state !== 'done');
    await Promise.allSettled(
      jobs.map(async (held) => {
        const callId = held.job.call.callId;
        const call = await this.#options.directory.getCall(callId).catch(() => null);
        if (call?.endedAt != null || this.#calls.get(callId)?.ended) await this.#callEnded(callId);
        if (held.state === 'finishing') await this.#writes.get(held.job.pipelineId);
        else await this.#release(held, 'worker shutting down', true);
      }),
    );
    this.#stopHeartbeat();
    this.#stopWatchdog();
    await Promise.allSettled([...this.#writes.values()]);
  }
}
