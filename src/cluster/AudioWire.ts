/*
 * A call's audio on core NATS (`<ns>.audio.<callId>`), from the sip process to the worker running
 * the call's pipelines: one message per PcmFrame (20 ms of one channel), plus a message when a stream
 * is added mid-call.
 *
 *     0      1         2       3       4                     12
 *     +------+---------+-------+-------+---------------------+------------------------------+
 *     | kind | channel | flags | 0     | offsetMs (f64, LE)  | samples (int16, LE) …        |
 *     +------+---------+-------+-------+---------------------+------------------------------+
 *     kind 1: a frame. flags bit 0: concealed; bit 1: narrowband (8 kHz, see below).
 *     kind 2: a stream added to the call: the rest is the CallStream as UTF-8 JSON.
 *
 * Narrowband. A G.711 stream's frames come from 8 kHz audio through Upsampler2x, a half-band filter
 * whose even output samples are its input samples (delayed 12 samples) and whose odd ones depend on
 * those alone. So the even samples carry the whole 16 kHz frame: the sip process sends them (half
 * the bytes) and the worker runs the same upsampler over them, which gives back the original 16 kHz
 * signal sample for sample, 24 samples (1.5 ms) later; the decoder moves offsetMs back by those
 * 1.5 ms, so every sample keeps its media time. The encoder checks this on every frame (it runs the
 * worker's upsampler itself and compares): a channel whose audio does not come out identical (G.722,
 * Opus) is sent at 16 kHz from then on. Measured in docs/scale-out.md.
 */
import type { CallStream } from '../connector/CallTypes.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import { Upsampler2x } from '../media/codec/Resampler.js';

const KIND_FRAME = 1;
const KIND_STREAM_ADDED = 2;
const FLAG_CONCEALED = 1;
const FLAG_NARROWBAND = 2;
/** Bytes before a frame's samples. */
export const FRAME_HEADER_BYTES = 12;
/** The delay, in 16 kHz samples, of an upsampler run over the even samples of its own output. */
export const NARROWBAND_DELAY_SAMPLES = 24;
const NARROWBAND_DELAY_MS = NARROWBAND_DELAY_SAMPLES / 16;

export type AudioMessage =
  | { readonly kind: 'frame'; readonly frame: PcmFrame; readonly narrowband: boolean }
  | { readonly kind: 'streamAdded'; readonly stream: CallStream };

/** One frame as sent: its samples (16 kHz, or 8 kHz when narrowband). */
export function encodeFrame(frame: PcmFrame, samples: Int16Array, narrowband: boolean): Uint8Array {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + samples.length * 2);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, KIND_FRAME);
  view.setUint8(1, frame.channel);
  view.setUint8(2, (frame.concealed ? FLAG_CONCEALED : 0) | (narrowband ? FLAG_NARROWBAND : 0));
  view.setFloat64(4, frame.offsetMs, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(FRAME_HEADER_BYTES + 2 * i, samples[i]!, true);
  return bytes;
}

export function encodeStreamAdded(stream: CallStream): Uint8Array {
  const json = Buffer.from(JSON.stringify(stream), 'utf8');
  const bytes = new Uint8Array(1 + json.length);
  bytes[0] = KIND_STREAM_ADDED;
  bytes.set(json, 1);
  return bytes;
}

/** Null for anything that is not a well-formed message (logged by the caller, never thrown). */
export function decodeAudioMessage(data: Uint8Array): AudioMessage | null {
  if (data.length === 0) return null;
  if (data[0] === KIND_STREAM_ADDED) {
    try {
      const stream = JSON.parse(Buffer.from(data.subarray(1)).toString('utf8')) as CallStream;
      return typeof stream?.channel === 'number' ? { kind: 'streamAdded', stream } : null;
    } catch {
      return null;
    }
  }
  if (
    data[0] !== KIND_FRAME ||
    data.length < FRAME_HEADER_BYTES ||
    (data.length - FRAME_HEADER_BYTES) % 2 !== 0
  )
    return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flags = view.getUint8(2);
  const offsetMs = view.getFloat64(4, true);
  if (!Number.isFinite(offsetMs)) return null;
  const samples = new Int16Array((data.length - FRAME_HEADER_BYTES) / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(FRAME_HEADER_BYTES + 2 * i, true);
  return {
    kind: 'frame',
    narrowband: (flags & FLAG_NARROWBAND) !== 0,
    frame: { channel: view.getUint8(1), samples, offsetMs, concealed: (flags & FLAG_CONCEALED) !== 0 },
  };
}

/**
 * The sending side of one channel: narrowband while the worker can rebuild the frames exactly,
 * 16 kHz for good once it could not.
 */
export class NarrowbandEncoder {
  readonly #check = new Upsampler2x();
  /** The last NARROWBAND_DELAY_SAMPLES samples of the 16 kHz signal. */
  readonly #tail = new Int16Array(NARROWBAND_DELAY_SAMPLES);
  #rebuilt = new Int16Array(0);
  #wideband = false;

  get wideband(): boolean {
    return this.#wideband;
  }

  encode(frame: PcmFrame): Uint8Array {
    const y = frame.samples;
    if (this.#wideband || y.length % 2 !== 0 || y.length < NARROWBAND_DELAY_SAMPLES) {
      this.#wideband = true;
      return encodeFrame(frame, y, false);
    }
    const even = new Int16Array(y.length / 2);
    for (let i = 0; i < even.length; i++) even[i] = y[2 * i]!;
    if (this.#rebuilt.length < y.length) this.#rebuilt = new Int16Array(y.length);
    const rebuilt = this.#rebuilt;
    this.#check.process(even, even.length, rebuilt);
    let exact = true;
    for (let k = 0; k < y.length && exact; k++) {
      const original = k < NARROWBAND_DELAY_SAMPLES ? this.#tail[k]! : y[k - NARROWBAND_DELAY_SAMPLES]!;
      exact = rebuilt[k] === original;
    }
    this.#tail.set(y.subarray(y.length - NARROWBAND_DELAY_SAMPLES));
    if (!exact) {
      this.#wideband = true;
      return encodeFrame(frame, y, false);
    }
    return encodeFrame(frame, even, true);
  }
}

/** The receiving side of one channel: 16 kHz frames again, with their media times. */
export class NarrowbandDecoder {
  readonly #up = new Upsampler2x();

  decode(message: Extract<AudioMessage, { kind: 'frame' }>): PcmFrame | null {
    const { frame, narrowband } = message;
    if (!narrowband) return frame;
    const samples = new Int16Array(frame.samples.length * 2);
    this.#up.process(frame.samples, frame.samples.length, samples);
    let offsetMs = frame.offsetMs - NARROWBAND_DELAY_MS;
    let out = samples;
    if (offsetMs < 0) {
      // The first frame of a call: what precedes media time 0 is the filter's warm-up.
      const skip = Math.min(out.length, Math.ceil(-offsetMs * 16));
      out = out.subarray(skip);
      offsetMs += skip / 16;
      if (out.length === 0) return null;
    }
    return { channel: frame.channel, samples: out, offsetMs, concealed: frame.concealed };
  }
}

/** The receiving side of a call: one NarrowbandDecoder per channel, made on the channel's first frame. */
export class CallAudioDecoder {
  readonly #channels = new Map<number, NarrowbandDecoder>();

  decode(message: Extract<AudioMessage, { kind: 'frame' }>): PcmFrame | null {
    let decoder = this.#channels.get(message.frame.channel);
    if (!decoder) this.#channels.set(message.frame.channel, (decoder = new NarrowbandDecoder()));
    return decoder.decode(message);
  }
}
