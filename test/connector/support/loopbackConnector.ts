import type { MediaEncryption } from '../../../src/connector/MediaEncryption.js';
import { parseRoutes } from '../../../src/connector/trunk/Routes.js';
import { VoiceConnector } from '../../../src/connector/VoiceConnector.js';
import { EventBus } from '../../../src/events/EventBus.js';
import { PortAllocator } from '../../../src/media/rtp/PortAllocator.js';
import { silentLogger } from '../../../src/platform/logger.js';
import type { SipUserAgent } from '../../../src/sip/SipUserAgent.js';
import { rtpRangeForThisProcess } from '../../helpers/ports.js';
import { startLoopbackUas } from '../../sip/support/loopbackUas.js';

/**
 * A Voice Connector behind a SIP user agent on loopback; with `routes`, those routes, else every call
 * answered here; `encryption` is its `media.encryption` (default optional).
 */
export async function startLoopbackConnector(
  routes?: unknown[],
  options: { encryption?: MediaEncryption } = {},
): Promise<{ uas: SipUserAgent; connector: VoiceConnector }> {
  const rtp = rtpRangeForThisProcess();
  const connector = new VoiceConnector({
    voiceConnectorId: 'vc',
    origin: { region: 'local', account: '000000000000' },
    advertisedAddress: '127.0.0.1',
    rtpHost: '127.0.0.1',
    ports: new PortAllocator({ min: rtp.min, max: rtp.min + 20 }),
    jitterBufferMs: 60,
    mediaTimeoutMs: 0,
    ...(routes ? { routes: parseRoutes(routes) } : {}),
    ...options,
    bus: new EventBus(silentLogger),
    logger: silentLogger,
  });
  const uas = await startLoopbackUas(connector);
  connector.attach(uas);
  return { uas, connector };
}
