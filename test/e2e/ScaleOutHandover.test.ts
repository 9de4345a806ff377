import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readWav } from '../../src/media/wav/WavFile.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { startCallsights, type RunningCallsight } from '../helpers/callsight.js';
import { uniqueName, type NatsServer } from '../helpers/natsServer.js';
import { freePort, rtpRangeForThisProcess } from '../helpers/ports.js';
import type { TestDatabase } from '../helpers/postgres.js';
import {
  pipelineOwners,
  pipelinesOf,
  scaleOutEnv,
  sleep,
  startScaleOutBackends,
} from '../helpers/scaleOut.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const AUDIO = ['demo-customer', 'demo-agent'].map((name) =>
  readWav(new URL(`../fixtures/audio/${name}.wav`, import.meta.url).pathname),
);
/** Short, so that the test is quick: failover after 2–3 s. */
const ACK_WAIT_MS = 3000;
const inProgress = (f: StreamFrame) => detailOf(f).eventType === 'chime:MediaInsightsInProgress';

/**
 * The two ways a worker lets go of its pipelines without dying: frozen past its lease (SIGSTOP, as
 * a long GC pause or a suspended VM would) it finds, when it wakes, that another worker has taken
 * over, and stops without emitting anything; shut down (SIGTERM) it hands its pipelines over at
 * once, after flushing what it was transcribing.
 */
