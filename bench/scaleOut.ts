/*
 * Scale-out: concurrent calls transcribed in real time by one `worker` process and by two, in one run,
 * with the same ramp and the same "falls behind" rule as asrCapacity.ts (whose measurement this
 * reuses). Each configuration is a fresh installation on loopback: one `sip`, one `gateway`, the
 * workers, a private nats-server -js and a throwaway PostgreSQL database.
 *
 * On a machine with fewer cores than workers × 2 the workers would only share the same cores, so each
 * worker is pinned to a core of its own (taskset), standing in for a machine of one core; the sip and
 * gateway processes, NATS and PostgreSQL are not pinned. The report says whether pinning was used.
 * Also measured: the audio bandwidth from sip to the workers (bytes per call-second on NATS).
 */
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { installRules } from '../src/app/eventRules.js';
import { ClusterEventPublisher, ClusterRulesEngine } from '../src/cluster/ClusterEvents.js';
import { ensureClusterStreams } from '../src/cluster/ClusterStreams.js';
import { ClusterSubjects } from '../src/cluster/ClusterSubjects.js';
import { EventBus } from '../src/events/EventBus.js';
import { makeEvent } from '../src/events/EventEnvelope.js';
import { parseRules } from '../src/events/RuleConfig.js';
import { silentLogger } from '../src/platform/logger.js';
import { JetStreamDataStream } from '../src/stream/JetStreamDataStream.js';
import { SipCaller } from '../scripts/lib/SipCaller.js';
import { startCallsights, type RunningCallsight, TEST_TOKEN } from '../test/helpers/callsight.js';
import { startNatsServer, uniqueName } from '../test/helpers/natsServer.js';
import { freePort } from '../test/helpers/ports.js';
import { createTestDatabase } from '../test/helpers/postgres.js';
import { measureAsrCapacity, type AsrCapacityResult } from './asrCapacity.js';
import { round } from './lib/stats.js';
import { TranscriptFeed } from './lib/TranscriptFeed.js';

export interface ScaleOutConfigurationResult {
  readonly workers: number;
  /** Cores each worker was pinned to, or null when not pinned. */
  readonly pinnedCores: number[] | null;
  readonly capacity: AsrCapacityResult;
  /** Audio the sip process published to the workers, per second of call (one channel per call here). */
  readonly audioKbitPerCallSecond: number;
}

export interface ScaleOutResult {
  readonly skipped?: string;
  readonly configurations: ScaleOutConfigurationResult[];
  /** Events through the workers' rules engine (one in flight across all workers), each appended to the data stream. */
  readonly rulesEventsPerSecond: number;
  /** Calls held by two workers ÷ by one. */
  readonly speedup: number;
  readonly definition: string;
  readonly target: string;
  readonly pass: boolean;
}

/** Two workers on two cores should hold at least 1.5× what one holds on one. */
export const SCALE_OUT_TARGET = { speedup: 1.5 };

export interface ScaleOutOptions {
  readonly steps: readonly number[];
  readonly stepSeconds: number;
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  readonly progress: (line: string) => void;
}

const canPin = () => spawnSync('taskset', ['-c', '0', 'true']).status === 0 && availableParallelism() >= 2;

export async function benchScaleOut(options: ScaleOutOptions): Promise<ScaleOutResult> {
  const [natsOrSkip, dbOrSkip] = await Promise.all([startNatsServer(), createTestDatabase()]);
  const skip = natsOrSkip.skip || dbOrSkip.skip;
  const definition = 'asrCapacity ramp per configuration; one transcribed channel per call';
  const target = `two workers hold ≥ ${SCALE_OUT_TARGET.speedup}× the calls one worker holds`;
  if (skip) {
    await natsOrSkip.server?.stop();
    await dbOrSkip.database?.drop();
    return {
      skipped: skip,
      configurations: [],
      rulesEventsPerSecond: 0,
      speedup: 0,
      definition,
      target,
      pass: false,
    };
  }
  const pin = canPin();
  const configurations: ScaleOutConfigurationResult[] = [];
  let rulesEventsPerSecond: number;
  try {
    rulesEventsPerSecond = await measureRulesThroughput(natsOrSkip.server!.url);
    options.progress(
      `  event rules: ${rulesEventsPerSecond} events/s (two rules engines, each event appended to the data stream)`,
    );
    for (const workers of [1, 2]) {
      const cores = pin
        ? Array.from({ length: workers }, (_, i) => (workers === 1 ? 1 : i) % availableParallelism())
        : null;
      options.progress(
        `  ${workers} worker${workers > 1 ? 's' : ''}${cores ? ` (pinned to core ${cores.join(' and ')})` : ''}:`,
      );
      configurations.push(
        await measureConfiguration(workers, cores, natsOrSkip.server!.url, dbOrSkip.database!.url, options),
      );
    }
  } finally {
    await natsOrSkip.server!.stop();
    await dbOrSkip.database!.drop();
  }
  const [one, two] = configurations.map((c) => c.capacity.heldCalls) as [number, number];
  const speedup = one > 0 ? round(two / one, 2) : 0;
  return {
    configurations,
    rulesEventsPerSecond,
    speedup,
    definition,
    target,
    pass: speedup >= SCALE_OUT_TARGET.speedup,
  };
}

const RULES_EVENTS = 3000;

/**
 * The event bus's ceiling: events published as a sip process publishes them, handled by two rules
 * engines (two workers) sharing the `rules` consumer, each event appended to the data stream by the
 * seed's stream rule, until the last one is on the stream.
 */
