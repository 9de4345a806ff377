import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESTART_REASON } from '../../src/app/openCalls.js';
import { SqliteCallDirectory } from '../../src/calls/SqliteCallDirectory.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import {
  EVERYTHING_TO_THE_STREAM,
  recordingElement,
  startPipelineOnEveryCall,
  STREAM_SINK_ELEMENT,
  TRANSCRIBE_ELEMENT,
  writeConfigFile,
} from '../helpers/configFile.js';
import { callInProgress, startUnendingCall } from '../helpers/unendingCall.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const dir = mkdtempSync(join(tmpdir(), 'callsight-crash-'));
const dataDir = join(dir, 'data');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Each call transcribed and recorded (to the local folder), everything to the stream. */
const env = {
  CALLSIGHT_CONFIG: writeConfigFile(
    {
      configurations: [
        {
          MediaInsightsPipelineConfigurationName: 'transcribe-and-record',
          Elements: [TRANSCRIBE_ELEMENT, STREAM_SINK_ELEMENT, recordingElement('local')],
        },
      ],
      rules: [EVERYTHING_TO_THE_STREAM, startPipelineOnEveryCall('every-call', 'transcribe-and-record')],
    },
    { dir },
  ),
};

/** Every frame of the stream from its start, once the process is up (its closing records are in by then). */
async function replay(
  callsight: RunningCallsight,
  until: (f: StreamFrame) => boolean,
): Promise<StreamFrame[]> {
  const ws = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
  try {
    await ws.opened;
    await ws.waitFor(until, 30_000, 'the closing records');
    // Anything a second closing would have appended is in the replay by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return [...ws.frames];
  } finally {
    ws.close();
  }
}

const ofCall = (frames: readonly StreamFrame[], callId: string) =>
  frames.filter((f) => callIdOf(f) === callId);
const failedStreams = (frames: readonly StreamFrame[]) =>
  frames.filter((f) => detailOf(f).streamingStatus === 'FAILED');
const failedPipelines = (frames: readonly StreamFrame[]) =>
  frames.filter((f) => detailOf(f).eventType === 'chime:MediaInsightsPermanentFailure');

describe('a call in progress when Callsight is killed (kill -9) is closed by the next start', () => {
  test('FAILED and a pipeline failure with the last media time, once; the directory has it ended; the recording repaired', async () => {
    const first = await startCallsight({ dataDir, env });
    const live = new RecordCollector(`http://127.0.0.1:${first.httpPort}`);
    let killedAt: number;
    let callId: string;
    let startedAt: number;
    try {
      await live.opened;
      const call = await startUnendingCall(first.sipPort);
      try {
        ({ callId, startedAt } = await callInProgress(live));
        // Long enough for the last media to be marked at least once (every 5 s).
        await new Promise((resolve) => setTimeout(resolve, 7000));
        killedAt = Date.now();
        await first.kill();
      } finally {
        await call.stop();
      }
    } finally {
      live.close();
      await first.kill();
    }
    assert.ok(
      !ofCall(live.frames, callId).some((f) =>
        ['ENDED', 'FAILED'].includes(detailOf(f).streamingStatus as string),
      ),
      'the killed process did not close the call itself',
    );
    assert.ok(
      readdirSync(join(dataDir, 'recordings'), { recursive: true }).some((f) => String(f).endsWith('.part')),
      'the kill left a recording in progress',
    );

    // The restart closes it.
    const second = await startCallsight({ dataDir, env });
    let frames: StreamFrame[];
    try {
      frames = ofCall(
        await replay(second, (f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'FAILED'),
        callId,
      );
      const calls = (await (await authFetch(`http://127.0.0.1:${second.httpPort}/api/calls`)).json()) as {
        calls: { callId: string }[];
      };
      assert.ok(!calls.calls.some((c) => c.callId === callId), 'not listed as in progress');
    } finally {
      assert.equal(await second.stop(), 0, second.stderr());
    }
    const [failed, ...more] = failedStreams(frames);
    assert.ok(failed, 'a FAILED streaming status');
    assert.equal(more.length, 0, 'one per stream (the call had one)');
    const detail = detailOf(failed);
    assert.equal(detail.failureReason, RESTART_REASON);
    assert.equal(detail.isCaller, true);
    const failTime = Date.parse(detail.failTime as string);
    assert.ok(
      failTime > startedAt && failTime <= killedAt,
      `closed at the last media marked: ${detail.failTime as string}, call ${startedAt}..${killedAt}`,
    );
    const [pipelineFailed, ...morePipelines] = failedPipelines(frames);
    assert.ok(pipelineFailed, 'a Media Insights State Change MediaInsightsPermanentFailure');
    assert.equal(morePipelines.length, 0);
    assert.equal(detailOf(pipelineFailed).failureReason, RESTART_REASON);
    // The envelope's time, in whole seconds as EventBridge gives it, is the same moment.
    assert.equal(Date.parse(pipelineFailed.time as string), Math.floor(failTime / 1000) * 1000);

    // The call directory has it ended at that time, its pipeline Failed; the recording was repaired.
    const directory = SqliteCallDirectory.open({ path: join(dataDir, 'callsight.db') });
    try {
      const entry = await directory.getCall(callId);
      assert.equal(entry?.endedAt, failTime);
      const pipelines = await directory.listPipelines({ callId });
      assert.deepEqual(
        pipelines.map((p) => p.status),
        ['Failed'],
      );
    } finally {
      await directory.close();
    }
    const files = readdirSync(join(dataDir, 'recordings'), { recursive: true }).map(String);
    assert.ok(!files.some((f) => f.endsWith('.part')), files.join(', '));
    assert.ok(
      files.some((f) => f.endsWith('.wav')),
      files.join(', '),
    );

    // A second restart closes nothing again.
    const third = await startCallsight({ dataDir, env });
    try {
      const again = ofCall(
        await replay(third, (f) => callIdOf(f) === callId && detailOf(f).streamingStatus === 'FAILED'),
        callId,
      );
      assert.equal(failedStreams(again).length, 1, 'still one FAILED');
      assert.equal(failedPipelines(again).length, 1, 'still one pipeline failure');
    } finally {
      assert.equal(await third.stop(), 0, third.stderr());
    }
  });
});
