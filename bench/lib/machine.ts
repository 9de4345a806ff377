import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Single-thread speed of this machine now, so that runs on different machines (or on one VM whose
 * host got busier) can be told apart: SHA-256 throughput (native code, like the recogniser) and the
 * cost of one iteration of a trivial JavaScript loop.
 */
function cpuProbe(): { sha256MBps: number; jsLoopNs: number } {
  const block = Buffer.alloc(16 * 2 ** 20, 7);
  let started = performance.now();
  const hash = createHash('sha256');
  for (let i = 0; i < 4; i++) hash.update(block);
  hash.digest();
  const sha256MBps = Math.round(64 / ((performance.now() - started) / 1000));
  const iterations = 50_000_000;
  let sum = 0;
  started = performance.now();
  for (let i = 0; i < iterations; i++) sum = (sum + i) | 0;
  const jsLoopNs = Math.round(((performance.now() - started) * 1e8) / iterations) / 100;
  return { sha256MBps, jsLoopNs: sum === -1 ? NaN : jsLoopNs };
}

/** What the figures were measured on. */
export function machineFacts() {
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverage1mAtStart: Math.round(loadavg()[0]! * 100) / 100,
    udpRmemMaxBytes: Number(readOr('/proc/sys/net/core/rmem_max', 'NaN')),
    commit: gitCommit(),
    cpuProbe: cpuProbe(),
  };
}
