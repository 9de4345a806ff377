import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTART_REASON } from '../../src/app/openCalls.js';
import { authFetch, startCallsight, startCallsights, type RunningCallsight } from '../helpers/callsight.js';
import { uniqueName } from '../helpers/natsServer.js';
import { freePort } from '../helpers/ports.js';
import { scaleOutEnv, sleep, startScaleOutBackends, type ScaleOutBackends } from '../helpers/scaleOut.js';
import { callInProgress, startUnendingCall } from '../helpers/unendingCall.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const failedOf = (frames: readonly StreamFrame[], callId: string) =>
  frames.filter((f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'FAILED');

/**
 * Scaled out, a sip process killed mid-call and restarted on the same address and port closes the
 * call it held: FAILED at the last media it marked, the worker stops the pipeline, and a second
 * restart closes nothing again.
 */
describe('scale-out: a sip process killed mid-call (kill -9) closes its call when it comes back', () => {
  let backends: ScaleOutBackends | null = null;
  const running: RunningCallsight[] = [];
  after(async () => {
    for (const process of running) await process.kill();
    await backends?.nats?.stop();
    await backends?.database?.drop();
  });

  test('FAILED once per stream, at the last media, the pipeline stopped; not again at the next restart', async (t) => {
    backends = await startScaleOutBackends();
    if (backends.skip) return t.skip(backends.skip);
    const name = uniqueName('CS_SIPRESTART');
    const env = scaleOutEnv(backends.nats!, backends.database!, {
      name,
      subjectPrefix: `cse2e.${name}`,
      namespace: uniqueName('sr').toLowerCase(),
    });
    const sipPort = await freePort();
    const sipOptions = { role: 'sip', sipPort, env };
    const [worker, gateway, sip] = await startCallsights([
      { role: 'worker', env: { ...env, CALLSIGHT_ASR_WORKERS: '1' } },
      { role: 'gateway', env },
      sipOptions,
    ]);
    running.push(worker!, gateway!, sip!);
    const live = new RecordCollector(`http://127.0.0.1:${gateway!.httpPort}`);
    try {
      await live.opened;
      let callId: string;
      let startedAt: number;
      let killedAt: number;
      const call = await startUnendingCall(sipPort);
      try {
        ({ callId, startedAt } = await callInProgress(live));
        await sleep(7000);
        killedAt = Date.now();
        await sip!.kill();
      } finally {
        await call.stop();
      }

      const again = await startCallsight(sipOptions);
      running.push(again);
      const failed = await live.waitFor(
        (f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'FAILED',
        30_000,
        'FAILED',
      );
      assert.equal(detailOf(failed).failureReason, RESTART_REASON);
      const failTime = Date.parse(detailOf(failed).failTime as string);
      assert.ok(failTime > startedAt && failTime <= killedAt, `at the last media: ${failTime}`);
      // The worker hears the call ended and stops its pipeline (Stopped, not taken over).
      await live.waitFor(
        (f) => callIdOf(f) === callId && detailOf(f).eventType === 'chime:MediaInsightsStopped',
        30_000,
        'the pipeline stopped',
      );
      const calls = (await (await authFetch(`http://127.0.0.1:${gateway!.httpPort}/api/calls`)).json()) as {
        calls: { callId: string }[];
      };
      assert.ok(!calls.calls.some((c) => c.callId === callId), 'no longer listed as in progress');

      // A second restart finds it closed.
      await again.kill();
      running.push(await startCallsight(sipOptions));
      await sleep(2000);
      assert.equal(failedOf(live.frames, callId).length, 1, 'one FAILED (the call had one stream)');
      assert.ok(
        !live.frames.some((f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'ENDED'),
        'no ENDED after the FAILED',
      );
    } finally {
      live.close();
    }
  });
});