async function measureRulesThroughput(natsUrl: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  const namespace = uniqueName('benchrules');
  const subjects = new ClusterSubjects(namespace);
  const js = jetstream(nc);
  await ensureClusterStreams(await jetstreamManager(nc), subjects, {
    replicas: 1,
    ackWaitMs: 6000,
    logger: silentLogger,
  });
  const stream = await JetStreamDataStream.open({
    connection: nc,
    streamName: `${namespace}_RECORDS`,
    subjectPrefix: `${namespace}_records`,
  });
  const rules = parseRules([
    { name: 'all', eventPattern: { source: ['aws.chime'] }, targets: [{ stream: {} }] },
  ]);
  const engines = [0, 1].map(() => {
    const bus = new EventBus(silentLogger);
    installRules(rules, {
      bus,
      findCall: () => undefined,
      startPipeline: async () => undefined,
      append: (record, key) => stream.append(record, key),
      origin: ORIGIN,
      logger: silentLogger,
    });
    return new ClusterRulesEngine({ js, subjects, bus, ackWaitMs: 6000, logger: silentLogger });
  });
  const publisher = new ClusterEventPublisher({ js, nc, subjects, logger: silentLogger });
  try {
    const started = performance.now();
    for (let i = 0; i < RULES_EVENTS; i++)
      publisher.publish(
        makeEvent('Chime VoiceConnector Streaming Status', { callId: `call-${i % 50}`, n: i }, ORIGIN),
      );
    while (Number(stream.lastSequence()) < RULES_EVENTS) await new Promise((r) => setTimeout(r, 20));
    return Math.round(RULES_EVENTS / ((performance.now() - started) / 1000));
  } finally {
    await Promise.all(engines.map((e) => e.close()));
    await stream.close();
    await nc.close();
  }
}

const ORIGIN = { account: '000000000000', region: 'local' };

async function measureConfiguration(
  workers: number,
  cores: number[] | null,
  natsUrl: string,
  databaseUrl: string,
  options: ScaleOutOptions,
): Promise<ScaleOutConfigurationResult> {
  // A namespace and stream of its own: the configurations share nothing but the servers.
  const namespace = uniqueName('bench');
  const env = {
    CALLSIGHT_STREAM_BACKEND: 'jetstream',
    CALLSIGHT_NATS_URL: natsUrl,
    CALLSIGHT_NATS_STREAM: `${namespace}_RECORDS`,
    CALLSIGHT_NATS_SUBJECT_PREFIX: `${namespace}_records`,
    CALLSIGHT_NATS_NAMESPACE: namespace,
    CALLSIGHT_DATABASE_BACKEND: 'postgres',
    CALLSIGHT_DATABASE_URL: databaseUrl,
    CALLSIGHT_SIP_ADVERTISED_ADDRESS: '127.0.0.1',
    CALLSIGHT_ASR_WORKERS: '1',
    LOG_LEVEL: process.env.CALLSIGHT_BENCH_LOG_LEVEL ?? 'warn',
  };
  const processes = await startCallsights([
    {
      role: 'sip',
      env,
      sipPort: await freePort(),
      rtp: { min: options.rtpPortMin, max: options.rtpPortMax },
    },
    { role: 'gateway', env },
    ...Array.from({ length: workers }, (_, i) => ({
      role: 'worker',
      env,
      ...(cores ? { wrapper: ['taskset', '-c', String(cores[i])] } : {}),
    })),
  ]);
  const [sip, gateway] = processes as [RunningCallsight, RunningCallsight];
  const caller = await SipCaller.open('127.0.0.1');
  const feed = await TranscriptFeed.connect(gateway.httpPort, TEST_TOKEN);
  try {
    const bytes0 = await audioBytes(sip.httpPort);
    const capacity = await measureAsrCapacity(
      {
        caller,
        sipPort: sip.sipPort,
        feed,
        httpPort: sip.httpPort,
        callsightPid: processes.map((p) => p.process.pid!),
      },
      options.steps,
      options.stepSeconds,
      (line) => options.progress(`  ${line}`),
    );
    const callSeconds = capacity.steps.reduce((sum, s) => sum + s.calls, 0) * capacity.audioSecondsPerCall;
    const bytes = (await audioBytes(sip.httpPort)) - bytes0;
    return {
      workers,
      pinnedCores: cores,
      capacity,
      audioKbitPerCallSecond: callSeconds > 0 ? round((bytes * 8) / 1000 / callSeconds, 1) : 0,
    };
  } finally {
    feed.close();
    caller.close();
    await Promise.all(processes.map((p) => p.stop()));
  }
}

/** callsight_audio_bytes_sent_total of the sip process. */
async function audioBytes(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return Number(/^callsight_audio_bytes_sent_total (\S+)$/m.exec(text)?.[1] ?? 0);
}

export function describeScaleOut(r: ScaleOutResult): string[] {
  if (r.skipped) return [`  skipped: ${r.skipped}`];
  return [
    ...r.configurations.map(
      (c) =>
        `  ${c.workers} worker${c.workers > 1 ? 's' : ''}${c.pinnedCores ? ` (core ${c.pinnedCores.join(', ')})` : ''}: ` +
        `${c.capacity.heldCalls} calls in real time; audio on NATS ${c.audioKbitPerCallSecond} kbit/s per call`,
    ),
    `  speedup ${r.speedup}× (${r.target})`,
    `  event rules: ${r.rulesEventsPerSecond} events/s through the shared consumer, each appended to the data stream`,
  ];
}
