import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { deriveSessionKeys, type SessionKeys } from './SrtpKeyDerivation.js';
import type { SrtpMasterKey } from './SrtpSuite.js';

/** Size of SRTCP's fixed part left in the clear: the first RTCP header word and the sender SSRC. */
export const SRTCP_HEADER_SIZE = 8;
/** The E flag and 31-bit SRTCP index word (RFC 3711 §3.4). */
export const SRTCP_INDEX_SIZE = 4;
const E_FLAG = 0x80000000;

/**
 * The per-packet cryptography of one suite with a direction's session keys: what RFC 3711 §4 (AES-CM
 * and HMAC-SHA1) or RFC 7714 §§8–9 (AES-GCM) do to one packet, given its index. Index bookkeeping,
 * ROC and replay belong to SrtpSession; lengths are checked there too.
 */
export interface SrtpTransform {
  readonly rtpTagLength: number;
  readonly rtcpTagLength: number;
  protectRtp(plain: Uint8Array, headerSize: number, ssrc: number, roc: number, seq: number): Buffer;
  /**
   * The plain packet, or null when the tag does not verify. The caller has checked that the packet
   * holds the header, the MKI and the tag.
   */
  unprotectRtp(
    packet: Uint8Array,
    headerSize: number,
    mkiLength: number,
    ssrc: number,
    roc: number,
    seq: number,
  ): Buffer | null;
  protectRtcp(plain: Uint8Array, ssrc: number, index: number): Buffer;
  /** Where the E|index word of an SRTCP packet of `length` bytes sits (it moves with the layout). */
  rtcpIndexAt(length: number, mkiLength: number): number;
  /** The plain RTCP packet, or null when the tag does not verify. */
  unprotectRtcp(packet: Uint8Array, mkiLength: number, ssrc: number): Buffer | null;
}

export function transformFor(master: SrtpMasterKey): SrtpTransform {
  const rtp = deriveSessionKeys(master, 'rtp');
  const rtcp = deriveSessionKeys(master, 'rtcp');
  return master.suite.kind === 'aead-aes-gcm'
    ? new AesGcmTransform(rtp, rtcp, master.suite.rtpTagLength)
    : new AesCmHmacTransform(rtp, rtcp, master.suite.rtpTagLength, master.suite.rtcpTagLength);
}

function writeUint32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

function readUint32(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}

function tagMatches(actual: Uint8Array, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * AES-CM with HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1). The counter block is the session salt ⊕ SSRC at
 * bytes 4–7 ⊕ the 48-bit index at bytes 8–13; its low 16 bits count the 16-byte blocks, which
 * node's 128-bit CTR increment matches for any packet under 1 MiB.
 */
export class AesCmHmacTransform implements SrtpTransform {
  readonly #rtpKey: KeyObject;
  readonly #rtpSalt: Buffer;
  readonly #rtpAuth: KeyObject;
  readonly #rtcpKey: KeyObject;
  readonly #rtcpSalt: Buffer;
  readonly #rtcpAuth: KeyObject;
  readonly #algorithm: string;
  readonly #roc = Buffer.alloc(4);

  constructor(
    rtp: SessionKeys,
    rtcp: SessionKeys,
    readonly rtpTagLength: number,
    readonly rtcpTagLength: number,
  ) {
    this.#algorithm = `aes-${rtp.cipherKey.length * 8}-ctr`;
    this.#rtpKey = createSecretKey(rtp.cipherKey);
    this.#rtpSalt = rtp.salt;
    this.#rtpAuth = createSecretKey(rtp.authKey);
    this.#rtcpKey = createSecretKey(rtcp.cipherKey);
    this.#rtcpSalt = rtcp.salt;
    this.#rtcpAuth = createSecretKey(rtcp.authKey);
  }

