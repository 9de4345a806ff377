/** RTP header extension (RFC 3550 §5.3.1): a 16-bit profile word and a body of 32-bit words. */
export interface RtpHeaderExtension {
  readonly profile: number;
  readonly data: Uint8Array;
}

export interface RtpPacketInit {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker?: boolean;
  readonly csrcs?: readonly number[];
  readonly extension?: RtpHeaderExtension | null;
  readonly payload: Uint8Array;
  /** Padding bytes as on the wire; the last byte is their count (RFC 3550 §5.1, P bit). */
  readonly padding?: Uint8Array;
}

const VERSION = 2;
const FIXED_HEADER_SIZE = 12;
const OFFSET_SEQUENCE = 2;
const OFFSET_TIMESTAMP = 4;
const OFFSET_SSRC = 8;
const CSRC_SIZE = 4;
const EXTENSION_HEADER_SIZE = 4;
const NO_CSRCS: readonly number[] = Object.freeze([]);
const NO_BYTES: Uint8Array = new Uint8Array(0);

/*
 * RFC 3550 §5.1 fixed header, then CSRCs, then the optional extension (§5.3.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |  8
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             | 12 (CC × 4 bytes)
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |  length (32-bit words)        |  if X
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        header extension                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     payload ...   | padding ... | pad count   |  pad count if P
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export class RtpPacket {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker: boolean;
  readonly csrcs: readonly number[];
  readonly extension: RtpHeaderExtension | null;
  /** On received packets, a view into the datagram (no copy). */
  readonly payload: Uint8Array;
  readonly padding: Uint8Array;

  constructor(init: RtpPacketInit) {
    const padding = init.padding ?? NO_BYTES;
    if (padding.length > 255 || (padding.length > 0 && padding[padding.length - 1] !== padding.length)) {
      throw new RangeError('RTP padding must end with its own length (1..255)');
    }
    if ((init.csrcs?.length ?? 0) > 15) throw new RangeError('RTP allows at most 15 CSRCs');
    if (init.extension && init.extension.data.length % 4 !== 0) {
      throw new RangeError('RTP header extension length must be a multiple of 4 bytes');
    }
    this.payloadType = init.payloadType & 0x7f;
    this.sequenceNumber = init.sequenceNumber & 0xffff;
    this.timestamp = init.timestamp >>> 0;
    this.ssrc = init.ssrc >>> 0;
    this.marker = init.marker ?? false;
    this.csrcs = init.csrcs ?? NO_CSRCS;
    this.extension = init.extension ?? null;
    this.payload = init.payload;
    this.padding = padding;
  }

  /** Parses one datagram; returns null for anything that is not a well-formed RTP v2 packet. */
  static parse(buf: Uint8Array): RtpPacket | null {
    const length = buf.length;
    if (length < FIXED_HEADER_SIZE) return null;
    const b0 = buf[0]!;
    if (b0 >> 6 !== VERSION) return null;
    const hasPadding = (b0 & 0x20) !== 0;
    const hasExtension = (b0 & 0x10) !== 0;
    const csrcCount = b0 & 0x0f;
    const b1 = buf[1]!;
    // RTCP shares the port space when muxed (RFC 5761): payload types 72–76 with M set are RTCP.
    const payloadType = b1 & 0x7f;
    if (payloadType >= 72 && payloadType <= 76) return null;

    let offset = FIXED_HEADER_SIZE + csrcCount * CSRC_SIZE;
    if (offset > length) return null;
    let csrcs = NO_CSRCS;
    if (csrcCount > 0) {
      const list: number[] = new Array<number>(csrcCount);
      for (let i = 0; i < csrcCount; i++) list[i] = readUint32(buf, FIXED_HEADER_SIZE + i * CSRC_SIZE);
      csrcs = list;
    }

    let extension: RtpHeaderExtension | null = null;
    if (hasExtension) {
      if (offset + EXTENSION_HEADER_SIZE > length) return null;
      const profile = (buf[offset]! << 8) | buf[offset + 1]!;
      const bodySize = ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4;
      const bodyStart = offset + EXTENSION_HEADER_SIZE;
      if (bodyStart + bodySize > length) return null;
      extension = { profile, data: buf.subarray(bodyStart, bodyStart + bodySize) };
      offset = bodyStart + bodySize;
    }

    let payloadEnd = length;
    let padding = NO_BYTES;
    if (hasPadding) {
      const paddingSize = buf[length - 1]!;
      if (paddingSize === 0 || offset + paddingSize > length) return null;
      payloadEnd = length - paddingSize;
      padding = buf.subarray(payloadEnd, length);
    }

    return new RtpPacket({
      payloadType,
      sequenceNumber: (buf[OFFSET_SEQUENCE]! << 8) | buf[OFFSET_SEQUENCE + 1]!,
      timestamp: readUint32(buf, OFFSET_TIMESTAMP),
      ssrc: readUint32(buf, OFFSET_SSRC),
      marker: (b1 & 0x80) !== 0,
      csrcs,
      extension,
      payload: buf.subarray(offset, payloadEnd),
      padding,
    });
  }

  get serializeSize(): number {
    const extensionSize = this.extension ? EXTENSION_HEADER_SIZE + this.extension.data.length : 0;
    return (
      FIXED_HEADER_SIZE +
      this.csrcs.length * CSRC_SIZE +
      extensionSize +
      this.payload.length +
      this.padding.length
    );
  }

  serialize(): Buffer {
    const buf = Buffer.allocUnsafe(this.serializeSize);
    buf[0] =
      (VERSION << 6) | (this.padding.length > 0 ? 0x20 : 0) | (this.extension ? 0x10 : 0) | this.csrcs.length;
    buf[1] = (this.marker ? 0x80 : 0) | this.payloadType;
    buf.writeUInt16BE(this.sequenceNumber, OFFSET_SEQUENCE);
    buf.writeUInt32BE(this.timestamp, OFFSET_TIMESTAMP);
    buf.writeUInt32BE(this.ssrc, OFFSET_SSRC);
    let offset = FIXED_HEADER_SIZE;
    for (const csrc of this.csrcs) {
      buf.writeUInt32BE(csrc >>> 0, offset);
      offset += CSRC_SIZE;
    }
    if (this.extension) {
      buf.writeUInt16BE(this.extension.profile, offset);
      buf.writeUInt16BE(this.extension.data.length / 4, offset + 2);
      buf.set(this.extension.data, offset + EXTENSION_HEADER_SIZE);
      offset += EXTENSION_HEADER_SIZE + this.extension.data.length;
    }
    buf.set(this.payload, offset);
    buf.set(this.padding, offset + this.payload.length);
    return buf;
  }

  toJSON(): Record<string, unknown> {
    return {
      payloadType: this.payloadType,
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      marker: this.marker,
      csrcs: [...this.csrcs],
      extension: this.extension
        ? { profile: this.extension.profile, length: this.extension.data.length }
        : null,
      payloadSize: this.payload.length,
      paddingSize: this.padding.length,
    };
  }
}

/**
 * Bytes of an RTP datagram's header (fixed part, CSRCs, extension): what SRTP leaves in the clear.
 * -1 when it is not RTP v2 or the header runs past the end. RTCP (PT 72–76) is not RTP here either.
 */
export function rtpHeaderSize(buf: Uint8Array): number {
  if (buf.length < FIXED_HEADER_SIZE || buf[0]! >> 6 !== VERSION) return -1;
  const payloadType = buf[1]! & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) return -1;
  const offset = FIXED_HEADER_SIZE + (buf[0]! & 0x0f) * CSRC_SIZE;
  if ((buf[0]! & 0x10) === 0) return offset <= buf.length ? offset : -1;
  if (offset + EXTENSION_HEADER_SIZE > buf.length) return -1;
  const end = offset + EXTENSION_HEADER_SIZE + ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4;
  return end <= buf.length ? end : -1;
}

function readUint32(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}
