import assert from 'node:assert/strict';
import { authFetch, startCallsights, type RunningCallsight, type StartOptions } from './callsight.js';
import { uniqueName } from './natsServer.js';
import { freePort } from './ports.js';
import { scaleOutEnv, sleep, startScaleOutBackends, type ScaleOutBackends } from './scaleOut.js';
import { callInProgress, startUnendingCall } from './unendingCall.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from './wsRecords.js';

/** What the sip-kill e2e tests share: a worker, a gateway and a sip process, and a call killed mid-way. */

export interface SipKillLab {
  readonly backends: ScaleOutBackends;
  /** Every process started, for the test's `after` to kill. */
  readonly running: RunningCallsight[];
  readonly gateway: RunningCallsight | null;
  readonly worker: RunningCallsight | null;
  readonly sip: RunningCallsight | null;
  /** Starts a sip process on the same address and port as the first. */
  readonly sipOptions: StartOptions;
}

/** The FAILED streaming statuses of a call among the frames. */
export const failedOf = (frames: readonly StreamFrame[], callId: string): StreamFrame[] =>
  frames.filter((f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'FAILED');

/** A NATS server, a PostgreSQL database, and a worker, a gateway and a sip process on them (none when skipped). */
export async function startSipKillLab(
  prefix: string,
  extraEnv: Record<string, string> = {},
): Promise<SipKillLab> {
  const backends = await startScaleOutBackends();
  const running: RunningCallsight[] = [];
  const none = { backends, running, gateway: null, worker: null, sip: null, sipOptions: {} };
  if (backends.skip) return none;
  const name = uniqueName(prefix);
  const env = {
    ...scaleOutEnv(backends.nats!, backends.database!, {
      name,
      subjectPrefix: `cse2e.${name}`,
      namespace: uniqueName('sk').toLowerCase(),
    }),
    ...extraEnv,
  };
  const sipOptions = { role: 'sip', sipPort: await freePort(), env };
  let started: RunningCallsight[];
  try {
    started = await startCallsights([
      { role: 'worker', env: { ...env, CALLSIGHT_ASR_WORKERS: '1' } },
      { role: 'gateway', env },
      sipOptions,
    ]);
  } catch (err) {
    // The test's `after` has no lab to stop: the backends would keep the test process alive.
    await stopSipKillLab(none);
    throw err;
  }
  const [worker, gateway, sip] = started;
  running.push(worker!, gateway!, sip!);
  return { backends, running, worker: worker!, gateway: gateway!, sip: sip!, sipOptions };
}

/** Places a call to the lab's sip process, lets it last past a mark of its last media (5 s), and kills the process. */
export async function killSipMidCall(
  lab: SipKillLab,
  live: RecordCollector,
): Promise<{ callId: string; startedAt: number; killedAt: number }> {
  const call = await startUnendingCall(lab.sipOptions.sipPort!);
  try {
    const { callId, startedAt } = await callInProgress(live);
    // Past the first mark of the last media (openCalls.ts' MEDIA_MARK_MS, 5 s).
    await sleep(6000);
    const killedAt = Date.now();
    await lab.sip!.kill();
    return { callId, startedAt, killedAt };
  } finally {
    await call.stop();
  }
}

export async function stopSipKillLab(lab: SipKillLab | null): Promise<void> {
  for (const process of lab?.running ?? []) await process.kill();
  await lab?.backends.nats?.stop();
  await lab?.backends.database?.drop();
}

/** The worker stops the closed call's pipeline (Stopped, not taken over) and the gateway no longer lists the call. */
export async function pipelineStoppedAndCallUnlisted(
  lab: SipKillLab,
  live: RecordCollector,
  callId: string,
): Promise<void> {
  await live.waitFor(
    (f) => callIdOf(f) === callId && detailOf(f).eventType === 'chime:MediaInsightsStopped',
    30_000,
    'the pipeline stopped',
  );
  const calls = (await (await authFetch(`http://127.0.0.1:${lab.gateway!.httpPort}/api/calls`)).json()) as {
    calls: { callId: string }[];
  };
  assert.ok(!calls.calls.some((c) => c.callId === callId), 'no longer listed as in progress');
}

/** The call (one stream) got exactly one FAILED and no ENDED. */
export function closedOnce(live: RecordCollector, callId: string): void {
  assert.equal(failedOf(live.frames, callId).length, 1, 'one FAILED (the call had one stream)');
  assert.ok(
    !live.frames.some((f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'ENDED'),
    'no ENDED after the FAILED',
  );
}

/** Waits for the call's FAILED with `reason`, at its last media marked (after its start, not after the kill). */
export async function failedAtLastMedia(
  live: RecordCollector,
  killed: { readonly callId: string; readonly startedAt: number; readonly killedAt: number },
  reason: string,
  timeoutMs: number,
): Promise<void> {
  const { callId, startedAt, killedAt } = killed;
  const failed = await live.waitFor(
    (f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'FAILED',
    timeoutMs,
    'FAILED',
  );
  assert.equal(detailOf(failed).failureReason, reason);
  const failTime = Date.parse(detailOf(failed).failTime as string);
  assert.ok(failTime > startedAt && failTime <= killedAt, `at the last media: ${failTime}`);
}
