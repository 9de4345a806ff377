/*
 * The canonical 44-byte RIFF/WAVE header for 16-bit linear PCM (what Callsight writes):
 *
 *   offset  size  field
 *        0     4  "RIFF"
 *        4     4  RIFF size     = file length − 8            (little-endian, as every field below)
 *        8     4  "WAVE"
 *       12     4  "fmt "
 *       16     4  fmt size      = 16
 *       20     2  format        = 1 (WAVE_FORMAT_PCM)
 *       22     2  channels
 *       24     4  sample rate
 *       28     4  byte rate     = sample rate × block align
 *       32     2  block align   = channels × 2
 *       34     2  bits/sample   = 16
 *       36     4  "data"
 *       40     4  data size     = bytes of samples that follow
 *       44        samples, interleaved (left, right, left, right, …)
 *
 * `parse` also reads files other writers made (extra chunks before `data`, WAVE_FORMAT_EXTENSIBLE),
 * so that repair can fix any 16-bit PCM file in the recordings folder, not only ours.
 */

/** Bytes before the samples in the files Callsight writes. */
export const WAV_HEADER_SIZE = 44;
const RIFF_SIZE_OFFSET = 4;
const DATA_SIZE_OFFSET = 40;
const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const BITS_PER_SAMPLE = 16;
/** RIFF sizes are 32-bit: a longer file cannot be described (4 GiB ≈ 9 h of 16 kHz stereo). */
export const MAX_WAV_DATA_BYTES = 0xffff_ffff - (WAV_HEADER_SIZE - 8);

export interface WavFormat {
  readonly channels: number;
  readonly sampleRate: number;
}

/** A RIFF/WAVE header of 16-bit PCM: its format, where the samples start and the sizes it declares. */
export class WavHeader {
  readonly channels: number;
  readonly sampleRate: number;
  /** The `data` chunk's declared size. */
  readonly dataBytes: number;
  /** The RIFF chunk's declared size (file length − 8 when the header is right). */
  readonly riffBytes: number;
  /** File offset of the first sample. */
  readonly dataOffset: number;

  constructor(format: WavFormat & { dataBytes: number; riffBytes?: number; dataOffset?: number }) {
    this.channels = format.channels;
    this.sampleRate = format.sampleRate;
    this.dataBytes = format.dataBytes;
    this.dataOffset = format.dataOffset ?? WAV_HEADER_SIZE;
    this.riffBytes = format.riffBytes ?? this.dataOffset - 8 + format.dataBytes;
  }

  get blockAlign(): number {
    return this.channels * (BITS_PER_SAMPLE / 8);
  }

  /** Declared duration, from the data size. */
  get durationSeconds(): number {
    return this.dataBytes / this.blockAlign / this.sampleRate;
  }

  /**
   * Reads the header at the start of `buf` (give it at least the first few KiB of the file). Null
   * when it is not RIFF/WAVE 16-bit PCM or its chunks run past `buf` before the `data` chunk.
   */
  static parse(buf: Uint8Array): WavHeader | null {
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (
      view.length < 12 ||
      view.toString('ascii', 0, 4) !== 'RIFF' ||
      view.toString('ascii', 8, 12) !== 'WAVE'
    )
      return null;
    const riffBytes = view.readUInt32LE(RIFF_SIZE_OFFSET);
    let format: { encoding: number; channels: number; sampleRate: number; bits: number } | null = null;
    for (let offset = 12; offset + 8 <= view.length;) {
      const id = view.toString('ascii', offset, offset + 4);
      const size = view.readUInt32LE(offset + 4);
      const body = offset + 8;
      if (id === 'data') {
        if (!format) return null;
        const pcm = format.encoding === WAVE_FORMAT_PCM || format.encoding === WAVE_FORMAT_EXTENSIBLE;
        if (!pcm || format.bits !== BITS_PER_SAMPLE || format.channels < 1 || format.sampleRate < 1)
          return null;
        return new WavHeader({
          channels: format.channels,
          sampleRate: format.sampleRate,
          dataBytes: size,
          riffBytes,
          dataOffset: body,
        });
      }
      if (id === 'fmt ') {
        if (size < 16 || body + 16 > view.length) return null;
        format = {
          encoding: view.readUInt16LE(body),
          channels: view.readUInt16LE(body + 2),
          sampleRate: view.readUInt32LE(body + 4),
          bits: view.readUInt16LE(body + 14),
        };
      }
      offset = body + size + (size & 1);
    }
    return null;
  }

  /** A copy declaring `dataBytes` of samples (and the RIFF size that goes with it). */
  withDataBytes(dataBytes: number): WavHeader {
    return new WavHeader({
      channels: this.channels,
      sampleRate: this.sampleRate,
      dataBytes,
      dataOffset: this.dataOffset,
    });
  }

  serializeSize(): number {
    return WAV_HEADER_SIZE;
  }

  /** The canonical 44-byte header (only for headers whose samples start at byte 44). */
  serialize(): Buffer {
    if (this.dataOffset !== WAV_HEADER_SIZE)
      throw new RangeError(`WavHeader: cannot serialize a header whose data starts at ${this.dataOffset}`);
    const out = Buffer.alloc(WAV_HEADER_SIZE);
    out.write('RIFF', 0, 'ascii');
    out.writeUInt32LE(Math.min(this.riffBytes, 0xffff_ffff), RIFF_SIZE_OFFSET);
    out.write('WAVE', 8, 'ascii');
    out.write('fmt ', 12, 'ascii');
    out.writeUInt32LE(16, 16);
    out.writeUInt16LE(WAVE_FORMAT_PCM, 20);
    out.writeUInt16LE(this.channels, 22);
    out.writeUInt32LE(this.sampleRate, 24);
    out.writeUInt32LE(this.sampleRate * this.blockAlign, 28);
    out.writeUInt16LE(this.blockAlign, 32);
    out.writeUInt16LE(BITS_PER_SAMPLE, 34);
    out.write('data', 36, 'ascii');
    out.writeUInt32LE(Math.min(this.dataBytes, 0xffff_ffff), DATA_SIZE_OFFSET);
    return out;
  }

  /**
   * The two size fields of this header as (file offset, 4 bytes) patches: what a streaming writer
   * rewrites in place, for any header layout.
   */
  sizePatches(): { readonly position: number; readonly bytes: Buffer }[] {
    const riff = Buffer.alloc(4);
    riff.writeUInt32LE(Math.min(this.riffBytes, 0xffff_ffff));
    const data = Buffer.alloc(4);
    data.writeUInt32LE(Math.min(this.dataBytes, 0xffff_ffff));
    return [
      { position: RIFF_SIZE_OFFSET, bytes: riff },
      { position: this.dataOffset - 4, bytes: data },
    ];
  }

  toJSON() {
    return {
      channels: this.channels,
      sampleRate: this.sampleRate,
      dataBytes: this.dataBytes,
      riffBytes: this.riffBytes,
      dataOffset: this.dataOffset,
    };
  }
}