describe('scale-out: a worker frozen past its lease lets go; a worker shut down hands over', () => {
  let nats: NatsServer | null = null;
  let database: TestDatabase | null = null;
  let skip: string | false = false;
  let sip: RunningCallsight;
  let gateway: RunningCallsight;
  let workers: RunningCallsight[];
  let frozen: RunningCallsight;
  let other: RunningCallsight;
  let live: RecordCollector;
  let frozenPipelines: string[] = [];
  let takeoverMs = 0;
  let handoverMs = 0;
  let otherExit: number | null = null;
  const windows: { from: number; to: number; what: string }[] = [];
  const startedAt = new Map<string, number>();

  before(async () => {
    ({ nats, database, skip } = await startScaleOutBackends());
    if (skip) return;
    const namespace = uniqueName('csh');
    const env = {
      ...scaleOutEnv(nats!, database!, {
        name: `${namespace}_RECORDS`,
        subjectPrefix: `${namespace}_records`,
        namespace,
      }),
      CALLSIGHT_SIP_ADVERTISED_ADDRESS: '127.0.0.1',
      CALLSIGHT_ASR_WORKERS: '2',
      CALLSIGHT_WORKER_JOB_ACK_WAIT_MS: String(ACK_WAIT_MS),
    };
    const processes = await startCallsights([
      { role: 'sip', env, sipPort: await freePort(), rtp: rtpRangeForThisProcess() },
      { role: 'gateway', env },
      { role: 'worker', env },
      { role: 'worker', env },
    ]);
    [sip, gateway] = processes as [RunningCallsight, RunningCallsight];
    workers = processes.slice(2);
    live = new RecordCollector(`http://127.0.0.1:${gateway.httpPort}`);
    await live.opened;
    const caller = await SipCaller.open('127.0.0.1');
    try {
      const placed = AUDIO.map((audio, i) =>
        caller.call({
          host: '127.0.0.1',
          port: sip.sipPort,
          fromNumber: '+15555550100',
          toNumber: `+1555000010${i}`,
          samples: audio.samples,
          tailMs: 1500,
        }),
      );
      await live.waitFor(() => live.frames.filter(inProgress).length >= 2, 20_000, 'both pipelines');
      for (const f of live.frames.filter((f) => detailOf(f).streamingStatus === 'ALL_STARTED'))
        startedAt.set(String(detailOf(f).callId), Date.parse(String(detailOf(f).startTime)));
      await sleep(4000);
      const owners = await pipelineOwners(database!.url);
      const held = (w: RunningCallsight) => pipelinesOf(owners, w);
      [frozen, other] =
        held(workers[0]!).length > 0 ? [workers[0]!, workers[1]!] : [workers[1]!, workers[0]!];
      frozenPipelines = held(frozen);

      // Frozen past its lease: the other worker takes its pipelines over.
      const stoppedAt = Date.now();
      frozen.process.kill('SIGSTOP');
      const before = live.frames.filter(inProgress).length;
      await live.waitFor(
        () => live.frames.filter(inProgress).length >= before + frozenPipelines.length,
        ACK_WAIT_MS + 4000,
        'the takeover',
      );
      takeoverMs = Date.now() - stoppedAt;
      windows.push({ from: stoppedAt, to: Date.now(), what: 'frozen' });
      await sleep(1000);
      frozen.process.kill('SIGCONT');
      await sleep(1500);

      // Shut down gracefully: the other worker hands everything back at once.
      const termAt = Date.now();
      const before2 = live.frames.filter(inProgress).length;
      const exiting = other.stop();
      await live.waitFor(() => live.frames.filter(inProgress).length >= before2 + 2, 20_000, 'the handover');
      handoverMs = Date.now() - termAt;
      windows.push({ from: termAt, to: Date.now(), what: 'handover' });
      otherExit = await exiting;
      for (const outcome of await Promise.all(placed)) assert.equal(outcome.endedBy, 'caller');
    } finally {
      caller.close();
    }
    await live.waitFor(
      () => live.frames.filter((f) => detailOf(f).eventType === 'chime:MediaInsightsStopped').length >= 2,
      30_000,
      'both pipelines to stop',
    );
  });

  after(async () => {
    live?.close();
    frozen?.process.kill('SIGCONT');
    const codes = await Promise.all([sip, gateway, frozen].filter(Boolean).map((p) => p.stop()));
    await other?.kill();
    await nats?.stop();
    await database?.drop();
    for (const code of codes) assert.equal(code, 0);
  });

  test('the frozen worker found its lease gone on waking and let go without acting', (t) => {
    if (skip) return t.skip(skip);
    assert.ok(frozenPipelines.length > 0, 'the frozen worker ran a pipeline');
    process.stderr.write(`scale-out handover e2e: takeover ${takeoverMs} ms, handover ${handoverMs} ms\n`);
    assert.ok(takeoverMs <= ACK_WAIT_MS + 1000, `takeover took ${takeoverMs} ms`);
    const released = frozen
      .stdout()
      .split('\n')
      .filter((line) => line.includes('pipeline job released'))
      .map((line) => (JSON.parse(line) as { reason: string }).reason);
    assert.ok(
      released.some((reason) => /lease expired|taken over/.test(reason)),
      `released: ${JSON.stringify(released)}`,
    );
  });

  test('a worker shut down hands its pipelines over at once and exits cleanly', (t) => {
    if (skip) return t.skip(skip);
    assert.equal(otherExit, 0, other.stderr());
    // At once: the utterances in progress are finished (a final decode each; on a slow machine, with
    // the worker behind real time, seconds), then the job is handed back (nak), not left to expire:
    // its heartbeat goes on until then.
    const lines = other.stdout().split('\n');
    const released = lines
      .filter((line) => line.includes('pipeline job released'))
      .map((line) => (JSON.parse(line) as { reason: string }).reason);
    assert.ok(released.length > 0, 'the worker shut down held pipelines');
    assert.ok(
      released.every((reason) => reason === 'worker shutting down'),
      `released: ${JSON.stringify(released)}`,
    );
    const lapsed = lines.filter((line) => line.includes('pipeline job not handed over'));
    assert.deepEqual(lapsed, [], 'every pipeline handed back while its lease held');
  });

  test('the transcripts go on, never twice, never overlapping; the handover leaves no hole', (t) => {
    if (skip) return t.skip(skip);
    for (const [callId, start] of startedAt) {
      const events = live.frames
        .filter((f) => f['detail-type'] === 'Transcribe' && callIdOf(f) === callId)
        .map(
          (f) =>
            f.TranscriptEvent as {
              ResultId: string;
              IsPartial: boolean;
              StartTime: number;
              EndTime: number;
              Alternatives: { Transcript: string }[];
            },
        )
        .filter((e) => e.Alternatives[0]?.Transcript);
      const finals = events.filter((e) => !e.IsPartial);
      assert.equal(new Set(finals.map((e) => e.ResultId)).size, finals.length, 'no final twice');
      const said = (e: (typeof finals)[number]) =>
        `${e.ResultId} ${e.StartTime}–${e.EndTime} s "${e.Alternatives[0]!.Transcript}"`;
      for (let i = 1; i < finals.length; i++)
        assert.ok(
          finals[i]!.StartTime >= finals[i - 1]!.EndTime - 0.001,
          `finals do not overlap: ${said(finals[i - 1]!)} then ${said(finals[i]!)} (windows from the call's start: ${windows.map((w) => `${w.what} ${w.from - start}–${w.to - start} ms`).join(', ')})`,
        );
      // Speech on both sides of each window; a hole in what was transcribed (partials and finals)
      // where a window is: the frozen worker's up to the takeover, the handover's none to speak of.
      const spans = events
        .map((e) => ({ from: e.StartTime * 1000, to: e.EndTime * 1000 }))
        .sort((a, b) => a.from - b.from);
      const holes: { from: number; to: number }[] = [];
      let reached = spans[0]!.to;
      for (const span of spans) {
        if (span.from > reached) holes.push({ from: reached, to: span.from });
        reached = Math.max(reached, span.to);
      }
      for (const window of windows) {
        const from = window.from - start;
        const to = window.to - start;
        assert.ok(
          spans.some((s) => s.to < from),
          `transcribed before the ${window.what}`,
        );
        assert.ok(
          spans.some((s) => s.from > to),
          `transcribed after the ${window.what}`,
        );
        const bound = window.what === 'handover' ? 2500 : ACK_WAIT_MS + 3500;
        for (const hole of holes.filter((h) => h.to >= from - 500 && h.from <= to + 500))
          assert.ok(
            hole.to - hole.from <= bound,
            `${window.what}: nothing from ${Math.round(hole.from)} to ${Math.round(hole.to)} ms`,
          );
      }
    }
  });
});
