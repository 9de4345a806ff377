import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, rtpRangeForThisProcess } from './ports.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

/**
 * The admin API token every Callsight a test starts has (CALLSIGHT_AUTH_BOOTSTRAP_TOKEN), unless the
 * test passes its own environment for it.
 */
export const TEST_TOKEN = 'cs_test-bootstrap-token-0123456789';
export const TEST_AUTH: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_TOKEN}` };

/** fetch with the test admin token (and whatever headers `init` has). */
export function authFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { ...TEST_AUTH, ...(init.headers as Record<string, string> | undefined) },
  });
}

export interface RunningCallsight {
  readonly httpPort: number;
  readonly sipPort: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  readonly stderr: () => string;
  /** The JSON log lines it wrote (stdout). */
  readonly stdout: () => string;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code (null when it had to be killed after 90 s). */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly dataDir?: string;
  readonly httpPort?: number;
  readonly sipPort?: number;
  /**
   * `--role` on the command line (`sip`, `worker`, `gateway` or a comma list; default: none, i.e.
   * `all`). Every role answers /healthz on httpPort; only a sip role listens on sipPort.
   */
  readonly role?: string;
  /** RTP ports for a sip role (default: this test process's block). */
  readonly rtp?: { readonly min: number; readonly max: number };
  /** A command the node process is started through, e.g. `['taskset', '-c', '1']` (it must exec node). */
  readonly wrapper?: readonly string[];
}

/** Starts the built Callsight (dist/) as a child process on free ports and waits for /healthz. */
export async function startCallsight(options: StartOptions = {}): Promise<RunningCallsight> {
  const httpPort = options.httpPort ?? (await freePort());
  const sipPort = options.sipPort ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'callsight-test-'));
  const rtp = options.rtp ?? rtpRangeForThisProcess();
  const args = [MAIN, ...(options.role ? ['--role', options.role] : [])];
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command, [...prefix, ...args], {
    env: {
      ...process.env,
      CALLSIGHT_HTTP_HOST: '127.0.0.1',
      CALLSIGHT_HTTP_PORT: String(httpPort),
      CALLSIGHT_SIP_HOST: '127.0.0.1',
      CALLSIGHT_SIP_UDP_PORT: String(sipPort),
      CALLSIGHT_SIP_TCP_PORT: String(sipPort),
      CALLSIGHT_RTP_HOST: '127.0.0.1',
      CALLSIGHT_RTP_PORT_MIN: String(rtp.min),
      CALLSIGHT_RTP_PORT_MAX: String(rtp.max),
      CALLSIGHT_DATA_DIR: dataDir,
      CALLSIGHT_ASR_WORKERS: '2',
      LOG_LEVEL: process.env.CALLSIGHT_TEST_LOG_LEVEL ?? 'warn',
      CALLSIGHT_AUTH_BOOTSTRAP_TOKEN: TEST_TOKEN,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (process.env.CALLSIGHT_TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`callsight exited with ${child.exitCode} at start:\n${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`callsight did not become healthy in 30 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    httpPort,
    sipPort,
    dataDir,
    process: child,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      // A process that does not finish its shutdown in 90 s is killed (and the test sees null) rather
      // than holding the test until its timeout (e.g. one left stopped with SIGSTOP by a failed test).
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The first admin's password, from the banner of a first start (stdout). */
export function printedAdminPassword(callsight: RunningCallsight): string {
  const match = /sign in as\s+admin\s+with the password\s+(\S+)/.exec(callsight.stdout());
  if (!match) throw new Error(`no admin password in the banner:\n${callsight.stdout().slice(0, 2000)}`);
  return match[1]!;
}

/** Starts several Callsight processes at once (e.g. the roles of one installation); stops them all if one fails. */
export async function startCallsights(list: readonly StartOptions[]): Promise<RunningCallsight[]> {
  const started = await Promise.allSettled(list.map((options) => startCallsight(options)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.kill()] : [])));
    throw failed.reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<RunningCallsight>).value);
}

/** One SIP call from a SipCaller on loopback to `sipPort`, playing `samples`, until the caller hangs up. */
export async function placeCall(
  sipPort: number,
  samples: Int16Array,
  numbers: { readonly from?: string; readonly to?: string } = {},
): Promise<void> {
  const caller = await SipCaller.open('127.0.0.1');
  try {
    await caller.call({
      host: '127.0.0.1',
      port: sipPort,
      fromNumber: numbers.from ?? '+15555550100',
      toNumber: numbers.to ?? '+18005550100',
      samples,
      tailMs: 500,
    });
  } finally {
    caller.close();
  }
}
