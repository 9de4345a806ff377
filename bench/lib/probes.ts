import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we ship on). */
const USER_HZ = 100;

/** CPU time (user + system, ms) a process has used, from /proc; NaN when it cannot be read. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

/** Measures the CPU a process (or several together) uses over an interval, in cores (1.0 = one core busy). */
export class CpuMeter {
  readonly #pids: readonly number[];
  #cpu0 = 0;
  #wall0 = 0;

  constructor(pid: number | readonly number[]) {
    this.#pids = typeof pid === 'number' ? [pid] : pid;
    this.start();
  }

  start(): void {
    this.#cpu0 = this.#cpuMs();
    this.#wall0 = performance.now();
  }

  cores(): number {
    return (this.#cpuMs() - this.#cpu0) / (performance.now() - this.#wall0);
  }

  #cpuMs(): number {
    return this.#pids.reduce((sum, pid) => sum + (pid === process.pid ? ownCpuMs() : processCpuMs(pid)), 0);
  }
}

function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Kernel-wide UDP counters (/proc/net/snmp): drops for a full receive buffer are RcvbufErrors. */
export function udpCounters(): Record<string, number> {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/).slice(1);
    const values = lines[1]!.split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? 0]));
  } catch {
    return {};
  }
}

export function counterDelta(
  before: Record<string, number>,
  after: Record<string, number>,
  name: string,
): number {
  return (after[name] ?? Number.NaN) - (before[name] ?? Number.NaN);
}

/** Callsight's garbage collection and memory, from its /metrics (prom-client's default metrics). */
export interface RuntimeSample {
  /** Cumulative garbage-collection time, all kinds, in ms. */
  readonly gcMs: number;
  readonly residentMb: number;
}

export async function scrapeRuntime(httpPort: number): Promise<RuntimeSample> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const sum = (pattern: RegExp) => {
    let total = 0;
    for (const m of text.matchAll(pattern)) total += Number(m[1]);
    return total;
  };
  return {
    gcMs: Math.round(sum(/^nodejs_gc_duration_seconds_sum\{[^}]*\} ([0-9.eE+-]+)$/gm) * 1000),
    residentMb: Math.round(sum(/^process_resident_memory_bytes ([0-9.eE+-]+)$/gm) / 2 ** 20),
  };
}
