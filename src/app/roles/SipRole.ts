import type { Config } from '../config/Config.js';
import { parseHeaderAllowList } from '../../connector/InviteHeaders.js';
import { VoiceConnector } from '../../connector/VoiceConnector.js';
import type { EventBus } from '../../events/EventBus.js';
import type { EventOrigin } from '../../events/EventEnvelope.js';
import type { Logger } from '../../platform/logger.js';
import { PortAllocator } from '../../media/rtp/PortAllocator.js';
import { SipUserAgent } from '../../sip/SipUserAgent.js';
import { TlsCredentials } from '../../sip/transport/TlsCredentials.js';
import { describeSipAccess, sipAccess } from '../sipAccess.js';
import { bindFailure } from '../startChecks.js';
import type { ScrapedMetric } from '../../platform/metrics.js';
import { sipMetrics } from './SipMetrics.js';

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
  #credentials: TlsCredentials | null = null;

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
      targetPingIntervalMs: config.voiceConnector.targetPingIntervalSec * 1000,
      inviteHeaders: parseHeaderAllowList(config.voiceConnector.inviteHeaders),
      siprec: config.voiceConnector.agentAorPattern
        ? { agentAorPattern: config.voiceConnector.agentAorPattern }
        : {},
      bus,
      logger: logger.child({ stage: 'connector' }),
    });
    return new SipRole(options, connector);
  }

  /** Starts taking calls. A TLS file that cannot be read stops it with CS_ERR_CONFIG_INVALID. */
  async listen(): Promise<void> {
    const { config, advertisedAddress, logger } = this.#options;
    const sip = config.sip;
    const access = sipAccess(sip);
    const sipLogger = logger.child({ stage: 'sip' });
    const credentials = sip.tlsCertFile
      ? TlsCredentials.load(
          {
            certFile: sip.tlsCertFile,
            keyFile: sip.tlsKeyFile,
            caFile: sip.tlsCaFile,
            clientCaFile: sip.tlsClientCaFile,
          },
          sipLogger,
        )
      : null;
    this.#credentials = credentials;
    const uas = await SipUserAgent.start({
      host: sip.host,
      udpPort: sip.udpPort,
      tcpPort: sip.tcpPort,
      tls: credentials && {
        port: sip.tlsPort,
        credentials,
        clientAllowList: sip.tlsClientAllowList
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      },
      streamLimits: {
        maxConnections: sip.maxConnections,
        maxConnectionsPerSource: sip.maxConnectionsPerSource,
        messageTimeoutMs: sip.messageTimeoutMs,
        keepAliveIntervalMs: sip.keepAliveIntervalSec * 1000,
      },
      advertisedAddress,
      handler: this.connector,
      logger: sipLogger,
      access,
      // RFC 7866 §6.1.1: a recording client requires the siprec option tag.
      supportedOptionTags: ['siprec'],
    }).catch((err: unknown) => {
      credentials?.close();
      throw sipBindFailure(err, sip);
    });
    this.#uas = uas;
    this.connector.attach(uas);
    logger.info({ stage: 'sip', ...describeSipAccess(access) }, 'SIP access control');
    if (credentials)
      logger.info({ stage: 'sip', port: uas.tlsPort, mutual: credentials.mutual }, 'SIP over TLS listening');
    this.connector.on('mediaTimeout', (call) => {
      uas
        .hangup(call.sipCallId)
        .catch((err: unknown) => logger.error({ err, callId: call.callId }, 'hangup failed'));
    });
  }

  /** The SIP transports' limits and counters, for /metrics. */
  get metrics(): ScrapedMetric[] {
    return sipMetrics(() => this.#uas?.stats() ?? null);
  }

  get udpPort(): number {
    return this.#uas?.udpPort ?? 0;
  }

  get tcpPort(): number {
    return this.#uas?.tcpPort ?? 0;
  }

  get tlsPort(): number {
    return this.#uas?.tlsPort ?? 0;
  }

  /** Refuses new calls, hangs up the ones in progress (BYE) and waits until their media has ended. */
  async close(): Promise<void> {
    await this.#uas?.close();
    this.#credentials?.close();
    await this.connector.drain();
  }
}

/** Which SIP listener failed to bind, told by its system call (UDP binds, TCP and TLS listen) and port. */
function sipBindFailure(err: unknown, sip: Config['sip']): unknown {
  const { syscall, port } = (err ?? {}) as { syscall?: unknown; port?: unknown };
  if (syscall === 'bind') return bindFailure(err, 'the SIP UDP port', 'sip.udpPort', 'sip.host');
  if (sip.tlsCertFile && port === sip.tlsPort)
    return bindFailure(err, 'the SIP TLS port', 'sip.tlsPort', 'sip.host');
  return bindFailure(err, 'the SIP TCP port', 'sip.tcpPort', 'sip.host');
}
