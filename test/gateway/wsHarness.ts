import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * One HTTP request with the path sent as written (fetch would normalise `..` and `%2e%2e` away) and
 * only the headers given (fetch adds its own Accept-Encoding and decompresses).
 */
export function rawRequest(
  port: number,
  requestPath: string,
  headers: http.OutgoingHttpHeaders = {},
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path: requestPath, method, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
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

/** The HTTP answer to an upgrade the gateway refuses: its status and JSON body. */
export function refusedUpgradeAt(
  port: number,
  pathAndQuery: string,
  options: ClientOptions = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, options);
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
      );
    });
    ws.on('open', () => reject(new Error('upgrade accepted')));
  });
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
