import * as sdpTransform from 'sdp-transform';
import { silentLogger } from '../../src/platform/logger.js';
import { SipRejection, type CallHandler } from '../../src/sip/CallHandlerTypes.js';
import { SipUserAgent } from '../../src/sip/SipUserAgent.js';

/** What the far end of a relayed call knows: where the relay wants its RTP. */
export interface FarEndCall {
  readonly index: number;
  /** The relay's port facing this UAS (the m= port of Callsight's INVITE). */
  readonly relayPort: number;
}

/**
 * The far party of relayed calls: Callsight's own SipUserAgent as a UAS on 127.0.0.1 that answers
 * every INVITE at once. A call to `<prefix><n>` is answered with RTP at `rtpPortFor(n)`, so the
 * bench knows which of its sockets each call's media reaches.
 */
export class BenchUas {
  readonly calls = new Map<number, FarEndCall>();

  private constructor(readonly agent: SipUserAgent) {}

  static async start(prefix: string, rtpPortFor: (index: number) => number): Promise<BenchUas> {
    let self: BenchUas | null = null;
    const handler: CallHandler = {
      offer: async (invite) => {
        const index = invite.toNumber.startsWith(prefix)
          ? Number(invite.toNumber.slice(prefix.length))
          : Number.NaN;
        const audio = sdpTransform.parse(invite.body).media.find((m) => m.type === 'audio');
        if (!Number.isInteger(index) || !audio) throw new SipRejection('CS_ERR_NOT_FOUND', 'Not Found');
        self?.calls.set(index, { index, relayPort: audio.port });
        const direction = audio.direction === 'sendonly' ? 'recvonly' : 'sendrecv';
        return {
          sdp: [
            'v=0',
            `o=bench-uas ${index} 1 IN IP4 127.0.0.1`,
            's=bench far end',
            'c=IN IP4 127.0.0.1',
            't=0 0',
            `m=audio ${rtpPortFor(index)} RTP/AVP 0`,
            'a=rtpmap:0 PCMU/8000',
            'a=ptime:20',
            `a=${direction}`,
            '',
          ].join('\r\n'),
        };
      },
      confirmed: () => undefined,
      ended: () => undefined,
    };
    const agent = await SipUserAgent.start({
      host: '127.0.0.1',
      udpPort: 0,
      tcpPort: 0,
      advertisedAddress: '127.0.0.1',
      handler,
      logger: silentLogger,
    });
    self = new BenchUas(agent);
    return self;
  }

  get port(): number {
    return this.agent.udpPort;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
