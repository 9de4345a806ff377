import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ClusterRulesEngine } from '../../src/cluster/ClusterEvents.js';
import { ensureClusterStreams } from '../../src/cluster/ClusterStreams.js';
import { ClusterSubjects } from '../../src/cluster/ClusterSubjects.js';
import { EventBus } from '../../src/events/EventBus.js';
import { silentLogger } from '../../src/platform/logger.js';
import { connectNats } from '../../src/platform/nats/NatsConnection.js';
import { uniqueName, useNatsServer } from '../helpers/natsServer.js';

const nats = useNatsServer();

describe('ClusterRulesEngine', () => {
  test('closed at once after it was created (a start failing right after it), it stops pulling and close() returns', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const nc = await connectNats({ url: nats.url() });
    t.after(() => nc.drain());
    const subjects = new ClusterSubjects(uniqueName('rules').toLowerCase());
    const ackWaitMs = 3000;
    await ensureClusterStreams(await jetstreamManager(nc), subjects, {
      replicas: 1,
      ackWaitMs,
      logger: silentLogger,
    });
    const engine = new ClusterRulesEngine({
      js: jetstream(nc),
      subjects,
      bus: new EventBus(silentLogger),
      ackWaitMs,
      logger: silentLogger,
    });
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      engine.close().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
    ]);
    clearTimeout(timer);
    assert.equal(closed, true, 'close() returned');
  });
});
