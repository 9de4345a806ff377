import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { AccessControl } from '../../src/access/AccessControl.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { CallsightError } from '../../src/platform/errors.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import type { DataStream } from '../../src/stream/StreamTypes.js';
import { CHROMIUM } from './browser.js';

/** The built web app (npm run build). */
export const WEB_DIST = new URL('../../web/dist/', import.meta.url).pathname;

/** Why a test of the built page in Chromium cannot run here, or false when it can. */
export function pageTestSkipReason(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (scripts/ensure-deps.sh --test)`;
  if (!existsSync(`${WEB_DIST}index.html`)) return 'web/dist is not built (npm run build)';
  return false;
}

/** Appends a record as the pipeline would, keyed by its type and call. */
export function appendRecord(stream: DataStream, record: object): Promise<string> {
  const r = record as { 'detail-type'?: string; detail?: { callId?: string }; metadata?: string };
  let callId = r.detail?.callId ?? null;
  if (!callId && typeof r.metadata === 'string')
    callId = (JSON.parse(r.metadata) as { callId?: string }).callId ?? null;
  return stream.append(record, { type: r['detail-type'] ?? 'Summarization', callId });
}

export interface Gateway {
  readonly url: string;
  readonly stream: SqliteDataStream;
  /** Post-call documents served at GET /api/calls/{callId}/analytics, as Callsight's API serves them. */
  readonly postCall: Map<string, object>;
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
  const postCall = new Map<string, object>();
  const http = await HttpServer.start({
    access: AccessControl.none(),
    stream,
    webRoot: WEB_DIST,
    maxBufferedBytes: 64 * 1024 * 1024,
    // Read-only routes of Callsight's API the page uses, over this harness's own data (it has no SIP
    // side, so no call is ever active).
    routes: (app) => {
      app.get('/api/stream', async () => ({ lastSequenceNumber: stream.lastSequence() }));
      app.get('/api/calls', async () => ({ calls: [] }));
      app.get<{ Params: { callId: string } }>('/api/calls/:callId/analytics', (request) => {
        const document = postCall.get(request.params.callId);
        if (!document) throw new CallsightError('CS_ERR_NOT_FOUND', 'no post-call analytics');
        return document;
      });
    },
  });
  http.setReady(true);
  return {
    url: `http://127.0.0.1:${http.port}`,
    stream,
    postCall,
    append: (record) => appendRecord(stream, record),
    async close() {
      await http.close();
      await stream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
