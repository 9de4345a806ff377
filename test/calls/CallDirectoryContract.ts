/** The CallDirectory contract (src/calls/CallDirectoryTypes.ts), run against every implementation. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { CallInfo } from '../../src/connector/CallTypes.js';
import { InvalidStateError, ValidationError } from '../../src/platform/errors.js';
import type { PipelineStatus } from '../../src/pipeline/PipelineTypes.js';
import type { CallDirectory, PipelineEntry } from '../../src/calls/CallDirectoryTypes.js';

export interface CallDirectoryHarness {
  readonly name: string;
  readonly skip: () => string | false;
  /** A directory on storage no other test uses; two calls with the same spec share it (two processes). */
  fresh(): Promise<string>;
  open(spec: string): Promise<CallDirectory>;
}

export function call(callId: string, startedAt: number, extra: Partial<CallInfo> = {}): CallInfo {
  return {
    callId,
    transactionId: `tx-${callId}`,
    sipCallId: `${callId}@pbx`,
    kind: 'listener',
    voiceConnectorId: 'vc',
    direction: 'Inbound',
    fromNumber: '+15555550100',
    toNumber: '+15555550199',
    inviteHeaders: { subject: 'hello ü' },
    siprecMetadata: null,
    siprecMetadataJson: null,
    streams: [
      {
        mediaIndex: 0,
        mediaLabel: null,
        channel: 0,
        isCaller: true,
        streamArn: `arn:stream/${callId}/0`,
        startFragmentNumber: '0',
      },
    ],
    startedAt: new Date(startedAt),
    ...extra,
  };
}

export function pipeline(
  pipelineId: string,
  callId: string,
  status: PipelineStatus,
  at: number,
  owner: string | null = 'worker-1',
): PipelineEntry {
  return {
    pipelineId,
    callId,
    status,
    configurationName: 'callsight-default',
    configurationArn: 'arn:callsight:chime:local:0:media-insights-pipeline-configuration/callsight-default',
    owner,
    createdAt: 1_000,
    updatedAt: at,
    document: { MediaPipelineId: pipelineId, Status: status, CallId: callId },
  };
}

