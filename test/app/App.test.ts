import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCallsights } from '../helpers/callsight.js';
import { uniqueName, useNatsServer } from '../helpers/natsServer.js';
import { freePort } from '../helpers/ports.js';
import { useTestDatabase } from '../helpers/postgres.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;
/** Far more than closing takes (a few seconds); a process still running then hangs on what it opened. */
const EXIT_DEADLINE_MS = 60_000;

const database = useTestDatabase();
const nats = useNatsServer();

/** A port held by this test (UDP, or TCP), so that Callsight cannot bind it: its start fails there. */
async function takenPort(kind: 'udp' | 'tcp'): Promise<{ port: number; close(): void }> {
  if (kind === 'udp') {
    const socket: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return { port: socket.address().port, close: () => socket.close() };
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs Callsight until it exits (or EXIT_DEADLINE_MS, then SIGKILL: code null). SIP and HTTP on free ports unless env says. */
async function runToExit(role: string | null, env: Record<string, string>): Promise<Exited> {
  const child = spawn(process.execPath, [MAIN, ...(role ? ['--role', role] : [])], {
    env: {
      ...process.env,
      CALLSIGHT_HTTP_HOST: '127.0.0.1',
      CALLSIGHT_HTTP_PORT: '0',
      CALLSIGHT_SIP_HOST: '127.0.0.1',
      CALLSIGHT_SIP_UDP_PORT: '0',
      CALLSIGHT_SIP_TCP_PORT: '0',
      CALLSIGHT_RTP_HOST: '127.0.0.1',
      CALLSIGHT_DATA_DIR: mkdtempSync(join(tmpdir(), 'callsight-start-')),
      CALLSIGHT_ASR_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** With `port` taken (UDP or TCP), Callsight is started with that port for `settings`. */
async function runWithPortTaken(
  kind: 'udp' | 'tcp',
  settings: readonly string[],
  role: string | null = null,
  env: Record<string, string> = {},
): Promise<Exited> {
  const held = await takenPort(kind);
  try {
    return await runToExit(role, {
      ...Object.fromEntries(settings.map((name) => [name, String(held.port)])),
      ...env,
    });
  } finally {
    held.close();
  }
}

/**
 * Exit code 1 (not hung), and one line on stderr: the reason, naming the setting to change. Each
 * start's time to exit is printed for the record.
 */
function assertLoudExit(run: Exited, reason: RegExp, what: string): void {
  const log = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.equal(run.code, 1, `exit code (null: it hung)\n${log.join('\n')}\n${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^callsight: could not start: /);
  assert.match(lines[0]!, reason);
  assert.ok(!log.includes('callsight ready'), 'never ready');
  process.stderr.write(`start failure (${what}): exit ${run.code} after ${run.ms} ms\n`);
}

/** What a start that fails half-way had opened is closed again: the data stream among them. */
function assertClosed(run: Exited): void {
  // Not checked against the fatal line's place: pino writes that one synchronously, and it can overtake
  // a line still being written.
  const log = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.ok(log.includes('data stream closed'), log.join('\n'));
}

const UDP_IN_USE =
  /the SIP UDP port 127\.0\.0\.1:\d+ is in use by another process: stop it, or set sip\.udpPort \(CALLSIGHT_SIP_UDP_PORT\) to a free port$/;

describe('a start that fails half-way (the SIP port is taken)', () => {
  test('role all closes what it had opened, the data stream among them, and exits with code 1', async () => {
    const run = await runWithPortTaken('udp', ['CALLSIGHT_SIP_UDP_PORT', 'CALLSIGHT_SIP_TCP_PORT']);
    assertLoudExit(run, UDP_IN_USE, 'SIP UDP port in use');
    assertClosed(run);
  });

  test('a misspelt CALLSIGHT_ variable is named in a warning at start, its value never', async () => {
    const run = await runWithPortTaken('udp', ['CALLSIGHT_SIP_UDP_PORT', 'CALLSIGHT_SIP_TCP_PORT'], null, {
      CALLSIGHT_SIP_PORT: 'typo-value',
    });
    const warning = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; variables?: string[] })
      .find((line) => line.msg.startsWith('ignoring environment variables'));
    assert.ok(warning, run.stdout);
    assert.equal(warning.level, 40);
    assert.deepEqual(warning.variables, ['CALLSIGHT_SIP_PORT']);
    assert.doesNotMatch(run.stdout + run.stderr, /typo-value/);
  });

  test('roles sip,worker on NATS and PostgreSQL close what they had opened and exit with code 1', async (t) => {
    const skip = nats.skip() || database.skip();
    if (skip) return t.skip(skip);
    const name = uniqueName('start').toLowerCase();
    const run = await runWithPortTaken(
      'udp',
      ['CALLSIGHT_SIP_UDP_PORT', 'CALLSIGHT_SIP_TCP_PORT'],
      'sip,worker',
      {
        CALLSIGHT_STREAM_BACKEND: 'jetstream',
        CALLSIGHT_NATS_URL: nats.url(),
        CALLSIGHT_NATS_NAMESPACE: name,
        CALLSIGHT_DATABASE_BACKEND: 'postgres',
        CALLSIGHT_DATABASE_URL: database.url(),
      },
    );
    assertLoudExit(run, UDP_IN_USE, 'SIP UDP port in use, sip,worker');
    assertClosed(run);
  });
});

describe('loud failures at start: exit code 1 within seconds, one message naming the setting', () => {
  test('the SIP TCP port in use', async () => {
    const run = await runWithPortTaken('tcp', ['CALLSIGHT_SIP_UDP_PORT', 'CALLSIGHT_SIP_TCP_PORT']);
    assertLoudExit(
      run,
      /the SIP TCP port 127\.0\.0\.1:\d+ is in use by another process: stop it, or set sip\.tcpPort \(CALLSIGHT_SIP_TCP_PORT\)/,
      'SIP TCP port in use',
    );
  });

  test('the HTTP port in use (role all: SIP was listening already)', async () => {
    const all = await runWithPortTaken('tcp', ['CALLSIGHT_HTTP_PORT']);
    assertLoudExit(
      all,
      /the HTTP port 127\.0\.0\.1:\d+ is in use by another process: stop it, or set http\.port \(CALLSIGHT_HTTP_PORT\)/,
      'HTTP port in use',
    );
    assertClosed(all);
  });

  test('a data folder that cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsight-start-'));
    // A file where the folder should be: refused even to root, which permissions would not stop.
    writeFileSync(join(dir, 'file'), '');
    const run = await runToExit(null, { CALLSIGHT_DATA_DIR: join(dir, 'file', 'data') });
    assertLoudExit(
      run,
      /the folder .*file\/data cannot be written \(.*ENOTDIR.*\): give this process write access to it, or set dataDir \(CALLSIGHT_DATA_DIR\)$/,
      'data folder not writable',
    );
  });

  test('the speech model missing', async () => {
    const run = await runToExit(null, {
      CALLSIGHT_ASR_ENABLED: 'true',
      CALLSIGHT_ASR_MODEL_DIR: mkdtempSync(join(tmpdir(), 'callsight-no-model-')),
    });
    assertLoudExit(
      run,
      /the speech model is missing \(.*en-us, .*en-us\.lm\.bin, .*cmudict-en-us\.dict\): install it .*, set asr\.modelDir \(CALLSIGHT_ASR_MODEL_DIR\) to the folder that has it, or turn speech recognition off with asr\.enabled \(CALLSIGHT_ASR_ENABLED\) false$/,
      'speech model missing',
    );
  });

  test('NATS unreachable (a worker)', async () => {
    const run = await runToExit('worker', {
      CALLSIGHT_STREAM_BACKEND: 'jetstream',
      CALLSIGHT_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
      CALLSIGHT_DATABASE_BACKEND: 'postgres',
    });
    assertLoudExit(
      run,
      /NATS.*: check that it runs and nats\.url \(CALLSIGHT_NATS_URL\)$/,
      'NATS unreachable',
    );
  });

  test('PostgreSQL unreachable (a gateway)', async (t) => {
    const skip = nats.skip();
    if (skip) return t.skip(skip);
    const run = await runToExit('gateway', {
      CALLSIGHT_STREAM_BACKEND: 'jetstream',
      CALLSIGHT_NATS_URL: nats.url(),
      CALLSIGHT_NATS_NAMESPACE: uniqueName('start').toLowerCase(),
      CALLSIGHT_DATABASE_BACKEND: 'postgres',
      CALLSIGHT_DATABASE_URL: `postgres://callsight:secret@127.0.0.1:${await freePort()}/callsight`,
    });
    assertLoudExit(
      run,
      /postgres:\/\/callsight:\*\*\*@127\.0\.0\.1:\d+\/callsight.*: check that it runs and database\.url \(CALLSIGHT_DATABASE_URL\)$/,
      'PostgreSQL unreachable',
    );
    assert.ok(!run.stdout.includes('secret') && !run.stderr.includes('secret'), 'no password');
  });
});

describe('roles started at the same moment against a PostgreSQL database that does not exist yet', () => {
  test('two workers, a sip and a gateway all start (the database, tables, streams and consumers made once)', async (t) => {
    const skip = nats.skip() || database.skip();
    if (skip) return t.skip(skip);
    const url = new URL(database.url());
    const name = `${url.pathname.slice(1)}_fresh`;
    url.pathname = `/${name}`;
    const namespace = uniqueName('fresh').toLowerCase();
    const env = {
      CALLSIGHT_STREAM_BACKEND: 'jetstream',
      CALLSIGHT_NATS_URL: nats.url(),
      CALLSIGHT_NATS_NAMESPACE: namespace,
      CALLSIGHT_NATS_STREAM: namespace.toUpperCase(),
      CALLSIGHT_NATS_SUBJECT_PREFIX: `${namespace}-records`,
      CALLSIGHT_DATABASE_BACKEND: 'postgres',
      CALLSIGHT_DATABASE_URL: url.toString(),
      CALLSIGHT_ASR_ENABLED: 'false',
    };
    try {
      const started = await startCallsights(
        ['worker', 'worker', 'sip', 'gateway'].map((role) => ({ role, env })),
      );
      const codes = [];
      for (const process of started) codes.push(await process.stop());
      assert.deepEqual(codes, [0, 0, 0, 0]);
    } finally {
      const admin = new pg.Client({ connectionString: database.url().replace(/\/[^/]*$/, '/postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
