import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCallsights } from '../helpers/callsight.js';
import { uniqueName, useNatsServer } from '../helpers/natsServer.js';
import { useTestDatabase } from '../helpers/postgres.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;
/** Far more than closing takes (a few seconds); a process still running then hangs on what it opened. */
const EXIT_DEADLINE_MS = 60_000;

const database = useTestDatabase();
const nats = useNatsServer();

/** A UDP port held by this test, so that Callsight's SIP cannot bind it: its start fails there. */
async function takenPort(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** Runs Callsight until it exits (or EXIT_DEADLINE_MS, then SIGKILL: code null). */
async function runToExit(
  role: string | null,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const held = await takenPort();
  const port = String(held.address().port);
  const child = spawn(process.execPath, [MAIN, ...(role ? ['--role', role] : [])], {
    env: {
      ...process.env,
      CALLSIGHT_HTTP_HOST: '127.0.0.1',
      CALLSIGHT_HTTP_PORT: '0',
      CALLSIGHT_SIP_HOST: '127.0.0.1',
      CALLSIGHT_SIP_UDP_PORT: port,
      CALLSIGHT_SIP_TCP_PORT: port,
      CALLSIGHT_RTP_HOST: '127.0.0.1',
      CALLSIGHT_DATA_DIR: mkdtempSync(join(tmpdir(), 'callsight-start-')),
      CALLSIGHT_ASR_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  held.close();
  return { code, stdout, stderr };
}

/** Exit code 1 with the bind error, and the data stream (opened early) closed again. */
function assertClosedAndExited(run: { code: number | null; stdout: string; stderr: string }): void {
  const log = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.equal(run.code, 1, `exit code (null: it hung)\n${log.join('\n')}\n${run.stderr}`);
  assert.match(run.stderr, /could not start: bind EADDRINUSE/);
  // Not checked against the fatal line's place: pino writes that one synchronously, and it can overtake
  // a line still being written.
  assert.ok(log.includes('data stream closed'), log.join('\n'));
}

describe('a start that fails half-way (the SIP port is taken)', () => {
  test('role all closes what it had opened, the data stream among them, and exits with code 1', async () => {
    assertClosedAndExited(await runToExit(null, {}));
  });

  test('roles sip,worker on NATS and PostgreSQL close what they had opened and exit with code 1', async (t) => {
    const skip = nats.skip() || database.skip();
    if (skip) return t.skip(skip);
    const name = uniqueName('start').toLowerCase();
    const exited = await runToExit('sip,worker', {
      CALLSIGHT_STREAM_BACKEND: 'jetstream',
      CALLSIGHT_NATS_URL: nats.url(),
      CALLSIGHT_NATS_NAMESPACE: name,
      CALLSIGHT_DATABASE_BACKEND: 'postgres',
      CALLSIGHT_DATABASE_URL: database.url(),
    });
    assertClosedAndExited(exited);
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
