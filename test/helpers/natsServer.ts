import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { freePort } from './ports.js';

/**
 * A NATS server with JetStream for a test file. Preferred: a private `nats-server -js` on a free
 * loopback port with its own store folder, so tests never meet other users of a shared server and can
 * kill and restart it. Without the binary, the shared server (CALLSIGHT_TEST_NATS_URL, else
 * 127.0.0.1:4222) if one answers — tests then use unique stream names and subjects. Without either,
 * `skip` says why, loudly.
 */
export interface NatsServer {
  readonly url: string;
  /** True for a server this test started (it can be killed and restarted). */
  readonly private: boolean;
  /** SIGKILL the server, as a crash would (private servers only). */
  kill(): Promise<void>;
  /** Start it again on the same port and store folder (private servers only). */
  restart(): Promise<void>;
  /** Stop it and remove its store (private); nothing for a shared server. */
  stop(): Promise<void>;
}

export type NatsServerOrSkip = { server: NatsServer; skip: false } | { server: null; skip: string };

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

function findBinary(): string | null {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const onPath = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  return CANDIDATES.find((c) => existsSync(c)) ?? null;
}

/** Resolves once something on host:port sends the NATS INFO banner. */
async function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (data) => finish(data.toString().startsWith('INFO')));
    socket.once('error', () => finish(false));
  });
}

async function waitForServer(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}:\n${log()}`);
    if (await answers('127.0.0.1', port, 500)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not answer on ${port} within 10 s:\n${log()}`);
}

async function startPrivate(binary: string): Promise<NatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'callsight-nats-'));
  let child: ChildProcess;
  let log = '';
  const launch = async () => {
    log = '';
    child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitForServer(port, child, () => log);
  };
  const exit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    private: true,
    kill: () => exit('SIGKILL'),
    restart: launch,
    async stop() {
      await exit('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export async function startNatsServer(): Promise<NatsServerOrSkip> {
  const binary = findBinary();
  if (binary) return { server: await startPrivate(binary), skip: false };
  const shared = new URL(process.env.CALLSIGHT_TEST_NATS_URL ?? 'nats://127.0.0.1:4222');
  if (await answers(shared.hostname, Number(shared.port || 4222), 2000)) {
    const url = shared.toString().replace(/\/$/, '');
    const refuse = async () => {
      throw new Error('the shared NATS server cannot be killed or restarted by a test');
    };
    return {
      server: { url, private: false, kill: refuse, restart: refuse, stop: async () => {} },
      skip: false,
    };
  }
  const reason =
    'NATS SKIPPED: no nats-server binary (apt-get install nats-server, or scripts/ensure-deps.sh --test as root) ' +
    'and no server answering at ' +
    shared.host;
  process.stderr.write(`\n${'!'.repeat(100)}\n!! ${reason}\n${'!'.repeat(100)}\n\n`);
  return { server: null, skip: reason };
}

/** A name no other test run uses, for streams and subject prefixes on a shared server. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export interface NatsServerForFile {
  /** Why the file's NATS tests skip, or false once the server is there. */
  skip(): string | false;
  /** The server's URL (only once skip() is false). */
  url(): string;
}

/** The usual set-up of a file of NATS tests: a server started before the file's tests, stopped after them. */
export function useNatsServer(): NatsServerForFile {
  let server: NatsServer | null = null;
  let skipReason: string | false = 'NATS not started yet';
  before(async () => {
    const started = await startNatsServer();
    server = started.server;
    skipReason = started.skip;
  });
  after(async () => {
    await server?.stop();
  });
  return { skip: () => skipReason, url: () => server!.url };
}