  #counter(salt: Buffer, ssrc: number, high: number, low: number): Buffer {
    const iv = Buffer.alloc(16);
    salt.copy(iv, 0);
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ high) >>> 0, 8);
    iv.writeUInt16BE(iv.readUInt16BE(12) ^ low, 12);
    return iv;
  }

  #rtpTag(authenticated: Uint8Array, roc: number): Buffer {
    writeUint32(this.#roc, 0, roc);
    const mac = createHmac('sha1', this.#rtpAuth).update(authenticated).update(this.#roc).digest();
    return mac.subarray(0, this.rtpTagLength);
  }

  protectRtp(plain: Uint8Array, headerSize: number, ssrc: number, roc: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(plain.length + this.rtpTagLength);
    out.set(plain.subarray(0, headerSize), 0);
    const cipher = createCipheriv(
      this.#algorithm,
      this.#rtpKey,
      this.#counter(this.#rtpSalt, ssrc, roc, seq),
    );
    out.set(cipher.update(plain.subarray(headerSize)), headerSize);
    out.set(this.#rtpTag(out.subarray(0, plain.length), roc), plain.length);
    return out;
  }

  /** header | encrypted payload | MKI | tag: the MKI is not authenticated (RFC 3711 §3.1). */
  unprotectRtp(
    packet: Uint8Array,
    headerSize: number,
    mkiLength: number,
    ssrc: number,
    roc: number,
    seq: number,
  ): Buffer | null {
    const tagStart = packet.length - this.rtpTagLength;
    const bodyEnd = tagStart - mkiLength;
    const expected = this.#rtpTag(packet.subarray(0, bodyEnd), roc);
    if (!tagMatches(packet.subarray(tagStart, tagStart + this.rtpTagLength), expected)) return null;
    const out = Buffer.allocUnsafe(bodyEnd);
    out.set(packet.subarray(0, headerSize), 0);
    const cipher = createDecipheriv(
      this.#algorithm,
      this.#rtpKey,
      this.#counter(this.#rtpSalt, ssrc, roc, seq),
    );
    out.set(cipher.update(packet.subarray(headerSize, bodyEnd)), headerSize);
    return out;
  }

  #rtcpTag(authenticated: Uint8Array): Buffer {
    return createHmac('sha1', this.#rtcpAuth).update(authenticated).digest().subarray(0, this.rtcpTagLength);
  }

  protectRtcp(plain: Uint8Array, ssrc: number, index: number): Buffer {
    const indexAt = plain.length;
    const out = Buffer.allocUnsafe(indexAt + SRTCP_INDEX_SIZE + this.rtcpTagLength);
    out.set(plain.subarray(0, SRTCP_HEADER_SIZE), 0);
    const iv = this.#counter(this.#rtcpSalt, ssrc, Math.floor(index / 0x10000), index & 0xffff);
    const cipher = createCipheriv(this.#algorithm, this.#rtcpKey, iv);
    out.set(cipher.update(plain.subarray(SRTCP_HEADER_SIZE)), SRTCP_HEADER_SIZE);
    writeUint32(out, indexAt, (E_FLAG | index) >>> 0);
    out.set(this.#rtcpTag(out.subarray(0, indexAt + SRTCP_INDEX_SIZE)), indexAt + SRTCP_INDEX_SIZE);
    return out;
  }

  /** header | body | E|index | MKI | tag */
  rtcpIndexAt(length: number, mkiLength: number): number {
    return length - this.rtcpTagLength - mkiLength - SRTCP_INDEX_SIZE;
  }

  unprotectRtcp(packet: Uint8Array, mkiLength: number, ssrc: number): Buffer | null {
    const indexAt = this.rtcpIndexAt(packet.length, mkiLength);
    const tagStart = packet.length - this.rtcpTagLength;
    const expected = this.#rtcpTag(packet.subarray(0, indexAt + SRTCP_INDEX_SIZE));
    if (!tagMatches(packet.subarray(tagStart, tagStart + this.rtcpTagLength), expected)) return null;
    const word = readUint32(packet, indexAt);
    const out = Buffer.allocUnsafe(indexAt);
    out.set(packet.subarray(0, indexAt), 0);
    if ((word & E_FLAG) !== 0) {
      const index = word & 0x7fffffff;
      const iv = this.#counter(this.#rtcpSalt, ssrc, Math.floor(index / 0x10000), index & 0xffff);
      const cipher = createDecipheriv(this.#algorithm, this.#rtcpKey, iv);
      out.set(cipher.update(packet.subarray(SRTCP_HEADER_SIZE, indexAt)), SRTCP_HEADER_SIZE);
    }
    return out;
  }
}

/**
 * AEAD_AES_128_GCM (RFC 7714): the 12-byte IV is 0x0000 || SSRC || ROC || SEQ (SRTCP: 0x0000 ||
 * SSRC || 0x0000 || index) ⊕ the session salt; the RTP header (SRTCP: the first 8 bytes and the
 * E|index word) is additional authenticated data, and the 16-byte tag follows the ciphertext.
 */
export class AesGcmTransform implements SrtpTransform {
  readonly rtcpTagLength: number;
  readonly #rtpKey: KeyObject;
  readonly #rtpSalt: Buffer;
  readonly #rtcpKey: KeyObject;
  readonly #rtcpSalt: Buffer;
  readonly #algorithm: 'aes-128-gcm' | 'aes-256-gcm';

  constructor(
    rtp: SessionKeys,
    rtcp: SessionKeys,
    readonly rtpTagLength: number,
  ) {
    this.rtcpTagLength = rtpTagLength;
    this.#algorithm = rtp.cipherKey.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm';
    this.#rtpKey = createSecretKey(rtp.cipherKey);
    this.#rtpSalt = rtp.salt;
    this.#rtcpKey = createSecretKey(rtcp.cipherKey);
    this.#rtcpSalt = rtcp.salt;
  }

  #iv(salt: Buffer, ssrc: number, middle: number, low: number, lowBytes: 2 | 4): Buffer {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(ssrc, 2);
    if (lowBytes === 2) {
      iv.writeUInt32BE(middle, 6);
      iv.writeUInt16BE(low, 10);
    } else {
      iv.writeUInt32BE(low, 8);
    }
    for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
    return iv;
  }

  protectRtp(plain: Uint8Array, headerSize: number, ssrc: number, roc: number, seq: number): Buffer {
    const iv = this.#iv(this.#rtpSalt, ssrc, roc, seq, 2);
    const cipher = createCipheriv(this.#algorithm, this.#rtpKey, iv, { authTagLength: this.rtpTagLength });
    cipher.setAAD(plain.subarray(0, headerSize));
    const out = Buffer.allocUnsafe(plain.length + this.rtpTagLength);
    out.set(plain.subarray(0, headerSize), 0);
    out.set(cipher.update(plain.subarray(headerSize)), headerSize);
    cipher.final();
    out.set(cipher.getAuthTag(), plain.length);
    return out;
  }

  /** header | ciphertext | tag | MKI (RFC 7714 §8.1). */
  unprotectRtp(
    packet: Uint8Array,
    headerSize: number,
    mkiLength: number,
    ssrc: number,
    roc: number,
    seq: number,
  ): Buffer | null {
    const tagStart = packet.length - mkiLength - this.rtpTagLength;
    const bodyEnd = tagStart;
    const iv = this.#iv(this.#rtpSalt, ssrc, roc, seq, 2);
    const decipher = createDecipheriv(this.#algorithm, this.#rtpKey, iv, {
      authTagLength: this.rtpTagLength,
    });
    decipher.setAAD(packet.subarray(0, headerSize));
    decipher.setAuthTag(packet.subarray(tagStart, tagStart + this.rtpTagLength));
    const out = Buffer.allocUnsafe(bodyEnd);
    out.set(packet.subarray(0, headerSize), 0);
    out.set(decipher.update(packet.subarray(headerSize, bodyEnd)), headerSize);
    try {
      decipher.final();
    } catch {
      return null;
    }
    return out;
  }

  protectRtcp(plain: Uint8Array, ssrc: number, index: number): Buffer {
    const word = Buffer.allocUnsafe(SRTCP_INDEX_SIZE);
    writeUint32(word, 0, (E_FLAG | index) >>> 0);
    const cipher = createCipheriv(
      this.#algorithm,
      this.#rtcpKey,
      this.#iv(this.#rtcpSalt, ssrc, 0, index, 4),
      {
        authTagLength: this.rtcpTagLength,
      },
    );
    cipher.setAAD(Buffer.concat([plain.subarray(0, SRTCP_HEADER_SIZE), word]));
    const body = cipher.update(plain.subarray(SRTCP_HEADER_SIZE));
    cipher.final();
    return Buffer.concat([plain.subarray(0, SRTCP_HEADER_SIZE), body, cipher.getAuthTag(), word]);
  }

  /** header | ciphertext | tag | E|index | MKI (RFC 7714 §9.1). */
  rtcpIndexAt(length: number, mkiLength: number): number {
    return length - mkiLength - SRTCP_INDEX_SIZE;
  }

  unprotectRtcp(packet: Uint8Array, mkiLength: number, ssrc: number): Buffer | null {
    const indexAt = this.rtcpIndexAt(packet.length, mkiLength);
    const tagStart = indexAt - this.rtcpTagLength;
    const word = readUint32(packet, indexAt);
    const index = word & 0x7fffffff;
    const header = packet.subarray(0, SRTCP_HEADER_SIZE);
    const aad = Buffer.concat([header, packet.subarray(indexAt, indexAt + SRTCP_INDEX_SIZE)]);
    const tag = packet.subarray(tagStart, tagStart + this.rtcpTagLength);
    const decipher = createDecipheriv(
      this.#algorithm,
      this.#rtcpKey,
      this.#iv(this.#rtcpSalt, ssrc, 0, index, 4),
      {
        authTagLength: this.rtcpTagLength,
      },
    );
    if ((word & E_FLAG) === 0) {
      // Unencrypted SRTCP: the whole packet up to the tag is authenticated data only.
      decipher.setAAD(Buffer.concat([packet.subarray(0, tagStart), packet.subarray(indexAt, indexAt + 4)]));
      decipher.setAuthTag(tag);
      try {
        decipher.final();
      } catch {
        return null;
      }
      return Buffer.from(packet.subarray(0, tagStart));
    }
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const body = decipher.update(packet.subarray(SRTCP_HEADER_SIZE, tagStart));
    try {
      decipher.final();
    } catch {
      return null;
    }
    return Buffer.concat([header, body]);
  }
}
