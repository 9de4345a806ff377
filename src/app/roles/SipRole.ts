import type { Config } from '../config/Config.js';
import { parseHeaderAllowList } from '../../connector/InviteHeaders.js';
import { VoiceConnector } from '../../connector/VoiceConnector.js';
import type { EventBus } from '../../events/EventBus.js';
import type { EventOrigin } from '../../events/EventEnvelope.js';
import type { Logger } from '../../platform/logger.js';
import { PortAllocator } from '../../media/rtp/PortAllocator.js';
import { SipUserAgent } from '../../sip/SipUserAgent.js';
import { describeSipAccess, sipAccess } from '../sipAccess.js';

export interface SipRoleOptions {
  readonly config: Config;
  readonly advertisedAddress: string;
  readonly origin: EventOrigin;
  /** Where the Voice Connector publishes its events (the rules in one process; NATS when scaled out). */
  readonly bus: EventBus;
  readonly logger: Logger;
}

/**
 * The `sip` role: the SIP user agent, the Voice Connector and the media (RTP in, PCM frames out).
 * What consumes its frames and events is the host's wiring: the pipelines in the same process, or
 * NATS for the workers. Created first, listening once the host has wired it (listen()).
 */
export class SipRole {
  readonly connector: VoiceConnector;
  readonly #options: SipRoleOptions;
  #uas: SipUserAgent | null = null;

  private constructor(options: SipRoleOptions, connector: VoiceConnector) {
    this.#options = options;
    this.connector = connector;
  }

  static create(options: SipRoleOptions): SipRole {
    const { config, advertisedAddress, origin, bus, logger } = options;
    const connector = new VoiceConnector({
      voiceConnectorId: config.voiceConnector.id,
      origin,
      advertisedAddress,
      rtpHost: config.rtp.host,
      ports: new PortAllocator({ min: config.rtp.portMin, max: config.rtp.portMax }),
      jitterBufferMs: config.rtp.jitterBufferMs,
      encryption: config.media.encryption,
      strictRtpSource: config.media.strictRtpSource,
      mediaTimeoutMs: config.rtp.mediaTimeoutSec * 1000,
      ...(config.routes ? { routes: config.routes } : {}),
      inviteHeaders: parseHeaderAllowList(config.voiceConnector.inviteHeaders),
      siprec: config.voiceConnector.agentAorPattern
        ? { agentAorPattern: config.voiceConnector.agentAorPattern }
        : {},
      bus,
      logger: logger.child({ stage: 'connector' }),
    });
    return new SipRole(options, connector);
  }

  /** Starts taking calls. */
  async listen(): Promise<void> {
    const { config, advertisedAddress, logger } = this.#options;
    const access = sipAccess(config.sip);
    const uas = await SipUserAgent.start({
      host: config.sip.host,
      udpPort: config.sip.udpPort,
      tcpPort: config.sip.tcpPort,
      advertisedAddress,
      handler: this.connector,
      logger: logger.child({ stage: 'sip' }),
      access,
      // RFC 7866 §6.1.1: a recording client requires the siprec option tag.
      supportedOptionTags: ['siprec'],
    });
    this.#uas = uas;
    this.connector.attach(uas);
    logger.info({ stage: 'sip', ...describeSipAccess(access) }, 'SIP access control');
    this.connector.on('mediaTimeout', (call) => {
      uas
        .hangup(call.sipCallId)
        .catch((err: unknown) => logger.error({ err, callId: call.callId }, 'hangup failed'));
    });
  }

  get udpPort(): number {
    return this.#uas?.udpPort ?? 0;
  }

  get tcpPort(): number {
    return this.#uas?.tcpPort ?? 0;
  }

  /** Refuses new calls, hangs up the ones in progress (BYE) and waits until their media has ended. */
  async close(): Promise<void> {
    await this.#uas?.close();
    await this.connector.drain();
  }
}
