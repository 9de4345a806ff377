import type { SipTransportName } from '../CallHandlerTypes.js';

/**
 * Where a message came from and how to answer it: the peer's address, and for TCP the connection it
 * arrived on (responses go back on the same connection, RFC 3261 §18.2.2).
 */
export interface SipFlow {
  readonly transport: SipTransportName;
  readonly address: string;
  readonly port: number;
  /** TCP connection id, when the message arrived on one. */
  readonly connectionId?: number;
}

export type SipTransportEvents = {
  message: [data: Buffer, flow: SipFlow];
  /** A TCP stream broke SIP framing: the listener may answer 400/513 before the connection closes. */
  framingError: [error: Error, flow: SipFlow];
};

export interface SipTransport {
  readonly name: SipTransportName;
  readonly localPort: number;
  /** Sends on the flow's connection if it is still open, else to address:port (connecting for TCP). */
  send(data: Buffer, flow: SipFlow): Promise<void>;
  close(): Promise<void>;
}
