import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../platform/logger.js';
import { IN_PROGRESS_SUFFIX } from './WavFileWriter.js';
import { WAV_HEADER_SIZE, WavHeader } from '../media/wav/WavHeader.js';

/** What repair did to one file. */
export interface RepairResult {
  /** The file as found. */
  readonly file: string;
  /** Where it is now (a `.part` file loses its suffix); null when it was removed. */
  readonly path: string | null;
  readonly action: 'finalized' | 'repaired' | 'removed-empty' | 'removed-unredacted' | 'unreadable';
  /** Data bytes the header declared, and the bytes actually there. */
  readonly declaredDataBytes: number | null;
  readonly dataBytes: number;
  readonly durationSeconds: number;
}

/** A recording that only its redacted copy may outlive (RecordingStore's `work` file, `.part` or not). */
const WORK_FILE = /\.redacting\.wav(\.part)?$/;

/** How far into a file the header (with any chunks before `data`) is looked for. */
const HEADER_PROBE_BYTES = 4096;

/**
 * What a WAV file needs so that its header matches its length: the data is whatever follows the
 * header, cut to whole sample frames. Null when the header is already right.
 */
export function planRepair(
  header: WavHeader,
  fileLength: number,
): { header: WavHeader; truncateTo: number | null } | null {
  const available = Math.max(0, fileLength - header.dataOffset);
  const dataBytes = available - (available % header.blockAlign);
  const fixed = header.withDataBytes(dataBytes);
  const truncateTo = header.dataOffset + dataBytes < fileLength ? header.dataOffset + dataBytes : null;
  if (truncateTo === null && header.dataBytes === fixed.dataBytes && header.riffBytes === fixed.riffBytes)
    return null;
  return { header: fixed, truncateTo };
}

/**
 * Start-up repair of the recordings folder (`<dir>/<callId>/<pipelineId>.wav[.part]`): a process
 * killed mid-call leaves a `.part` file whose header declares at most the audio of the last header
 * update. Each such file gets the sizes its length gives (cut to whole sample frames) and loses its
 * `.part` suffix; a finished `.wav` whose sizes do not match its length is repaired the same way.
 * A `.part` file holding no audio (killed before any reached the disk) is removed. A recording
 * awaiting redaction (`<pipelineId>.redacting.wav[.part]`: only its redacted copy was to be kept) is
 * removed: the PII spans it needed went with the process, and the unredacted audio must not outlive
 * it. Every change is logged. Run it before any recording starts: it treats every `.part` file as crashed.
 */
export async function repairRecordings(dir: string, logger: Logger): Promise<RepairResult[]> {
  const results: RepairResult[] = [];
  for (const file of await recordingFiles(dir)) {
    let result: RepairResult | null;
    try {
      result = WORK_FILE.test(file) ? await removeUnredacted(file) : await repairFile(file);
    } catch (err) {
      logger.error({ err, file }, 'recording repair failed');
      continue;
    }
    if (!result) continue;
    results.push(result);
    const fields = {
      file: result.file,
      path: result.path,
      declaredDataBytes: result.declaredDataBytes,
      dataBytes: result.dataBytes,
      durationSeconds: result.durationSeconds,
    };
    if (result.action === 'unreadable')
      logger.warn(fields, 'recording is not a 16-bit PCM WAV file; left as it is');
    else logger.warn(fields, `recording ${result.action} (left by an interrupted call)`);
  }
  return results;
}

async function removeUnredacted(file: string): Promise<RepairResult> {
  await unlink(file);
  return {
    file,
    path: null,
    action: 'removed-unredacted',
    declaredDataBytes: null,
    dataBytes: 0,
    durationSeconds: 0,
  };
}

async function repairFile(file: string): Promise<RepairResult | null> {
  const part = file.endsWith(IN_PROGRESS_SUFFIX);
  const finalPath = part ? file.slice(0, -IN_PROGRESS_SUFFIX.length) : file;
  const handle = await open(file, 'r+');
  let action: RepairResult['action'];
  let declared: number | null;
  let dataBytes: number;
  let duration: number;
  try {
    const { size } = await handle.stat();
    const probe = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
    await handle.read(probe, 0, probe.length, 0);
    const header = WavHeader.parse(probe);
    if (!header) {
      if (part && size <= WAV_HEADER_SIZE) {
        await handle.close();
        await unlink(file);
        return {
          file,
          path: null,
          action: 'removed-empty',
          declaredDataBytes: null,
          dataBytes: 0,
          durationSeconds: 0,
        };
      }
      return {
        file,
        path: file,
        action: 'unreadable',
        declaredDataBytes: null,
        dataBytes: 0,
        durationSeconds: 0,
      };
    }
    declared = header.dataBytes;
    if (part && size <= header.dataOffset) {
      await handle.close();
      await unlink(file);
      return {
        file,
        path: null,
        action: 'removed-empty',
        declaredDataBytes: declared,
        dataBytes: 0,
        durationSeconds: 0,
      };
    }
    const plan = planRepair(header, size);
    if (!plan && !part) return null;
    const fixed = plan?.header ?? header;
    if (plan) {
      if (plan.truncateTo !== null) await handle.truncate(plan.truncateTo);
      for (const patch of plan.header.sizePatches()) await handle.write(patch.bytes, 0, 4, patch.position);
      await handle.datasync();
    }
    action = plan ? 'repaired' : 'finalized';
    dataBytes = fixed.dataBytes;
    duration = fixed.durationSeconds;
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (part) await rename(file, finalPath);
  return { file, path: finalPath, action, declaredDataBytes: declared, dataBytes, durationSeconds: duration };
}

/** `.wav` and `.wav.part` files directly in `dir` and one folder down (one folder per call). */
async function recordingFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const isRecording = (name: string) => name.endsWith('.wav') || name.endsWith(`.wav${IN_PROGRESS_SUFFIX}`);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isFile() && isRecording(entry.name)) files.push(path);
    if (!entry.isDirectory()) continue;
    for (const inner of await readdir(path, { withFileTypes: true })) {
      if (inner.isFile() && isRecording(inner.name)) files.push(join(path, inner.name));
    }
  }
  return files.sort();
}
