import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { parseWav } from '../../../src/media/wav/WavFile.js';
import type { RecognizerBackend } from './RecognizerBackend.js';

/** What one request carried (for assertions). */
export interface RecordedTranscription {
  readonly fields: Readonly<Record<string, string[]>>;
  readonly fileName: string;
  readonly mimeType: string;
  readonly sampleRate: number;
  readonly durationMs: number;
  readonly authorization: string | undefined;
}

/**
 * `POST /v1/audio/transcriptions` as OpenAI documents it (API reference, "Create transcription"):
 * multipart/form-data with `file` and `model` required; `language`, `prompt`, `temperature`,
 * `response_format` (`json`, `text`, `verbose_json`, …) and `timestamp_granularities[]` (`word`,
 * `segment`; verbose_json only) optional; a Bearer key; errors as `{ error: { message, type } }`.
 * verbose_json answers `{ task, language, duration, text, segments[], words[] }` with times in
 * seconds. Recognition is real (pocketsphinx).
 */
export class OpenAiTranscriptionServer {
  readonly requests: RecordedTranscription[] = [];
  /** Most requests seen running at once. */
  maxConcurrent = 0;
  /** While true, every request is answered 503. */
  failing = false;
  readonly #backend: RecognizerBackend;
  readonly #apiKey: string | undefined;
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  #active = 0;

  constructor(backend: RecognizerBackend, options: { apiKey?: string } = {}) {
    this.#backend = backend;
    this.#apiKey = options.apiKey;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1/audio/transcriptions`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#active++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.#active);
    try {
      if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions')
        return error(res, 404, 'Not found');
      if (this.#apiKey && req.headers.authorization !== `Bearer ${this.#apiKey}`)
        return error(res, 401, 'Incorrect API key provided', 'invalid_request_error');
      const { fields, file } = await parseMultipart(req);
      if (!file) return error(res, 400, "Missing required parameter: 'file'.");
      if (!fields.model?.[0]) return error(res, 400, "Missing required parameter: 'model'.");
      const wav = parseWav(file.data, file.name);
      this.requests.push({
        fields,
        fileName: file.name,
        mimeType: file.mimeType,
        sampleRate: wav.sampleRate,
        durationMs: wav.samples.length / (wav.sampleRate / 1000),
        authorization: req.headers.authorization,
      });
      if (this.failing) return error(res, 503, 'The server is overloaded', 'server_error');
      const finals = await this.#backend.recognize(wav.samples);
      const text = finals.map((f) => f.transcript).join(' ');
      const format = fields.response_format?.[0] ?? 'json';
      if (format === 'json') return json(res, { text });
      if (format !== 'verbose_json') return error(res, 400, `response_format ${format} is not served here`);
      const granularities = fields['timestamp_granularities[]'] ?? ['segment'];
      const words = finals.flatMap((f) =>
        f.words.map((w) => ({ word: w.word, start: w.startMs / 1000, end: w.endMs / 1000 })),
      );
      return json(res, {
        task: 'transcribe',
        language: 'english',
        duration: wav.samples.length / wav.sampleRate,
        text,
        ...(granularities.includes('segment')
          ? {
              segments: finals.map((f, id) => ({
                id,
                start: f.startMs / 1000,
                end: f.endMs / 1000,
                text: f.transcript,
                avg_logprob: Math.log(Math.max(1e-6, mean(f.words.map((w) => w.confidence)))),
              })),
            }
          : {}),
        ...(granularities.includes('word') ? { words } : {}),
      });
    } catch (err) {
      error(res, 400, (err as Error).message);
    } finally {
      this.#active--;
    }
  }
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, message: string, type = 'invalid_request_error'): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

function parseMultipart(req: IncomingMessage): Promise<{
  fields: Record<string, string[]>;
  file: { name: string; mimeType: string; data: Buffer } | null;
}> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string[]> = {};
    let file: { name: string; mimeType: string; data: Buffer } | null = null;
    const parser = busboy({ headers: req.headers });
    parser.on('field', (name, value) => (fields[name] ??= []).push(value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (name === 'file')
          file = { name: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(chunks) };
      });
    });
    parser.on('close', () => resolve({ fields, file }));
    parser.on('error', reject);
    req.pipe(parser);
  });
}
