import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../../../src/transcribe/pocketsphinx/VocabularyFolders.js';

/** The id of a process that has exited. */
export function deadPid(): number {
  const child = spawnSync('true');
  assert.equal(child.status, 0);
  assert.ok(!processAlive(child.pid));
  return child.pid;
}

/** A vocabulary folder as a worker leaves it: a 3 MB dictionary in a subfolder. */
export function leftover(dir: string, name: string): string {
  const folder = join(dir, name);
  mkdirSync(join(folder, 'a1b2c3'), { recursive: true });
  writeFileSync(join(folder, 'a1b2c3', 'dict'), 'x'.repeat(3 * 1024 * 1024));
  return folder;
}
