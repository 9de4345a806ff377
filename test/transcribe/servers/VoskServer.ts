import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { RecognitionResult } from '../../../src/transcribe/SpeechEngineTypes.js';
import type { RecognizerBackend } from './RecognizerBackend.js';

/**
 * A server speaking alphacephei vosk-server's WebSocket protocol (websocket/asr_server.py, README):
 * an optional text `{"config": {"sample_rate": …}}` first, then binary 16-bit PCM messages, each
 * answered — in order, exactly once — with `{"partial": "…"}` or, when an utterance has ended,
 * `{"result": [{"word","start","end","conf"}], "text": "…"}`; the text `{"eof" : 1}` is answered
 * with the final result and ends the session. Recognition is real (pocketsphinx), so a final is
 * answered to the first audio message after pocketsphinx produced it, as Vosk's own endpointer lags.
 */
export class VoskServer {
  /** Connections accepted so far. */
  connections = 0;
  /** Config messages received. */
  readonly configs: unknown[] = [];
  /** Drop the next connection after this many audio messages (once). */
  dropAfterMessages: number | null = null;
  readonly #backend: RecognizerBackend;
  readonly #wss: WebSocketServer;

  /** `port` 0: any free port. */
  constructor(backend: RecognizerBackend, port = 0) {
    this.#backend = backend;
    this.#wss = new WebSocketServer({ host: '127.0.0.1', port });
    this.#wss.on('connection', (socket) => this.#session(socket));
  }

  async listen(): Promise<string> {
    if (!this.#wss.address()) await new Promise<void>((resolve) => this.#wss.once('listening', resolve));
    const { port } = this.#wss.address() as AddressInfo;
    return `ws://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #session(socket: WebSocket): void {
    this.connections++;
    const finals: RecognitionResult[] = [];
    let partial = '';
    const session = this.#backend.open((r) => {
      if (r.isPartial) partial = r.transcript;
      else {
        finals.push(r);
        partial = '';
      }
    });
    let messages = 0;
    const drop = this.dropAfterMessages;
    // Answers go out in the order the messages came, whatever they wait for.
    let answered = Promise.resolve();
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        const text = rawText(data);
        if (text === '{"eof" : 1}') {
          answered = answered.then(async () => {
            await session.end();
            socket.send(JSON.stringify(resultOf(finals.splice(0))));
            socket.close();
          });
          return;
        }
        this.configs.push((JSON.parse(text) as { config: unknown }).config);
        return;
      }
      messages++;
      if (drop !== null && messages > drop) {
        this.dropAfterMessages = null;
        socket.terminate();
        return;
      }
      session.write(pcm(data));
      // Like Vosk, answer once this audio is decoded (bounded: see caughtUp).
      answered = answered.then(async () => {
        await session.caughtUp(30);
        const ready = finals.shift();
        socket.send(JSON.stringify(ready ? resultOf([ready]) : { partial }));
      });
    });
    socket.on('close', () => void session.end().catch(() => undefined));
  }
}

/** One Vosk result from pocketsphinx finals (times are already seconds since the session's start ×1000). */
function resultOf(finals: RecognitionResult[]): object {
  const words = finals.flatMap((f) => f.words);
  if (words.length === 0) return { text: '' };
  return {
    result: words.map((w) => ({
      conf: w.confidence,
      end: w.endMs / 1000,
      start: w.startMs / 1000,
      word: w.word,
    })),
    text: words.map((w) => w.word).join(' '),
  };
}

function pcm(data: RawData): Int16Array {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  const out = new Int16Array(buf.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

function rawText(data: RawData): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
}
