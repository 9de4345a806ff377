import { isIP, type Socket } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { LogThrottle } from '../access/LogThrottle.js';
import { certificateIdentities, checkSipServerIdentity } from './SipCertificateIdentity.js';
import {
  DEFAULT_STREAM_LIMITS,
  StreamTransport,
  listenOn,
  type StreamTransportOptions,
  type StreamTransportStats,
} from './StreamTransport.js';
import type { TlsCredentials } from './TlsCredentials.js';
import type { SipFlow } from './TransportTypes.js';

export interface TlsTransportOptions extends StreamTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly credentials: TlsCredentials;
  /**
   * With mutual TLS: the identities (RFC 5922 §7.1: SIP domain, DNS name, or CN) of which a client
   * certificate must carry one, lower-cased; empty: any certificate the client CAs signed.
   */
  readonly clientAllowList?: readonly string[];
}

export interface TlsTransportStats extends StreamTransportStats {
  /** Handshakes that failed: no or an untrusted client certificate, no shared cipher, garbage. */
  handshakeFailures: number;
  /** Clients whose valid certificate names nobody in sip.tlsClientAllowList. */
  clientsNotAllowed: number;
}

/**
 * SIP over TLS (RFC 3261 §26.2, port 5061): the stream transport on TLS sockets. The listener
 * presents sip.tlsCertFile, swapped in without a restart when the files change; with
 * sip.tlsClientCaFile it asks every client for a certificate signed by those CAs (mutual TLS, as SBC
 * trunks use) and, with sip.tlsClientAllowList, for one naming an allowed peer. Outbound connections
 * verify the server's certificate against the host dialled (RFC 5922 §7.2, SNI set to it).
 */
export class TlsTransport extends StreamTransport {
  readonly name = 'tls' as const;
  readonly #credentials: TlsCredentials;
  readonly #allowList: ReadonlySet<string>;
  readonly #identities = new WeakMap<Socket, readonly string[]>();
  readonly #refusalLog = new LogThrottle();
  readonly #tlsStats = { handshakeFailures: 0, clientsNotAllowed: 0 };

  private constructor(server: Server, options: TlsTransportOptions) {
    super(server, options);
    this.#credentials = options.credentials;
    this.#allowList = new Set((options.clientAllowList ?? []).map((n) => n.toLowerCase()));
    server.on('secureConnection', (socket: TLSSocket) => this.#secured(socket));
    server.on('tlsClientError', (err, socket) => {
      this.#tlsStats.handshakeFailures++;
      this.#warn(socket.remoteAddress ?? '', { err: err.message }, 'SIP TLS handshake failed');
    });
    options.credentials.on('changed', () => server.setSecureContext(options.credentials.serverOptions()));
  }

  static async listen(options: TlsTransportOptions): Promise<TlsTransport> {
    const { credentials } = options;
    const server = createServer({
      ...credentials.serverOptions(),
      requestCert: credentials.mutual,
      rejectUnauthorized: credentials.mutual,
      // A peer that opens a connection and never completes the handshake is bounded like a slow message.
      handshakeTimeout: options.limits?.messageTimeoutMs ?? DEFAULT_STREAM_LIMITS.messageTimeoutMs,
    });
    await listenOn(server, options.host, options.port);
    return new TlsTransport(server, options);
  }

  override stats(): TlsTransportStats {
    return { ...super.stats(), ...this.#tlsStats };
  }

  #secured(socket: TLSSocket): void {
    const identities = this.#credentials.mutual ? certificateIdentities(socket.getPeerCertificate()) : [];
    if (this.#allowList.size > 0 && !identities.some((name) => this.#allowList.has(name))) {
      this.#tlsStats.clientsNotAllowed++;
      this.#warn(
        socket.remoteAddress ?? '',
        { code: 'CS_ERR_SIP_TLS_CLIENT_REFUSED', identities: identities.slice(0, 5) },
        'SIP TLS client certificate names no one in sip.tlsClientAllowList: connection closed',
      );
      socket.destroy();
      return;
    }
    this.#identities.set(socket, identities);
    this.adopt(socket, false);
  }

  #warn(remote: string, fields: Record<string, unknown>, message: string): void {
    const admitted = this.#refusalLog.admit(remote);
    if (admitted) this.logger.warn({ remote, transport: 'tls', ...fields, ...admitted }, message);
  }

  /**
   * RFC 5923 §5: a connection may be reused for requests to `host` only if its peer proved that
   * name with its certificate; or, for an IP address, if the peer connects from that very address.
   */
  override mayAlias(connectionId: number, host: string): boolean {
    const socket = this.socketOf(connectionId);
    if (!socket) return false;
    if (isIP(host) !== 0) return super.mayAlias(connectionId, host) && this.#credentials.mutual;
    return (this.#identities.get(socket) ?? []).includes(host.toLowerCase());
  }

  protected async dial(flow: SipFlow): Promise<Socket> {
    const socket = connect({
      host: flow.address,
      port: flow.port,
      ...(isIP(flow.address) === 0 ? { servername: flow.address } : {}),
      ...this.#credentials.clientOptions(),
      rejectUnauthorized: true,
      checkServerIdentity: checkSipServerIdentity,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }
}
