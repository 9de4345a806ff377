import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  VOCABULARY_FOLDER_PREFIX,
  createVocabularyFolder,
  removeDeadProcessFolders,
  removeThreadFolders,
} from '../../../src/transcribe/pocketsphinx/VocabularyFolders.js';
import { deadPid, leftover } from './leftovers.js';

describe('VocabularyFolders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-vocabulary-folders-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a thread's folder is named for this process and the thread", () => {
    const folder = createVocabularyFolder(7, dir);
    assert.ok(folder.startsWith(join(dir, `${VOCABULARY_FOLDER_PREFIX}${process.pid}-7-`)), folder);
    assert.ok(existsSync(folder));
    rmSync(folder, { recursive: true });
  });

  test("a dead process's folders go; a running process's and unowned folders stay", () => {
    const deadName = `${VOCABULARY_FOLDER_PREFIX}${deadPid()}-1-Xy12Ab`;
    const dead = leftover(dir, deadName);
    const ours = leftover(dir, `${VOCABULARY_FOLDER_PREFIX}${process.pid}-1-Cd34Ef`);
    const parent = leftover(dir, `${VOCABULARY_FOLDER_PREFIX}${process.ppid}-2-Gh56Ij`);
    const unowned = leftover(dir, `${VOCABULARY_FOLDER_PREFIX}Kl78Mn`);
    assert.deepEqual(removeDeadProcessFolders(dir), [deadName]);
    assert.ok(!existsSync(dead));
    for (const folder of [ours, parent, unowned]) assert.ok(existsSync(folder), folder);
    for (const folder of [ours, parent, unowned]) rmSync(folder, { recursive: true });
  });

  test("a dead thread's folders go; other threads' stay", () => {
    const gone = leftover(dir, `${VOCABULARY_FOLDER_PREFIX}${process.pid}-3-Op90Qr`);
    const other = leftover(dir, `${VOCABULARY_FOLDER_PREFIX}${process.pid}-4-St12Uv`);
    const elsewhere = leftover(dir, `${VOCABULARY_FOLDER_PREFIX}${process.ppid}-3-Wx34Yz`);
    assert.equal(removeThreadFolders(3, dir).length, 1);
    assert.ok(!existsSync(gone));
    assert.ok(existsSync(other));
    assert.ok(existsSync(elsewhere));
    assert.deepEqual(readdirSync(dir).sort(), [other, elsewhere].map((f) => f.slice(dir.length + 1)).sort());
  });

  test('a missing folder removes nothing', () => {
    assert.deepEqual(removeDeadProcessFolders(join(dir, 'missing')), []);
  });
});
