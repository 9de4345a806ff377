import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';

/** The built web app (npm run build). */
export const WEB_DIST = new URL('../../web/dist/', import.meta.url).pathname;

export interface Gateway {
  readonly url: string;
  readonly stream: SqliteDataStream;
  /** Appends a record as the pipeline would, keyed by its type and call. */
  append(record: object): Promise<string>;
  close(): Promise<void>;
}

/**
 * Callsight's real gateway (HTTP, WebSocket fan-out, static files) over a real data stream, without
 * SIP or speech recognition: for feeding the web app records Callsight does not produce yet, and
 * for feeding it at rates no handful of test calls reaches.
 */
export async function startGateway(): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-web-'));
  const stream = SqliteDataStream.open({ path: join(dir, 'stream.db') });
  const http = await HttpServer.start({ stream, webRoot: WEB_DIST, maxBufferedBytes: 64 * 1024 * 1024 });
  http.setReady(true);
  return {
    url: `http://127.0.0.1:${http.port}`,
    stream,
    append(record) {
      const r = record as { 'detail-type'?: string; detail?: { callId?: string }; metadata?: string };
      let callId = r.detail?.callId ?? null;
      if (!callId && typeof r.metadata === 'string') callId = (JSON.parse(r.metadata) as { callId?: string }).callId ?? null;
      return stream.append(record, { type: r['detail-type'] ?? 'Summarization', callId });
    },
    async close() {
      await http.close();
      await stream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
