const PAYLOAD_SIZE = 4;
const DIGITS = '0123456789*#ABCD!';

export interface TelephoneEventInit {
  readonly event: number;
  readonly end: boolean;
  readonly volume: number;
  readonly duration: number;
}

/*
 * RFC 4733 §2.3 telephone-event payload (the first block; redundant blocks are not used for DTMF):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export class TelephoneEvent {
  readonly event: number;
  /** E bit: set on the last packets of the event (sent three times). */
  readonly end: boolean;
  /** Power level in −dBm0 (0–63). */
  readonly volume: number;
  /** Duration so far, in RTP timestamp units. */
  readonly duration: number;

  constructor(init: TelephoneEventInit) {
    this.event = init.event & 0xff;
    this.end = init.end;
    this.volume = init.volume & 0x3f;
    this.duration = init.duration & 0xffff;
  }

  static parse(payload: Uint8Array): TelephoneEvent | null {
    if (payload.length < PAYLOAD_SIZE) return null;
    const flags = payload[1]!;
    return new TelephoneEvent({
      event: payload[0]!,
      end: (flags & 0x80) !== 0,
      volume: flags & 0x3f,
      duration: (payload[2]! << 8) | payload[3]!,
    });
  }

  /** The DTMF key (events 0–16), or null for other telephony events. */
  get digit(): string | null {
    return DIGITS[this.event] ?? null;
  }

  get serializeSize(): number {
    return PAYLOAD_SIZE;
  }

  serialize(): Buffer {
    const buf = Buffer.alloc(PAYLOAD_SIZE);
    buf[0] = this.event;
    buf[1] = (this.end ? 0x80 : 0) | this.volume;
    buf.writeUInt16BE(this.duration, 2);
    return buf;
  }

  toJSON(): TelephoneEventInit {
    return { event: this.event, end: this.end, volume: this.volume, duration: this.duration };
  }
}
