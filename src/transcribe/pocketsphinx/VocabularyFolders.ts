import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Each recognition thread writes its vocabularies' files (about 3 MB each: VocabularyModel.ts) into
 * a temporary folder it removes on close. A thread or process that dies cannot, so the folder is
 * named for its owner — `callsight-asr-vocabularies-<pid>-<threadId>-<random>` — and the engine
 * removes the folders of a worker it saw die and, when it starts, those of processes gone.
 */

export const VOCABULARY_FOLDER_PREFIX = 'callsight-asr-vocabularies-';
const OWNED = new RegExp(`^${VOCABULARY_FOLDER_PREFIX}(\\d+)-(\\d+)-`);

/** A new vocabulary folder for this thread, named for this process and `threadId`. */
export function createVocabularyFolder(threadId: number, dir = tmpdir()): string {
  return mkdtempSync(join(dir, `${VOCABULARY_FOLDER_PREFIX}${process.pid}-${threadId}-`));
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the vocabulary folders in `dir` that `stale(pid, threadId)` says no one owns any more;
 * the names removed. Folders not named for an owner are left alone.
 */
function removeFolders(dir: string, stale: (pid: number, threadId: number) => boolean): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = OWNED.exec(name);
    if (!owner || !stale(Number(owner[1]), Number(owner[2]))) continue;
    // Another process may be sweeping the same folder, or it belongs to another user: left for them.
    try {
      rmSync(join(dir, name), { recursive: true, force: true, maxRetries: 2 });
      removed.push(name);
    } catch {
      continue;
    }
  }
  return removed;
}

/** The folders left by processes that no longer run (a crash, a kill); the names removed. */
export function removeDeadProcessFolders(dir = tmpdir()): string[] {
  return removeFolders(dir, (pid) => pid !== process.pid && !processAlive(pid));
}

/** The folders of one thread of this process, once it has died; the names removed. */
export function removeThreadFolders(threadId: number, dir = tmpdir()): string[] {
  return removeFolders(dir, (pid, thread) => pid === process.pid && thread === threadId);
}
