import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { endianness } from 'node:os';
import { CallsightError } from '../platform/errors.js';
import { MAX_WAV_DATA_BYTES, WAV_HEADER_SIZE, WavHeader, type WavFormat } from '../media/wav/WavHeader.js';

export interface WavFileWriterOptions {
  readonly format: WavFormat;
  /**
   * Rewrite the header's sizes each time this many more data bytes are on disk (default: one second
   * of audio), so a process killed mid-call leaves a header at most that far behind the file.
   */
  readonly headerIntervalBytes?: number;
  /** Fail when appended audio waits for the disk beyond this (default 16 MiB, minutes of audio). */
  readonly maxPendingBytes?: number;
  /** Called once with the first failure (disk full, file removed, size limit); the writer then stops. */
  readonly onError?: (error: CallsightError) => void;
}

export interface WavFileSummary {
  /** Where the finished file is. */
  readonly path: string;
  readonly dataBytes: number;
  /** Whole file, header included. */
  readonly sizeBytes: number;
}

const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;
const LITTLE_ENDIAN = endianness() === 'LE';

/** The suffix of a recording being written; `close()` renames the file without it. */
export const IN_PROGRESS_SUFFIX = '.part';

/**
 * A WAV file written as audio arrives, through one file handle and never holding more than what
 * waits for the disk. The file starts with a provisional header (sizes 0), the samples are
 * appended, and the header's RIFF and data sizes are rewritten in place every `headerIntervalBytes`
 * and at the end. While it is written the file is named `<path>.part`; `close()` renames it to
 * `<path>`, so a `.part` file is a recording in progress or a crashed one (see RecordingRepair.ts).
 *
 * Every operation goes through one queue, in order, so the sizes written are always those of the
 * data already on disk. `append` never blocks the caller; failures go to `onError`.
 */
export class WavFileWriter {
  readonly path: string;
  readonly #format: WavFormat;
  readonly #interval: number;
  readonly #maxPending: number;
  readonly #onError: (error: CallsightError) => void;
  #handle: FileHandle | null = null;
  #queue: Promise<void>;
  /** Data bytes handed to append (on disk once the queue has run). */
  #queuedBytes = 0;
  /** Data bytes the header on disk declares. */
  #headerBytes = 0;
  #pendingBytes = 0;
  #error: CallsightError | null = null;
  #closed = false;

  /** Creates `<path>.part` (and its folder) with a provisional header; it exists once `written()` resolves. */
  constructor(path: string, options: WavFileWriterOptions) {
    this.path = path;
    this.#format = options.format;
    const blockAlign = options.format.channels * 2;
    const second = options.format.sampleRate * blockAlign;
    this.#interval = Math.max(blockAlign, options.headerIntervalBytes ?? second);
    this.#maxPending = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.#onError = options.onError ?? (() => undefined);
    this.#queue = (async () => {
      try {
        await mkdir(dirname(this.partPath), { recursive: true });
        this.#handle = await open(this.partPath, 'w');
        await writeFully(this.#handle, this.#header(0).serialize(), 0);
      } catch (err) {
        this.#fail(err, 'cannot create the recording file');
      }
    })();
  }

  /** The file's name while it is being written. */
  get partPath(): string {
    return `${this.path}${IN_PROGRESS_SUFFIX}`;
  }

  /** Data bytes appended so far. */
  get dataBytes(): number {
    return this.#queuedBytes;
  }

  /** Data bytes the header on disk declares (what survives a crash without repair). */
  get headerDataBytes(): number {
    return this.#headerBytes;
  }

  get failed(): CallsightError | null {
    return this.#error;
  }

  /**
   * Resolves once everything appended so far is on disk (or writing failed); the header may still
   * lag by up to an interval (see flush()).
   */
  written(): Promise<void> {
    return this.#queue;
  }

  /** Appends interleaved samples (whole sample frames). */
  append(samples: Int16Array): void {
    if (this.#closed || this.#error || samples.length === 0) return;
    const bytes = toLittleEndian(samples);
    if (this.#queuedBytes + bytes.length > MAX_WAV_DATA_BYTES) {
      this.#fail(null, `the recording reached the WAV size limit (4 GiB) and stops here`);
      return;
    }
    if (this.#pendingBytes + bytes.length > this.#maxPending) {
      this.#fail(null, `the disk fell ${this.#pendingBytes} bytes behind the audio`);
      return;
    }
    const position = WAV_HEADER_SIZE + this.#queuedBytes;
    const before = this.#queuedBytes;
    this.#queuedBytes += bytes.length;
    this.#pendingBytes += bytes.length;
    this.#enqueue(async (handle) => {
      await writeFully(handle, bytes, position);
      this.#pendingBytes -= bytes.length;
    });
    if (Math.floor(this.#queuedBytes / this.#interval) > Math.floor(before / this.#interval)) {
      const declared = this.#queuedBytes;
      this.#enqueue((handle) => this.#writeSizes(handle, declared));
    }
  }

  /** Waits for everything appended to be on disk and the header to declare it. */
  flush(): Promise<void> {
    const declared = this.#queuedBytes;
    this.#enqueue((handle) => this.#writeSizes(handle, declared));
    return this.#settled();
  }

  /**
   * Final header, data synced to disk, handle closed, file renamed to `path`. Rejects with the
   * writer's failure, if it had one (the `.part` file is then left for repair).
   */
  async close(): Promise<WavFileSummary> {
    if (!this.#closed) {
      await this.flush();
      this.#closed = true;
      this.#enqueue(async (handle) => {
        await handle.datasync();
        await handle.close();
        this.#handle = null;
        await rename(this.partPath, this.path);
      });
    }
    await this.#settled();
    return { path: this.path, dataBytes: this.#queuedBytes, sizeBytes: WAV_HEADER_SIZE + this.#queuedBytes };
  }

  /** Stops writing and closes the handle, leaving `<path>.part` as it is (for repair). */
  async abort(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close().catch(() => undefined);
  }

  async #settled(): Promise<void> {
    await this.#queue;
    if (this.#error) throw this.#error;
  }

  #enqueue(operation: (handle: FileHandle) => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#error || !this.#handle) return;
      try {
        await operation(this.#handle);
      } catch (err) {
        this.#fail(err, 'cannot write the recording file');
      }
    });
  }

  async #writeSizes(handle: FileHandle, dataBytes: number): Promise<void> {
    if (dataBytes === this.#headerBytes) return;
    for (const patch of this.#header(dataBytes).sizePatches())
      await writeFully(handle, patch.bytes, patch.position);
    this.#headerBytes = dataBytes;
  }

  #header(dataBytes: number): WavHeader {
    return new WavHeader({ ...this.#format, dataBytes });
  }

  #fail(cause: unknown, what: string): void {
    if (this.#error) return;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    this.#error = new CallsightError('CS_ERR_RECORDING_FAILED', `${this.partPath}: ${what}${detail}`, {
      cause,
    });
    this.#onError(this.#error);
  }
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** WAV samples are little-endian; Int16Array is in the machine's order. */
function toLittleEndian(samples: Int16Array): Buffer {
  const view = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return LITTLE_ENDIAN ? view : Buffer.from(view).swap16();
}
