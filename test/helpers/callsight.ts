import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, rtpRangeForThisProcess } from './ports.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;

export interface RunningCallsight {
  readonly httpPort: number;
  readonly sipPort: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  readonly stderr: () => string;
  /** The JSON log lines it wrote (stdout). */
  readonly stdout: () => string;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly dataDir?: string;
  readonly httpPort?: number;
  readonly sipPort?: number;
}

/** Starts the built Callsight (dist/) as a child process on free ports and waits for /healthz. */
export async function startCallsight(options: StartOptions = {}): Promise<RunningCallsight> {
  const httpPort = options.httpPort ?? (await freePort());
  const sipPort = options.sipPort ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'callsight-test-'));
  const rtp = rtpRangeForThisProcess();
  const child = spawn(process.execPath, [MAIN], {
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
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
