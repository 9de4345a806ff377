import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureClusterStreams, JOBS_CONSUMER, RULES_CONSUMER } from '../../../src/cluster/ClusterStreams.js';
import { ClusterSubjects } from '../../../src/cluster/ClusterSubjects.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { errorMessage } from '../../../src/platform/errors.js';
import { JetStreamDataStream } from '../../../src/stream/JetStreamDataStream.js';
import { uniqueName, useNatsServer } from '../../helpers/natsServer.js';

const nats = useNatsServer();
/** Processes starting at the same moment, each with a connection of its own. */
const PROCESSES = 8;

async function connections(): Promise<NatsConnection[]> {
  return Promise.all(Array.from({ length: PROCESSES }, () => connect({ servers: nats.url() })));
}

function rejections(settled: readonly PromiseSettledResult<unknown>[]): string[] {
  return settled.flatMap((s) => (s.status === 'rejected' ? [errorMessage(s.reason)] : []));
}

describe('JetStream set-up by processes starting together', () => {
  test('every one creates or finds the coordination streams and consumers; each exists once', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const subjects = new ClusterSubjects(uniqueName('together').toLowerCase());
    const ncs = await connections();
    try {
      const settled = await Promise.allSettled(
        ncs.map(async (nc) =>
          ensureClusterStreams(await jetstreamManager(nc), subjects, {
            replicas: 1,
            ackWaitMs: 30_000,
            logger: silentLogger,
          }),
        ),
      );
      assert.deepEqual(rejections(settled), []);
      const jsm = await jetstreamManager(ncs[0]!);
      for (const [stream, consumer] of [
        [subjects.eventsStream, RULES_CONSUMER],
        [subjects.jobsStream, JOBS_CONSUMER],
      ] as const) {
        assert.equal((await jsm.streams.info(stream)).config.name, stream);
        const consumers = [];
        for await (const info of jsm.consumers.list(stream)) consumers.push(info.name);
        assert.deepEqual(consumers, [consumer]);
      }
    } finally {
      await Promise.all(ncs.map((nc) => nc.close()));
    }
  });

  test('every one opens the data stream; the records each appends are all there', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const name = uniqueName('CS_TOGETHER');
    const ncs = await connections();
    try {
      const settled = await Promise.allSettled(
        ncs.map((connection) =>
          JetStreamDataStream.open({
            connection,
            streamName: name,
            subjectPrefix: `cstest.${name}`,
            retention: { maxRecords: 1000 },
            logger: silentLogger,
          }),
        ),
      );
      assert.deepEqual(rejections(settled), []);
      const streams = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      await Promise.all(streams.map((s, i) => s.append({ i }, { type: 'Test', callId: null })));
      assert.equal((await streams[0]!.read('0', 100)).length, PROCESSES);
      await Promise.all(streams.map((s) => s.close()));
    } finally {
      await Promise.all(ncs.map((nc) => nc.close()));
    }
  });
});
