import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LOST_REASON } from '../../src/app/openCalls.js';
import { authFetch, startCallsight } from '../helpers/callsight.js';
import { sleep } from '../helpers/scaleOut.js';
import {
  closedOnce,
  failedAtLastMedia,
  killSipMidCall,
  pipelineStoppedAndCallUnlisted,
  startSipKillLab,
  stopSipKillLab,
  type SipKillLab,
} from '../helpers/sipKill.js';
import { RecordCollector } from '../helpers/wsRecords.js';

const LOST_AFTER_MS = 3000;

/**
 * Scaled out, a sip process killed mid-call that does not come back: a worker notices its heartbeat
 * stopped (worker.sipLostAfterMs) and closes its call — FAILED at the last media marked, with the
 * reason `sip process lost`, once; the pipeline stops. When the process does come back later on the
 * same address, it finds the call closed and closes nothing again.
 */
describe('scale-out: a sip process killed mid-call (kill -9) and not restarted', () => {
  let lab: SipKillLab | null = null;
  after(() => stopSipKillLab(lab));

  test('a worker closes its call after its heartbeat stops: FAILED once, not again when it returns', async (t) => {
    lab = await startSipKillLab('CS_SIPLOST', { CALLSIGHT_WORKER_SIP_LOST_AFTER_MS: String(LOST_AFTER_MS) });
    if (lab.backends.skip) return t.skip(lab.backends.skip);
    const { gateway, worker, running, sipOptions } = lab;
    const live = new RecordCollector(`http://127.0.0.1:${gateway!.httpPort}`);
    try {
      await live.opened;
      const killed = await killSipMidCall(lab, live);
      const { callId } = killed;

      await failedAtLastMedia(live, killed, LOST_REASON, (LOST_AFTER_MS * 4) / 3 + 10_000);
      const closedAfterMs = Date.now() - killed.killedAt;
      assert.ok(
        closedAfterMs >= (LOST_AFTER_MS * 2) / 3,
        `not before the heartbeat is stale: ${closedAfterMs} ms`,
      );
      t.diagnostic(`closed ${closedAfterMs} ms after the kill (worker.sipLostAfterMs ${LOST_AFTER_MS})`);
      await pipelineStoppedAndCallUnlisted(lab, live, callId);
      const metrics = await (await authFetch(`http://127.0.0.1:${worker!.httpPort}/metrics`)).text();
      assert.match(metrics, /^callsight_sip_lost_calls_closed_total 1$/m);

      // The sip process comes back on its address: the call is closed already.
      running.push(await startCallsight(sipOptions));
      await sleep(2000);
      closedOnce(live, callId);
    } finally {
      live.close();
    }
  });
});