export function callDirectoryContract(harness: CallDirectoryHarness): void {
  describe(`CallDirectory contract: ${harness.name}`, () => {
    test('calls are recorded when they start, updated, ended once, listed newest first', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const directory = await harness.open(await harness.fresh());
      await directory.callStarted(call('a', 1000), 'sip-1');
      await directory.callStarted(call('b', 2000), 'sip-2');
      await directory.callStarted(call('c', 3000));
      const a = await directory.getCall('a');
      assert.equal(a?.owner, 'sip-1');
      assert.equal(a?.startedAt, 1000);
      assert.equal(a?.endedAt, null);
      assert.deepEqual(a?.info, { ...call('a', 1000), startedAt: new Date(1000).toISOString() });
      assert.equal(await directory.getCall('nope'), null);

      // New info (a second stream) replaces the old; the owner stays when not given.
      const twoStreams = call('a', 1000, { fromNumber: '+1999' });
      await directory.callStarted(twoStreams);
      assert.equal((await directory.getCall('a'))?.info.fromNumber, '+1999');
      assert.equal((await directory.getCall('a'))?.owner, 'sip-1');

      assert.equal(await directory.callEnded('b', 5000), true, 'this write ended it');
      assert.equal(await directory.callEnded('b', 6000), false, 'it had ended already');
      assert.equal(await directory.callEnded('unknown', 6000), false);
      assert.equal((await directory.getCall('b'))?.endedAt, 5000, 'the first end time is kept');
      assert.deepEqual(
        (await directory.listCalls()).map((c) => c.callId),
        ['c', 'b', 'a'],
      );
      assert.deepEqual(
        (await directory.listCalls({ which: 'active' })).map((c) => c.callId),
        ['c', 'a'],
      );
      assert.deepEqual(
        (await directory.listCalls({ limit: 1 })).map((c) => c.callId),
        ['c'],
      );
      await assert.rejects(directory.listCalls({ limit: 0 }), ValidationError);
      await directory.close();
    });

    test('the last media mark only moves forward, and only while the call lasts', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const directory = await harness.open(await harness.fresh());
      await directory.callStarted(call('a', 1000), 'sip-1');
      await directory.callStarted(call('b', 1000), 'sip-1');
      assert.equal((await directory.getCall('a'))?.lastMediaAt, null, 'no mark before the first');
      await directory.mediaSeen(
        new Map([
          ['a', 4000],
          ['b', 4000],
          ['unknown', 4000],
        ]),
      );
      await directory.mediaSeen(new Map([['a', 3000]]));
      assert.equal((await directory.getCall('a'))?.lastMediaAt, 4000, 'an older mark is ignored');
      await directory.mediaSeen(new Map([['a', 5000]]));
      assert.equal((await directory.getCall('a'))?.lastMediaAt, 5000);
      await directory.callEnded('b', 4500);
      await directory.mediaSeen(new Map([['b', 9000]]));
      assert.equal((await directory.getCall('b'))?.lastMediaAt, 4000, 'an ended call keeps its mark');
      await directory.mediaSeen(new Map());
      await directory.close();
    });

    test('of two processes ending a call at once, exactly one ends it', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = await harness.fresh();
      const one = await harness.open(spec);
      const two = await harness.open(spec);
      for (let i = 0; i < 20; i++) await one.callStarted(call(`c${i}`, 1000 + i), 'sip-1');
      const ended = await Promise.all(
        Array.from({ length: 20 }, (_, i) => [one, two].map((d) => d.callEnded(`c${i}`, 2000))).flat(),
      );
      assert.equal(ended.filter(Boolean).length, 20);
      await one.close();
      await two.close();
    });

    test('pipelines: an update only moves forward in time; list filters by call, owner and activity', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = await harness.fresh();
      // Two processes on one directory.
      const worker = await harness.open(spec);
      const gateway = await harness.open(spec);
      await worker.callStarted(call('a', 1000));
      await worker.putPipeline(pipeline('p1', 'a', 'Initializing', 10));
      await worker.putPipeline(pipeline('p1', 'a', 'InProgress', 20));
      // A late write of an older state is ignored.
      await worker.putPipeline(pipeline('p1', 'a', 'Initializing', 15));
      assert.deepEqual(await gateway.getPipeline('p1'), pipeline('p1', 'a', 'InProgress', 20));
      await worker.putPipeline({ ...pipeline('p2', 'a', 'Stopped', 30, 'worker-2'), createdAt: 2000 });
      await worker.putPipeline({ ...pipeline('p3', 'b', 'Paused', 30, 'worker-2'), createdAt: 3000 });
      assert.deepEqual(
        (await gateway.listPipelines()).map((p) => p.pipelineId),
        ['p3', 'p2', 'p1'],
      );
      assert.deepEqual(
        (await gateway.listPipelines({ callId: 'a' })).map((p) => p.pipelineId),
        ['p2', 'p1'],
      );
      assert.deepEqual(
        (await gateway.listPipelines({ owner: 'worker-2', active: true })).map((p) => p.pipelineId),
        ['p3'],
      );
      assert.deepEqual(
        (await gateway.listPipelines({ active: true, limit: 1 })).map((p) => p.pipelineId),
        ['p3'],
      );
      assert.equal(await gateway.getPipeline('nope'), null);
      await worker.close();
      await gateway.close();
    });

    test('prune deletes calls that ended before a time, with their pipelines', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const directory = await harness.open(await harness.fresh());
      await directory.callStarted(call('old', 1000));
      await directory.callStarted(call('new', 2000));
      await directory.callStarted(call('live', 3000));
      await directory.callEnded('old', 1500);
      await directory.callEnded('new', 2500);
      await directory.putPipeline(pipeline('p-old', 'old', 'Stopped', 1500));
      await directory.putPipeline(pipeline('p-new', 'new', 'Stopped', 2500));
      assert.equal(await directory.prune(2000), 1);
      assert.deepEqual(
        (await directory.listCalls()).map((c) => c.callId),
        ['live', 'new'],
      );
      assert.deepEqual(
        (await directory.listPipelines()).map((p) => p.pipelineId),
        ['p-new'],
      );
      await directory.close();
    });

    test('retention: ended calls by configuration, oldest end first; prune keeps them', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const directory = await harness.open(await harness.fresh());
      const under = (entry: PipelineEntry, name: string): PipelineEntry => ({
        ...entry,
        configurationName: name,
        configurationArn: `arn:callsight:chime:local:0:media-insights-pipeline-configuration/${name}`,
      });
      for (const [id, start, end, name] of [
        ['short-1', 1000, 1900, 'short'],
        ['short-2', 1100, 1200, 'short'],
        ['short-live', 1300, null, 'short'],
        ['short-late', 1400, 5000, 'short'],
        ['plain', 1500, 1600, 'callsight-default'],
      ] as const) {
        await directory.callStarted(call(id, start));
        if (end !== null) await directory.callEnded(id, end);
        await directory.putPipeline(under(pipeline(`p-${id}`, id, 'Stopped', end ?? start), name));
      }
      assert.deepEqual(await directory.endedCallsOf('short', 3000, 10), ['short-2', 'short-1']);
      assert.deepEqual(await directory.endedCallsOf('short', 3000, 1), ['short-2']);
      assert.deepEqual(await directory.endedCallsOf('none', 9000, 10), []);
      await assert.rejects(directory.endedCallsOf('short', 3000, 0), ValidationError);
      // Pruning keeps the calls retention has yet to erase, with their pipelines.
      assert.equal(await directory.prune(9000, ['short']), 1);
      assert.equal(await directory.getCall('plain'), null);
      assert.deepEqual(await directory.endedCallsOf('short', 9000, 10), ['short-2', 'short-1', 'short-late']);
      assert.equal((await directory.listPipelines({ callId: 'short-1' })).length, 1);
      assert.equal(await directory.prune(9000), 3);
      assert.deepEqual(
        (await directory.listCalls()).map((c) => c.callId),
        ['short-live'],
      );
      await directory.close();
    });

    test('eraseCall deletes one call and its pipelines, ended or not, and nothing else', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const directory = await harness.open(await harness.fresh());
      await directory.callStarted(call('forget', 1000));
      await directory.callStarted(call('keep', 2000));
      await directory.callEnded('forget', 1500);
      await directory.putPipeline(pipeline('p-forget', 'forget', 'Stopped', 1500));
      await directory.putPipeline(pipeline('p-forget-2', 'forget', 'Stopped', 1600));
      await directory.putPipeline(pipeline('p-keep', 'keep', 'InProgress', 2000));
      assert.equal(await directory.eraseCall('forget'), 3);
      assert.equal(await directory.eraseCall('forget'), 0);
      assert.equal(await directory.getCall('forget'), null);
      assert.deepEqual(
        (await directory.listCalls()).map((c) => c.callId),
        ['keep'],
      );
      assert.deepEqual(
        (await directory.listPipelines()).map((p) => p.pipelineId),
        ['p-keep'],
      );
      await directory.close();
    });

    test('close() is idempotent and every method rejects afterwards', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const directory = await harness.open(await harness.fresh());
      await directory.close();
      await directory.close();
      assert.equal(directory.closed, true);
      await assert.rejects(directory.callStarted(call('a', 1)), InvalidStateError);
      await assert.rejects(directory.callEnded('a'), InvalidStateError);
      await assert.rejects(directory.mediaSeen(new Map([['a', 1]])), InvalidStateError);
      await assert.rejects(directory.getCall('a'), InvalidStateError);
      await assert.rejects(directory.listCalls(), InvalidStateError);
      await assert.rejects(directory.putPipeline(pipeline('p', 'a', 'InProgress', 1)), InvalidStateError);
      await assert.rejects(directory.getPipeline('p'), InvalidStateError);
      await assert.rejects(directory.listPipelines(), InvalidStateError);
      await assert.rejects(directory.prune(0), InvalidStateError);
      await assert.rejects(directory.endedCallsOf('c', 0, 1), InvalidStateError);
    });
  });
}
