import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real small disk for the disk-full tests: a tmpfs (mounting needs root). */
export interface SmallDisk {
  /** The mounted folder (null when it could not be mounted: the test skips, saying why). */
  readonly path: string | null;
  readonly skip: string | false;
  /** Unmounts (lazily: a failed test may leave files open) and removes the folder. */
  remove(): void;
}

export function mountSmallDisk(size = '512k'): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-small-disk-'));
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  let mounted = false;
  let why = '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    why = (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
  }
  return {
    path: mounted ? disk : null,
    skip: mounted ? false : `cannot mount a ${size} tmpfs (needs root): ${why}`,
    remove() {
      if (mounted) execFileSync('umount', ['-l', disk]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Takes every byte the disk at `path` has left (written until ENOSPC, so a process writing there
 * meanwhile cannot make it fail); returns the filler file (remove it to give the room back).
 */
export function fillDisk(path: string): string {
  const filler = join(path, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}
