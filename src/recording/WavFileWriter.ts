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
  /** Called once with the first failure (file removed, disk failing, the WAV size limit); the writer then stops. */
  readonly onError?: (error: CallsightError) => void;
  /**
   * Called when a write finds no room (disk full, quota, file-size limit: `code` says which) and when
   * one succeeds again. That is not a failure: the audio that found no room is left as a hole that
   * reads as silence, and writing goes on with the next audio.
   */
  readonly onSpace?: (
    space: { readonly full: true; readonly code: string } | { readonly full: false },
  ) => void;
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
  readonly #onSpace: NonNullable<WavFileWriterOptions['onSpace']>;
  #handle: FileHandle | null = null;
  #queue: Promise<void>;
  /** Data bytes handed to append (on disk once the queue has run). */
  #queuedBytes = 0;
  /** Data bytes the header on disk declares. */
  #headerBytes = 0;
  #pendingBytes = 0;
  #error: CallsightError | null = null;
  #closed = false;
  /** The latest write found no room. */
  #outOfSpace = false;
  /** Data bytes that found no room (silence in the file). */
  #lostBytes = 0;
  /** Whether the header is on disk yet (creating the file may find the disk full). */
  #headerOnDisk = false;

  /** Creates `<path>.part` (and its folder) with a provisional header; it exists once `written()` resolves. */
  constructor(path: string, options: WavFileWriterOptions) {
    this.path = path;
    this.#format = options.format;
    const blockAlign = options.format.channels * 2;
    const second = options.format.sampleRate * blockAlign;
    this.#interval = Math.max(blockAlign, options.headerIntervalBytes ?? second);
    this.#maxPending = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.#onError = options.onError ?? (() => undefined);
    this.#onSpace = options.onSpace ?? (() => undefined);
    this.#queue = (async () => {
      let handle: FileHandle;
      try {
        await mkdir(dirname(this.partPath), { recursive: true });
        handle = await open(this.partPath, 'w');
        this.#handle = handle;
      } catch (err) {
        this.#fail(err, 'cannot create the recording file');
        return;
      }
      try {
        // Without room for the header it is written with the next sizes that find room.
        await this.#spaceAware(async () => {
          await writeFully(handle, this.#header(0).serialize(), 0);
          this.#headerOnDisk = true;
        }, true);
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

  /** Data bytes that found no room on the disk and are silence in the file. */
  get lostBytes(): number {
    return this.#lostBytes;
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
      try {
        const progress = { done: 0 };
        if (!(await this.#spaceAware(() => writeFully(handle, bytes, position, progress), true)))
          this.#lostBytes += bytes.length - progress.done;
      } finally {
        this.#pendingBytes -= bytes.length;
      }
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
        // Audio lost at the end left the file short of what the header declares: a hole of silence.
        if (this.#lostBytes > 0) await handle.truncate(WAV_HEADER_SIZE + this.#queuedBytes);
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
    if (dataBytes === this.#headerBytes && this.#headerOnDisk) return;
    const rewrite = this.#headerOnDisk;
    await this.#spaceAware(
      async () => {
        if (this.#headerOnDisk) {
          for (const patch of this.#header(dataBytes).sizePatches())
            await writeFully(handle, patch.bytes, patch.position);
        } else {
          await writeFully(handle, this.#header(dataBytes).serialize(), 0);
          this.#headerOnDisk = true;
        }
        this.#headerBytes = dataBytes;
      },
      // Rewriting the sizes in place takes no room: it says nothing about the disk having some again.
      !rewrite,
    );
  }

  /**
   * Runs a write; false when it found no room, which is reported (once until a write that `takesRoom`
   * succeeds again) rather than failing the recording. Other errors are thrown on.
   */
  async #spaceAware(write: () => Promise<void>, takesRoom: boolean): Promise<boolean> {
    try {
      await write();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!NO_ROOM.has(code)) throw err;
      if (!this.#outOfSpace) {
        this.#outOfSpace = true;
        this.#onSpace({ full: true, code });
      }
      return false;
    }
    if (this.#outOfSpace && takesRoom) {
      this.#outOfSpace = false;
      this.#onSpace({ full: false });
    }
    return true;
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

/** No room: disk full, quota exceeded, or the process's file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored). */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** Writes all of `bytes`; `progress.done` says how many made it when a write fails part way. */
async function writeFully(
  handle: FileHandle,
  bytes: Uint8Array,
  position: number,
  progress = { done: 0 },
): Promise<void> {
  while (progress.done < bytes.length) {
    const { done } = progress;
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    progress.done += bytesWritten;
  }
}

/** WAV samples are little-endian; Int16Array is in the machine's order. */
function toLittleEndian(samples: Int16Array): Buffer {
  const view = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return LITTLE_ENDIAN ? view : Buffer.from(view).swap16();
}
