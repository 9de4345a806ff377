import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface TestClient {
  readonly ws: WebSocket;
  readonly frames: string[];
  /** The raw TCP socket under the client, for pausing it. */
  socket: Socket | null;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once at least n frames arrived. */
  waitForFrames(n: number, timeoutMs?: number): Promise<string[]>;
}

export async function connect(port: number, query = '', options: ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${query}`, options);
  const frames: string[] = [];
  const listeners = new Set<() => void>();
  const client: TestClient = {
    ws,
    frames,
    socket: null,
    closed: new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
    waitForFrames: (n, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (frames.length < n) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(frames);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`only ${frames.length} of ${n} frames arrived`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
  ws.on('upgrade', (res) => {
    client.socket = res.socket;
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) throw new Error('gateway sent a binary frame');
    frames.push((data as Buffer).toString('utf8'));
    for (const check of [...listeners]) check();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
