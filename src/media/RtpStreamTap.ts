import { performance } from 'node:perf_hooks';
import type { Logger } from '../platform/logger.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import { CODECS, createStreamDecoder, type StreamDecoder } from './codec/AudioCodecs.js';
import type { RtpStreamStats } from './MediaTypes.js';
import type { RtpReceiverEvents, RtpStreamTapOptions } from './RtpReceiverTypes.js';
import { JitterBuffer } from './rtp/JitterBuffer.js';
import type { JitterItem } from './rtp/JitterBufferTypes.js';
import { RtpPacket } from './rtp/RtpPacket.js';
import { RtpStats } from './rtp/RtpStats.js';
import { SourceLock, type PacketSource } from './rtp/SourceLock.js';
import { TelephoneEvent } from './rtp/TelephoneEvent.js';
import { SrtpSession } from './srtp/SrtpSession.js';
import { sameMasterKey, type SrtpMasterKey } from './srtp/SrtpSuite.js';

/** 20 ms at the pipeline's 16 kHz: what a lost packet stands for until a packet shows the real ptime. */
const DEFAULT_SAMPLES_PER_PACKET = 320;
const OUTPUT_SAMPLES_PER_MS = 16;
/** RFC 3389 comfort noise, static payload type 13 at 8 kHz: the sender's way of saying "silence now". */
const COMFORT_NOISE_PT = 13;
const DRAIN_INTERVAL_MS = 20;
/** At most one debug line per stream per interval about dropped packets, however many arrive. */
const DROP_LOG_INTERVAL_MS = 5000;

function defaultNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A packet held while its source's run is incomplete (see SourceLock). */
interface HeldPacket {
  readonly packet: RtpPacket;
  readonly arrivalMs: number;
}

/**
 * The timer adapter around the pure media processors of one RTP stream, fed packets by whoever owns
 * the socket (a receiver, or a relay that also forwards them): source screen → SRTP → RtpPacket.parse
 * → SourceLock → JitterBuffer → decode to 16 kHz (G.711 upsampled, G.722, Opus) → one PcmFrame per packet.
 * The codec's RTP clock (8 kHz for G.711 and G.722, 48 kHz for Opus) is also telephone-event's. A relay,
 * whose worker thread has screened and decrypted the packets already, feeds `takePlain` instead.
 */
export class RtpStreamTap extends TypedEmitter<RtpReceiverEvents> {
  readonly #channel: number;
  readonly #audioPt: number;
  readonly #telephoneEventPt: number;
  readonly #decoder: StreamDecoder;
  /** RTP timestamp units per millisecond of the negotiated codec. */
  readonly #unitsPerMs: number;
  readonly #callStartMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #jitter: JitterBuffer;
  readonly #stats: RtpStats;
  readonly #drainTimer: NodeJS.Timeout;

  readonly #lock: SourceLock<HeldPacket>;
  #srtpKey: SrtpMasterKey | null = null;
  #srtp: SrtpSession | null = null;
  #sawFirstPacket = false;
  /** The one log line per stream about RTP from a source the SDP did not name. */
  #toldUnexpected = false;
  /** Media clock anchor: the offset (ms) of the RTP timestamp `#anchorTimestamp`; null until the first packet. */
  #anchorOffsetMs: number | null = null;
  #anchorTimestamp = 0;
  #endOffsetMs = 0;
  /** 16 kHz samples of the last audio packet: the length of a lost one's concealment. */
  #samplesPerPacket = DEFAULT_SAMPLES_PER_PACKET;
  #lastDtmfTimestamp = -1;
  #droppedSinceLog = 0;
  #lastDropLogMs = -Infinity;
  #closed = false;

