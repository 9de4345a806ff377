import { after, describe, test } from 'node:test';
import { RESTART_REASON } from '../../src/app/openCalls.js';
import { startCallsight } from '../helpers/callsight.js';
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

/**
 * Scaled out, a sip process killed mid-call and restarted on the same address and port closes the
 * call it held: FAILED at the last media it marked, the worker stops the pipeline, and a second
 * restart closes nothing again.
 */
describe('scale-out: a sip process killed mid-call (kill -9) closes its call when it comes back', () => {
  let lab: SipKillLab | null = null;
  after(() => stopSipKillLab(lab));

  test('FAILED once per stream, at the last media, the pipeline stopped; not again at the next restart', async (t) => {
    lab = await startSipKillLab('CS_SIPRESTART');
    if (lab.backends.skip) return t.skip(lab.backends.skip);
    const { gateway, running, sipOptions } = lab;
    const live = new RecordCollector(`http://127.0.0.1:${gateway!.httpPort}`);
    try {
      await live.opened;
      const killed = await killSipMidCall(lab, live);
      const { callId } = killed;

      const again = await startCallsight(sipOptions);
      running.push(again);
      await failedAtLastMedia(live, killed, RESTART_REASON, 30_000);
      await pipelineStoppedAndCallUnlisted(lab, live, callId);

      // A second restart finds it closed.
      await again.kill();
      running.push(await startCallsight(sipOptions));
      await sleep(2000);
      closedOnce(live, callId);
    } finally {
      live.close();
    }
  });
});
