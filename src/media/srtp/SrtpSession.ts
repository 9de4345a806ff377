import { rtpHeaderSize } from '../rtp/RtpPacket.js';
import { ReplayWindow } from './ReplayWindow.js';
import type { SrtpMasterKey } from './SrtpSuite.js';
import { SRTCP_HEADER_SIZE, SRTCP_INDEX_SIZE, transformFor, type SrtpTransform } from './SrtpTransform.js';

/** Why an incoming packet was refused: counted per stream, never thrown on the media path. */
export type SrtpRefusal = 'malformed' | 'unauthenticated' | 'replayed';

/** RFC 3711 §3.3.2 recommends a replay list of at least 64 packets; libsrtp keeps 128. */
const REPLAY_WINDOW = 128;
/** Sources one session tracks at most (a call has one or two); the oldest is forgotten past it. */
const MAX_SOURCES = 8;
const SEQ_MODULUS = 0x10000;
const HALF_SEQ = 0x8000;
const SRTCP_INDEX_MASK = 0x7fffffff;

/** Per-SSRC SRTP state: the rollover counter and highest sequence number (s_l) of RFC 3711 §3.3.1. */
interface RtpSourceState {
  roc: number;
  highestSeq: number;
  readonly replay: ReplayWindow;
}

interface RtcpSourceState {
  /** Outbound: the index of the last packet sent. */
  sent: number;
  readonly replay: ReplayWindow;
}

/**
 * The ROC a packet with sequence number `seq` was sent under, guessed from s_l and the ROC as in
 * RFC 3711 Appendix A: whichever of ROC−1, ROC, ROC+1 (mod 2^32) puts the packet nearest to s_l.
 * ROC−1 under ROC 0 is 2^32−1: no sender used it, so such a packet fails authentication.
 */
export function estimateRoc(roc: number, highestSeq: number, seq: number): number {
  if (highestSeq < HALF_SEQ) return seq - highestSeq > HALF_SEQ ? (roc - 1) >>> 0 : roc;
  return highestSeq - HALF_SEQ > seq ? (roc + 1) >>> 0 : roc;
}

/**
 * One direction of SRTP and SRTCP keyed by one master key (RFC 3711): an inbound session
 * authenticates, replay-checks and decrypts what a peer sent; an outbound one encrypts what we send.
 * A session follows each SSRC's rollover counter on its own, so a relay can re-protect packets it
 * forwards with the sender's sequence numbers, reordered or not.
 */
export class SrtpSession {
  readonly #transform: SrtpTransform;
  readonly #mkiLength: number;
  readonly #rtp = new Map<number, RtpSourceState>();
  readonly #rtcp = new Map<number, RtcpSourceState>();

  constructor(master: SrtpMasterKey) {
    this.#transform = transformFor(master);
    this.#mkiLength = master.mkiLength;
  }

  /** Bytes protection adds to an RTP packet. */
  get rtpOverhead(): number {
    return this.#transform.rtpTagLength + this.#mkiLength;
  }

  /** Encrypts and tags a plain RTP datagram; throws RangeError if it is not RTP (our own packets are). */
  protectRtp(plain: Uint8Array): Buffer {
    const headerSize = rtpHeaderSize(plain);
    if (headerSize < 0) throw new RangeError('not an RTP packet');
    const ssrc = readUint32(plain, 8);
    const seq = (plain[2]! << 8) | plain[3]!;
    const state = this.#rtpSource(ssrc, seq);
    const roc = estimateRoc(state.roc, state.highestSeq, seq);
    this.#advance(state, roc, seq);
    return this.#transform.protectRtp(plain, headerSize, ssrc, roc, seq);
  }

  /** The plain RTP datagram, or why it was refused. State moves only for authentic packets. */
  unprotectRtp(packet: Uint8Array): Buffer | SrtpRefusal {
    const headerSize = rtpHeaderSize(packet);
    if (headerSize < 0 || headerSize + this.rtpOverhead > packet.length) return 'malformed';
    const ssrc = readUint32(packet, 8);
    const seq = (packet[2]! << 8) | packet[3]!;
    const known = this.#rtp.get(ssrc);
    // The first packet of a source sets s_l to its own sequence number (RFC 3711 §3.3.1).
    const roc = known ? estimateRoc(known.roc, known.highestSeq, seq) : 0;
    const index = roc * SEQ_MODULUS + seq;
    if (known && !known.replay.check(index)) return 'replayed';
    const plain = this.#transform.unprotectRtp(packet, headerSize, this.#mkiLength, ssrc, roc, seq);
    if (plain === null) return 'unauthenticated';
    const state = known ?? this.#rtpSource(ssrc, seq);
    this.#advance(state, roc, seq);
    state.replay.accept(index);
    return plain;
  }

  /** Encrypts and tags a plain RTCP compound packet under the sender SSRC's next SRTCP index. */
  protectRtcp(plain: Uint8Array): Buffer {
    if (plain.length < SRTCP_HEADER_SIZE) throw new RangeError('not an RTCP packet');
    const ssrc = readUint32(plain, 4);
    const state = this.#rtcpSource(ssrc);
    state.sent = (state.sent + 1) & SRTCP_INDEX_MASK;
    return this.#transform.protectRtcp(plain, ssrc, state.sent);
  }

  unprotectRtcp(packet: Uint8Array): Buffer | SrtpRefusal {
    const minimum = SRTCP_HEADER_SIZE + SRTCP_INDEX_SIZE + this.#transform.rtcpTagLength + this.#mkiLength;
    if (packet.length < minimum || packet[0]! >> 6 !== 2) return 'malformed';
    const ssrc = readUint32(packet, 4);
    const index =
      readUint32(packet, this.#transform.rtcpIndexAt(packet.length, this.#mkiLength)) & SRTCP_INDEX_MASK;
    const known = this.#rtcp.get(ssrc);
    if (known && !known.replay.check(index)) return 'replayed';
    const plain = this.#transform.unprotectRtcp(packet, this.#mkiLength, ssrc);
    if (plain === null) return 'unauthenticated';
    (known ?? this.#rtcpSource(ssrc)).replay.accept(index);
    return plain;
  }

  /** ROC and s_l follow the packet if it is the newest yet (RFC 3711 §3.3.1, after authentication). */
  #advance(state: RtpSourceState, roc: number, seq: number): void {
    if (roc === state.roc) {
      if (seq > state.highestSeq) state.highestSeq = seq;
    } else if (roc === (state.roc + 1) >>> 0) {
      state.roc = roc;
      state.highestSeq = seq;
    }
  }

  #rtpSource(ssrc: number, firstSeq: number): RtpSourceState {
    let state = this.#rtp.get(ssrc);
    if (!state) {
      state = { roc: 0, highestSeq: firstSeq, replay: new ReplayWindow(REPLAY_WINDOW) };
      remember(this.#rtp, ssrc, state);
    }
    return state;
  }

  #rtcpSource(ssrc: number): RtcpSourceState {
    let state = this.#rtcp.get(ssrc);
    if (!state) {
      state = { sent: 0, replay: new ReplayWindow(REPLAY_WINDOW) };
      remember(this.#rtcp, ssrc, state);
    }
    return state;
  }
}

function remember<T>(map: Map<number, T>, ssrc: number, state: T): void {
  if (map.size >= MAX_SOURCES) map.delete(map.keys().next().value!);
  map.set(ssrc, state);
}

function readUint32(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}