  constructor(options: RtpStreamTapOptions) {
    super(options.logger);
    this.#channel = options.channel;
    this.#audioPt = options.payloadTypes.audio;
    this.#telephoneEventPt = options.payloadTypes.telephoneEvent ?? -1;
    const clockRate = CODECS[options.payloadTypes.encoding].clockRate;
    this.#unitsPerMs = clockRate / 1000;
    this.#stats = new RtpStats(clockRate);
    this.#decoder = createStreamDecoder(options.payloadTypes.encoding);
    this.#callStartMs = options.callStartMs;
    this.#logger = options.logger;
    this.#now = options.now ?? defaultNow;
    this.#jitter = new JitterBuffer({ depthMs: options.jitterDepthMs ?? 60, clockRate });
    this.#lock = new SourceLock({ learn: options.learnSource ?? true });
    this.setExpectedRemote(options.expectedRemote);
    this.setSrtpKey(options.srtp ?? null);
    this.#drainTimer = setInterval(() => this.#handle(this.#jitter.drain(this.#now())), DRAIN_INTERVAL_MS);
    this.#drainTimer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Re-targets the source lock to the SDP's address and port, e.g. after a re-INVITE; it locks anew. */
  setExpectedRemote(remote: PacketSource | null): void {
    this.#lock.setExpected(remote?.address ?? null, remote?.port ?? 0);
  }

  /**
   * The key the peer now encrypts with (after a re-INVITE), or null for plain RTP. The same key
   * keeps its session, so the rollover counter and replay list carry on across hold and resume.
   */
  setSrtpKey(key: SrtpMasterKey | null): void {
    if (key !== null && this.#srtpKey !== null && sameMasterKey(key, this.#srtpKey)) return;
    this.#srtpKey = key;
    this.#srtp = key === null ? null : new SrtpSession(key);
  }

  stats(): RtpStreamStats {
    return this.#stats.snapshot(this.#jitter.counters);
  }

  /** Releases what the jitter buffer still holds as frames; later packets are ignored. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#drainTimer);
    this.#handle(this.#jitter.flush());
    this.#decoder.close();
  }

  /**
   * One datagram from the stream's socket. A packet from the wrong source, unauthenticated or
   * replayed SRTP, malformed, or of a payload type not negotiated is dropped and counted; the others
   * are decoded (once their source holds the stream).
   */
  receive(msg: Buffer, remote: PacketSource): void {
    if (this.#closed) return;
    const arrivalMs = this.#now();
    const screen = this.#lock.screen(remote);
    if (screen === 'refused') {
      this.#stats.spoofed++;
      this.#tellUnexpected(remote, 'dropped');
      this.#noteDropped(arrivalMs, remote, 'spoofed');
      return;
    }
    const plain = this.#srtp === null ? msg : this.#srtp.unprotectRtp(msg);
    if (typeof plain === 'string') {
      if (plain === 'replayed') this.#stats.replayed++;
      else if (plain === 'unauthenticated') this.#stats.unauthenticated++;
      else this.#stats.invalid++;
      this.#noteDropped(arrivalMs, remote, `SRTP ${plain}`);
      return;
    }
    const packet = RtpPacket.parse(plain);
    const pt = packet?.payloadType;
    if (
      packet === null ||
      (pt !== this.#audioPt && pt !== this.#telephoneEventPt && pt !== COMFORT_NOISE_PT)
    ) {
      this.#stats.invalid++;
      this.#noteDropped(arrivalMs, remote, packet === null ? 'malformed' : 'unknown payload type');
      return;
    }
    if (screen === 'locked') {
      this.#accept(packet, arrivalMs);
      return;
    }
    const offer = this.#lock.offer(remote, packet.ssrc, packet.sequenceNumber, { packet, arrivalMs });
    if (offer.kind === 'held') return;
    const learned = this.#lock.learned;
    if (learned) this.#tellUnexpected(learned, 'learned');
    if (!this.#sawFirstPacket) {
      this.#sawFirstPacket = true;
      this.safeEmit('firstPacket', { offsetMs: offer.released[0]!.arrivalMs - this.#callStartMs });
    }
    for (const held of offer.released) this.#accept(held.packet, held.arrivalMs);
  }

  /** A packet the relay worker already took (source, SRTP, payload type), plain, with its arrival time. */
  takePlain(plain: Buffer, arrivalMs: number): void {
    if (this.#closed) return;
    const packet = RtpPacket.parse(plain);
    if (packet === null) {
      this.#stats.invalid++;
      return;
    }
    if (!this.#sawFirstPacket) {
      this.#sawFirstPacket = true;
      this.safeEmit('firstPacket', { offsetMs: arrivalMs - this.#callStartMs });
    }
    this.#accept(packet, arrivalMs);
  }

  /** Whether RTCP from `address` belongs to this stream: it comes from the party's RTP address. */
  isPartyAddress(address: string): boolean {
    const party = this.#lock.locked?.address ?? this.#lock.expectedAddress;
    return party === null || party === address;
  }

  /** Where the locked source sends from (null until a source holds the stream). */
  get lockedSource(): PacketSource | null {
    return this.#lock.locked;
  }

  /** The locked source when it is not the SDP's (NAT), as `address:port`; else null. */
  get learnedSource(): string | null {
    const learned = this.#lock.learned;
    return learned === null ? null : `${learned.address}:${learned.port}`;
  }

  #accept(packet: RtpPacket, arrivalMs: number): void {
    if (packet.payloadType === this.#audioPt) this.#stats.onPacket(packet.timestamp, arrivalMs);
    this.#handle(this.#jitter.push(packet, arrivalMs));
  }

  /** Once per stream: where unexpected RTP came from, and whether the stream was learned from it or dropped it. */
  #tellUnexpected(source: PacketSource, what: 'learned' | 'dropped'): void {
    if (this.#toldUnexpected) return;
    this.#toldUnexpected = true;
    const expected = this.#lock.expectedAddress;
    this.#logger.info(
      { channel: this.#channel, source: `${source.address}:${source.port}`, sdpAddress: expected },
      what === 'learned'
        ? "RTP from a source other than the SDP's: learned it (symmetric RTP, NAT)"
        : 'RTP from an unexpected source: dropped',
    );
  }

  #handle(items: JitterItem[]): void {
    for (const item of items) {
      if (item.kind === 'packet') {
        const packet = item.packet;
        const offsetMs = this.#offsetOf(packet.timestamp, item.arrivalMs);
        if (packet.payloadType === this.#audioPt) {
          // An empty payload carries no audio (some gateways send them as keepalives).
          if (packet.payload.length === 0) continue;
          this.#emitFrame(packet.payload, offsetMs);
        } else if (packet.payloadType === this.#telephoneEventPt) {
          this.#onTelephoneEvent(packet, offsetMs);
        }
        // Comfort noise only keeps the sequence numbers continuous; the next audio timestamp shows the pause.
      } else if (item.kind === 'lost') {
        this.#emitFrame(null, this.#offsetOf(item.timestamp, null));
      } else {
        this.#anchorOffsetMs = null;
        this.#stats.resetReference();
        this.#logger.debug({ ssrc: item.ssrc, channel: this.#channel }, 'RTP stream restarted');
      }
    }
  }

  /** Moves the anchor along with each packet so timestamp differences stay small across 32-bit wraps. */
  #offsetOf(timestamp: number, arrivalMs: number | null): number {
    if (this.#anchorOffsetMs === null) {
      // The stream's first packet (or the first after a restart) pins the media clock to its arrival.
      const arrivalOffset = (arrivalMs ?? this.#callStartMs) - this.#callStartMs;
      this.#anchorOffsetMs = Math.max(arrivalOffset, this.#endOffsetMs);
      this.#anchorTimestamp = timestamp;
      return this.#anchorOffsetMs;
    }
    const offsetMs = this.#anchorOffsetMs + ((timestamp - this.#anchorTimestamp) | 0) / this.#unitsPerMs;
    this.#anchorOffsetMs = offsetMs;
    this.#anchorTimestamp = timestamp;
    return offsetMs;
  }

  /** A null payload is a lost packet: silence of the last packet's duration, through the decoder's filters. */
  #emitFrame(payload: Uint8Array | null, offsetMs: number): void {
    const decoded = payload === null ? null : this.#decoder.decode(payload);
    // An Opus packet that would not decode is concealed like a lost one.
    const concealed = decoded === null || decoded.length === 0;
    const samples = concealed ? this.#decoder.conceal(this.#samplesPerPacket) : decoded;
    if (!concealed) this.#samplesPerPacket = samples.length;
    this.#endOffsetMs = offsetMs + samples.length / OUTPUT_SAMPLES_PER_MS;
    this.safeEmit('frame', { channel: this.#channel, samples, offsetMs, concealed });
  }

  #onTelephoneEvent(packet: RtpPacket, offsetMs: number): void {
    const event = TelephoneEvent.parse(packet.payload);
    if (event === null) {
      this.#stats.invalid++;
      return;
    }
    // The end packet is sent three times, all with the event's start timestamp.
    if (!event.end || packet.timestamp === this.#lastDtmfTimestamp) return;
    this.#lastDtmfTimestamp = packet.timestamp;
    const digit = event.digit;
    if (digit === null) return;
    this.safeEmit('dtmf', { digit, durationMs: event.duration / this.#unitsPerMs, offsetMs });
  }

  #noteDropped(
    nowMs: number,
    remote: PacketSource,
    reason:
      | 'spoofed'
      | 'malformed'
      | 'unknown payload type'
      | 'SRTP malformed'
      | 'SRTP replayed'
      | 'SRTP unauthenticated',
  ): void {
    this.#droppedSinceLog++;
    if (nowMs - this.#lastDropLogMs < DROP_LOG_INTERVAL_MS) return;
    this.#logger.debug(
      {
        ...(reason === 'spoofed' ? {} : { code: 'CS_ERR_RTP_INVALID' }),
        channel: this.#channel,
        remote: `${remote.address}:${remote.port}`,
        reason,
        dropped: this.#droppedSinceLog,
      },
      'dropping RTP packets',
    );
    this.#lastDropLogMs = nowMs;
    this.#droppedSinceLog = 0;
  }
}
