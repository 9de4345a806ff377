import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { SqliteCallDirectory } from '../../src/calls/SqliteCallDirectory.js';
import { ensureClusterStreams } from '../../src/cluster/ClusterStreams.js';
import { ClusterSubjects } from '../../src/cluster/ClusterSubjects.js';
import type { JobClock } from '../../src/cluster/JobClock.js';
import { JobRunner } from '../../src/cluster/JobRunner.js';
import { PipelineJobQueue } from '../../src/cluster/PipelineJobs.js';
import { SqliteConfigurationStore } from '../../src/configurations/SqliteConfigurationStore.js';
import type { EventEnvelope } from '../../src/events/EventEnvelope.js';
import type { PcmFrame } from '../../src/media/MediaTypes.js';
import { silentLogger } from '../../src/platform/logger.js';
import { connectNats } from '../../src/platform/nats/NatsConnection.js';
import { PipelineManager } from '../../src/pipeline/PipelineManager.js';
import type { PipelineContext, PipelineProcessor } from '../../src/pipeline/PipelineTypes.js';
import { JetStreamDataStream } from '../../src/stream/JetStreamDataStream.js';
import type { AppendKey } from '../../src/stream/StreamTypes.js';
import { KDS, ROLE } from '../configurations/fixtures.js';
import { uniqueName, useNatsServer } from '../helpers/natsServer.js';
import { TestClock } from '../helpers/testClock.js';
import { origin, testCall } from '../pipeline/support/testCall.js';

/**
 * The job lifecycle of one JobRunner against a real JetStream (a private nats-server), with the
 * pipeline's processor a stand-in the test drives (through the runner's `blueprint`) and, for the
 * worker under test, a clock the test moves (through its `clock`): its leases, heartbeats, watchdog
 * and pull backoff run on it, while the server's AckWait runs on real time. The other worker runs on
 * the real clock. Each test waits for events (log lines, the stand-in's calls), never for a time.
 */

