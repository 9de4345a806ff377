import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerRouteRequests, RemoteRoutesView } from '../../src/cluster/RemoteApi.js';
import { ClusterSubjects } from '../../src/cluster/ClusterSubjects.js';
import { parseRoutes } from '../../src/connector/trunk/Routes.js';
import { VoiceConnector } from '../../src/connector/VoiceConnector.js';
import { EventBus } from '../../src/events/EventBus.js';
import { PortAllocator } from '../../src/media/rtp/PortAllocator.js';
import { silentLogger } from '../../src/platform/logger.js';
import { connectNats, type NatsConnection } from '../../src/platform/nats/NatsConnection.js';
import { startNatsServer, uniqueName, type NatsServerOrSkip } from '../helpers/natsServer.js';

const nats: NatsServerOrSkip = await startNatsServer();

function connector(routes: unknown): VoiceConnector {
  return new VoiceConnector({
    voiceConnectorId: 'vc',
    origin: { region: 'local', account: '000000000000' },
    advertisedAddress: '127.0.0.1',
    rtpHost: '127.0.0.1',
    ports: new PortAllocator({ min: 40000, max: 40010 }),
    jitterBufferMs: 60,
    mediaTimeoutMs: 0,
    routes: parseRoutes(routes, 'routes', { env: { P: 'pa55' }, readFile: () => '' }),
    bus: new EventBus(silentLogger),
    logger: silentLogger,
  });
}

describe('GET /api/routes scaled out: every sip process answers with its view', { skip: nats.skip }, () => {
  let nc: NatsConnection;
  const subjects = new ClusterSubjects(uniqueName('routes'));

  before(async () => {
    nc = await connectNats({ url: nats.server!.url });
  });

  after(async () => {
    await nc.close();
    await nats.server?.stop();
  });

  test('two sip processes, each route marked with its owner; none at all gives an empty list', async () => {
    const view = new RemoteRoutesView({ nc, subjects, logger: silentLogger });
    assert.deepEqual(await view.routes(), []);
    const routes = [
      {
        name: 'carrier',
        targets: [
          { uri: 'sip:sbc1.example.net', priority: 1 },
          { uri: 'sip:sbc2.example.net', priority: 2 },
        ],
        auth: { username: 'acme', passwordEnv: 'P' },
      },
    ];
    const answering = [
      answerRouteRequests(nc, subjects, 'sip@10.0.0.1:5060', connector(routes)),
      answerRouteRequests(nc, subjects, 'sip@10.0.0.2:5060', connector(routes)),
    ];
    try {
      const listed = await view.routes();
      assert.deepEqual(listed.map((r) => r.owner).sort(), ['sip@10.0.0.1:5060', 'sip@10.0.0.2:5060']);
      for (const route of listed) {
        assert.equal(route.name, 'carrier');
        assert.deepEqual(route.authentication, { username: 'acme' });
        assert.deepEqual(
          route.targets.map((t) => [t.uri, t.priority, t.state]),
          [
            ['sip:sbc1.example.net', 1, 'unknown'],
            ['sip:sbc2.example.net', 2, 'unknown'],
          ],
        );
      }
      assert.ok(!JSON.stringify(listed).includes('pa55'));
    } finally {
      for (const a of answering) a.close();
    }
  });
});
