import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Settings } from '../../src/recording/RecordingStoreTypes.js';
import { freePort } from './ports.js';

/**
 * A real S3-compatible server for tests: s3rver (the npm package `@20minutes/s3rver`, a maintained
 * fork of s3rver for current Node.js), run as a child process on 127.0.0.1 with one bucket and an
 * access key of the test's own.
 *
 * It runs with `allowMismatchedSignatures`: s3rver drops the trailing slash of bucket-level paths
 * (`GET /bucket/?list-type=2`) before checking SigV4, so the AWS SDK's correct signatures of
 * ListObjectsV2 would be refused; object requests are signed the same way and verify. The access
 * key id is still checked.
 */
export interface S3TestServer {
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  /** Settings for RecordingStore (path-style, the test's key pair). */
  readonly settings: S3Settings;
  readonly process: ChildProcess;
  /** SIGTERM and wait for the exit; the data folder is removed unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface S3ServerOptions {
  readonly bucket?: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Where objects are kept (default: a new temporary folder). */
  readonly dir?: string;
}

const SERVER_SCRIPT = `
const S3rver = require('@20minutes/s3rver');
require('@20minutes/s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(process.env.S3_KEY_ID, process.env.S3_SECRET);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.S3_PORT),
  directory: process.env.S3_DIR,
  silent: true,
  allowMismatchedSignatures: true,
  configureBuckets: [{ name: process.env.S3_BUCKET, configs: [] }],
});
server.run().then(({ port }) => process.stdout.write('listening ' + port + '\\n'));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`;

export const S3_TEST_ACCESS_KEY_ID = 'callsight-test-key';
export const S3_TEST_SECRET = 'callsight-test-secret-7f3a9c';

/** Why the S3 server cannot be had here, or null when it can. */
export function s3ServerUnavailable(): string | null {
  try {
    createRequire(import.meta.url).resolve('@20minutes/s3rver');
    return null;
  } catch {
    return 'the npm package @20minutes/s3rver is not installed (npm ci installs it: it is a devDependency)';
  }
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const reason = s3ServerUnavailable();
  if (reason) throw new Error(reason);
  const bucket = options.bucket ?? 'recordings';
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'callsight-s3-'));
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: {
      ...process.env,
      S3_PORT: String(port),
      S3_DIR: dir,
      S3_BUCKET: bucket,
      S3_KEY_ID: S3_TEST_ACCESS_KEY_ID,
      S3_SECRET: S3_TEST_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 10 s:\n${stderr}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}:\n${stderr}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    process: child,
    settings: {
      endpoint,
      bucket,
      region: 'us-east-1',
      accessKeyId: S3_TEST_ACCESS_KEY_ID,
      secretAccessKey: S3_TEST_SECRET,
      forcePathStyle: true,
    },
    async stop(stopOptions = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (!stopOptions.keepData && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