const nats = useNatsServer();
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callsight-jobrunner-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const CONFIGURATION = 'StandIn';
/** AckWait of the graceful handover: a job handed back is taken over well within half of it. */
const HANDOVER_ACK_WAIT_MS = 6000;
const WAIT_MS = 15_000;
/** A handover's order of events: the flush's final is in the stream before the next worker starts. */
const HANDED_ON = ['worker-a started', 'worker-a stored final of the flush', 'worker-b started'];

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A worker's log lines, parsed, with a wait for the next that matches. */
class LogBook {
  readonly lines: Record<string, unknown>[] = [];
  readonly #listeners: (() => void)[] = [];
  readonly logger = pino({ level: 'debug' }, { write: (line: string) => this.#add(line) });

  #add(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const listener of this.#listeners) listener();
  }

  has(msg: string, fields: Record<string, unknown> = {}): boolean {
    return this.lines.some((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
  }

  /** Resolves at the first line that matches (or at once); rejects after WAIT_MS. */
  waitFor(msg: string, fields: Record<string, unknown> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.has(msg, fields)) return resolve();
      const timer = setTimeout(() => {
        const seen = this.lines.map((l) => l.msg as string).join('; ');
        reject(new Error(`no log line "${msg}" within ${WAIT_MS} ms; saw: ${seen}`));
      }, WAIT_MS);
      this.#listeners.push(() => {
        if (!this.has(msg, fields)) return;
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * The pipeline's one processor, in place of speech recognition: it says when it starts, keeps the
 * frames it gets, and emits a result when told (one it had in hand) and on its flush (a pause, as a
 * handover makes: the final of the utterance in progress). The flush can be held open.
 */
class StandInProcessor implements PipelineProcessor {
  readonly type = 'AmazonTranscribeProcessor';
  readonly frames: PcmFrame[] = [];
  readonly started = deferred();
  readonly flushing = deferred();
  /** Resolved by the test to let a flush finish. */
  flushGate: Promise<void> = Promise.resolve();
  aborted = false;
  readonly #context: PipelineContext;

  constructor(context: PipelineContext) {
    this.#context = context;
  }

  start(): void {
    this.started.resolve();
  }

  write(frame: PcmFrame): void {
    this.frames.push(frame);
  }

  async pause(): Promise<void> {
    this.flushing.resolve();
    await this.flushGate;
    this.result('final of the flush');
  }

  resume(): void {}

  async stop(): Promise<void> {}

  abort(): Promise<void> {
    this.aborted = true;
    return Promise.resolve();
  }

  result(text: string): void {
    const { call, pipelineId } = this.#context;
    this.#context.emit(
      { 'detail-type': 'Transcribe', pipelineId, text },
      { type: 'Transcribe', callId: call.callId },
    );
  }
}

/**
 * The data stream the workers append their results to: a real JetStream stream, whose
 * acknowledgements the test can hold back (a slow stream), and the order records were stored in.
 */
class Records {
  readonly #stream: JetStreamDataStream;
  readonly #timeline: string[];
  readonly #inflight = new Set<Promise<unknown>>();
  #held: Promise<void> = Promise.resolve();

  constructor(stream: JetStreamDataStream, timeline: string[]) {
    this.#stream = stream;
    this.#timeline = timeline;
  }

  append(worker: string, record: { text: string }, key: AppendKey): void {
    const done = this.#held
      .then(() => this.#stream.append(record, key))
      .then(() => this.#timeline.push(`${worker} stored ${record.text}`));
    this.#inflight.add(done);
    void done.finally(() => this.#inflight.delete(done));
  }

  /** Appends wait until the function returned is called. */
  hold(): () => void {
    const release = deferred();
    this.#held = release.promise;
    return () => release.resolve();
  }

  /** Resolves once every append so far is acknowledged. */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  async texts(): Promise<string[]> {
    await this.settled();
    return (await this.#stream.read('0', 100)).map((r) => (JSON.parse(r.json) as { text: string }).text);
  }
}

/** What every worker of a test shares: NATS subjects and consumers, the stores, the data stream. */
interface World {
  readonly subjects: ClusterSubjects;
  readonly ackWaitMs: number;
  readonly jobs: PipelineJobQueue;
  readonly directory: SqliteCallDirectory;
  /** What the workers stored in the data stream and when the takeover's worker started, in order. */
  readonly timeline: string[];
  readonly records: Records;
  /** Run at the test's end, newest first: the workers, then what they share. */
  readonly cleanups: (() => Promise<void>)[];
}

interface Worker {
  readonly name: string;
  readonly runner: JobRunner;
  readonly logs: LogBook;
  /** The stand-in of each pipeline this worker started, newest last. */
  readonly processors: StandInProcessor[];
  /** Events its pipelines published (state changes). */
  readonly events: EventEnvelope[];
  /** Resolved when its runner first waits for its appends to be acknowledged (a handover). */
  readonly settling: Deferred;
}

async function openWorld(t: TestContext, ackWaitMs: number): Promise<World> {
  const namespace = uniqueName('jr').toLowerCase();
  const subjects = new ClusterSubjects(namespace);
  const nc = await connectNats({ url: nats.url() });
  await ensureClusterStreams(await jetstreamManager(nc), subjects, {
    replicas: 1,
    ackWaitMs,
    logger: silentLogger,
  });
  const file = join(dir, `${namespace}.db`);
  const configurations = SqliteConfigurationStore.open({ path: file, ...origin });
  await configurations.create({
    MediaInsightsPipelineConfigurationName: CONFIGURATION,
    ResourceAccessRoleArn: ROLE,
    Elements: [
      {
        Type: 'AmazonTranscribeProcessor',
        AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
      },
      { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: KDS } },
    ],
  });
  const directory = SqliteCallDirectory.open({ path: file });
  const name = uniqueName('JR_RECORDS');
  const stream = await JetStreamDataStream.open({
    connection: nc,
    streamName: name,
    subjectPrefix: `records.${name}`,
  });
  const jobs = new PipelineJobQueue({
    js: jetstream(nc),
    nc,
    subjects,
    directory,
    configurations,
    origin,
    logger: silentLogger,
  });
  const cleanups = [
    async () => {
      await stream.close();
      await directory.close();
      await configurations.close();
      await nc.drain();
    },
  ];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const timeline: string[] = [];
  return { subjects, ackWaitMs, jobs, directory, timeline, records: new Records(stream, timeline), cleanups };
}

/** A worker: its own NATS connection, a PipelineManager building stand-ins, a JobRunner on `clock`. */
async function startWorker(world: World, name: string, clock?: JobClock): Promise<Worker> {
  const nc = await connectNats({ url: nats.url(), name });
  const logs = new LogBook();
  const processors: StandInProcessor[] = [];
  const events: EventEnvelope[] = [];
  const settling = deferred();
  let runner: JobRunner | null = null;
  const pipelines = new PipelineManager({
    resolve: () => Promise.reject(new Error('jobs carry their configuration')),
    origin,
    publish: (event) => events.push(event),
    logger: silentLogger,
    stateChanged: (pipeline) => runner?.stateChanged(pipeline),
  });
  runner = new JobRunner({
    js: jetstream(nc),
    nc,
    subjects: world.subjects,
    directory: world.directory,
    pipelines,
    blueprint: (configuration) => ({
      configurationName: configuration.MediaInsightsPipelineConfigurationName,
      configurationArn: configuration.MediaInsightsPipelineConfigurationArn,
      build: (context) => {
        const processor = new StandInProcessor(context);
        void processor.started.promise.then(() => world.timeline.push(`${name} started`));
        processors.push(processor);
        return {
          processors: [processor],
          sinks: [
            {
              type: 'KinesisDataStreamSink',
              // As the worker role appends: nothing of a call whose job's lease lapsed (clusterWorker.ts).
              deliver: (record, key) => {
                if (key.callId !== null && !runner!.admits(key.callId)) return;
                world.records.append(name, record as { text: string }, key);
              },
              close: async () => {},
            },
          ],
        };
      },
    }),
    publish: (event) => events.push(event),
    origin,
    owner: name,
    ackWaitMs: world.ackWaitMs,
    staleAudioMs: 0,
    appendsSettled: () => {
      settling.resolve();
      return world.records.settled();
    },
    ...(clock ? { clock } : {}),
    logger: logs.logger,
  });
  const worker: Worker = { name, runner, logs, processors, events, settling };
  world.cleanups.push(async () => {
    await stopWorker(worker, clock);
    await nc.drain();
  });
  return worker;
}

/** Closes the worker's runner (idempotent); on a test clock, time moves on so its pull backoff ends. */
async function stopWorker(worker: Worker, clock?: JobClock): Promise<void> {
  const closing = worker.runner.close();
  if (clock instanceof TestClock) await clock.advance(1000);
  await closing;
}

/** A call in the directory and a job for its pipeline; resolves when `worker` runs it. */
async function runJob(world: World, worker: Worker): Promise<StandInProcessor> {
  const call = testCall(uniqueName('call'));
  await world.directory.callStarted(call, 'sip@test');
  await world.jobs.submit(call, CONFIGURATION);
  await worker.logs.waitFor('pipeline job started');
  return worker.processors.at(-1)!;
}

/**
 * Worker a (on a test clock) runs a job, worker b waits for one; worker a shuts down and its
 * pipeline's flush is held open (until `gate` is resolved) as the test lets its clock move.
 */
async function shutDownDuringFlush(t: TestContext, ackWaitMs: number) {
  const world = await openWorld(t, ackWaitMs);
  const clock = new TestClock();
  const a = await startWorker(world, 'worker-a', clock);
  const processor = await runJob(world, a);
  const b = await startWorker(world, 'worker-b');
  const gate = deferred();
  processor.flushGate = gate.promise;
  const closing = a.runner.close();
  await clock.advance(100); // its pull backoff
  await processor.flushing.promise;
  return { world, clock, a, b, processor, gate, closing };
}

const stored = (world: World) => world.timeline.filter((e) => e.includes(' stored '));
const stateChanges = (worker: Worker) =>
  worker.events.map((e) => (e.detail as { eventType?: string }).eventType);

describe('JobRunner', () => {
  test('a worker whose lease lapsed unnoticed drops the result it had in hand and lets the job go to the next worker', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const world = await openWorld(t, 1500);
    const clock = new TestClock();
    const a = await startWorker(world, 'worker-a', clock);
    const processor = await runJob(world, a);
    processor.result('before the freeze');
    await world.records.settled();
    assert.deepEqual(stored(world), ['worker-a stored before the freeze']);

    const b = await startWorker(world, 'worker-b');
    // Worker a is frozen past its lease: no timer of it ran. It wakes with a result in hand.
    clock.freeze(world.ackWaitMs);
    processor.result('in hand at the wake');
    assert.equal(a.runner.held, 0, 'released at once, before any timer');
    assert.equal(a.runner.released, 1);
    assert.ok(a.logs.has('pipeline job released', { reason: 'lease expired' }), 'released: lease expired');

    // JetStream redelivers the job AckWait after its last heartbeat; worker b resumes the pipeline.
    await b.logs.waitFor('pipeline resumed after a failover');
    assert.equal(b.runner.takenOver, 1);
    b.processors[0]!.result('from worker b');
    await world.records.settled();
    assert.equal(processor.aborted, true, 'released without finishing');
    assert.deepEqual(stateChanges(a), ['chime:MediaInsightsInProgress'], 'worker a announced nothing more');
    assert.deepEqual(await world.records.texts(), ['before the freeze', 'from worker b']);
  });

  test('a worker still holding a job lets go of it when a later delivery is claimed by another worker', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const world = await openWorld(t, 1500);
    // Worker a's timers never run (its clock stands still): it sends no heartbeat after the first and
    // its own lease never runs out, but it answers NATS.
    const clock = new TestClock();
    const a = await startWorker(world, 'worker-a', clock);
    const processor = await runJob(world, a);
    const b = await startWorker(world, 'worker-b');
    await b.logs.waitFor('pipeline resumed after a failover');
    assert.ok(
      a.logs.has('pipeline job released', { reason: 'taken over by worker-b' }),
      'a let go on the claim',
    );
    assert.equal(a.runner.held, 0);
    assert.equal(processor.aborted, true);
    assert.deepEqual(world.timeline, ['worker-a started', 'worker-b started']);
    // Released: what worker a still had in hand goes nowhere.
    processor.result('late from worker a');
    b.processors[0]!.result('from worker b');
    await world.records.settled();
    assert.deepEqual(stored(world), ['worker-b stored from worker b']);
    assert.deepEqual(stateChanges(a), ['chime:MediaInsightsInProgress'], 'worker a announced nothing more');
  });

  test('a graceful handover keeps the heartbeat during the flush and hands the job back once its finals are in the stream', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const { world, clock, a, b, processor, gate, closing } = await shutDownDuringFlush(
      t,
      HANDOVER_ACK_WAIT_MS,
    );
    // The flush takes twice AckWait on worker a's clock; its heartbeats go on meanwhile.
    for (let i = 0; i < 6; i++) await clock.advance(HANDOVER_ACK_WAIT_MS / 3);
    // The stream is slow to acknowledge the flush's final: the job waits for it.
    const acknowledge = world.records.hold();
    gate.resolve();
    await a.settling.promise;
    assert.ok(!a.logs.has('pipeline job handed over'), 'not before its finals are acknowledged');
    acknowledge();
    await closing;
    const closedAt = performance.now();
    assert.ok(a.logs.has('pipeline job handed over'), 'handed back (nak)');
    assert.ok(!a.logs.has('pipeline job not handed over: its lease ran out during the flush'), 'no warning');

    await b.logs.waitFor('pipeline resumed after a failover');
    // Handed back, not left to expire: worker b has it well before AckWait could have run out.
    assert.ok(performance.now() - closedAt < HANDOVER_ACK_WAIT_MS / 2, 'redelivered at once');
    assert.deepEqual(world.timeline, HANDED_ON);
    assert.equal(processor.aborted, true);
    assert.deepEqual(stateChanges(a), ['chime:MediaInsightsInProgress'], 'no Stopped: the pipeline goes on');
  });

  test('a handover whose lease runs out during the flush is not handed back: a warning, and the job expires', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const { world, clock, a, b, gate, closing } = await shutDownDuringFlush(t, 3000);
    // Worker a freezes during the flush, past its lease: no heartbeat goes out.
    clock.freeze(world.ackWaitMs);
    gate.resolve();
    await closing;
    assert.ok(a.logs.has('pipeline job not handed over: its lease ran out during the flush'), 'warned');
    assert.ok(!a.logs.has('pipeline job handed over'), 'not handed back (no nak)');

    // Not nak'ed: the job comes back only when its AckWait has run out on the server.
    await b.logs.waitFor('pipeline resumed after a failover');
    assert.deepEqual(world.timeline, HANDED_ON);
  });
});
