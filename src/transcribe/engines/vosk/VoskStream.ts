import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { PcmFrame } from '../../../media/MediaTypes.js';
import { PIPELINE_SAMPLE_RATE } from '../../../media/MediaTypes.js';
import type { Logger } from '../../../platform/logger.js';
import { EngineStream, concatSamples, durationMs } from '../../EngineStream.js';
import { ReplayBuffer } from '../../ReplayBuffer.js';
import type { RecognizedWord } from '../../SpeechEngineTypes.js';
import { VOSK_EOF, voskAnswerSchema, voskConfig, type VoskAnswer } from './VoskMessages.js';

export interface VoskEngineOptions {
  readonly name: string;
  /** ws://host:port of the server (alphacephei vosk-server's websocket/asr_server.py). */
  readonly endpoint: string;
  readonly chunkMs: number;
  readonly reconnectAttempts: number;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly maxBufferedMs: number;
  readonly logger?: Logger;
}

export interface VoskStreamOptions extends Omit<VoskEngineOptions, 'name' | 'logger'> {
  readonly channel: number;
  readonly logger: Logger;
  /** Called once the stream is done with its connection (the engine forgets it). */
  readonly onClose: (stream: VoskStream) => void;
}

/** One audio message: its samples and where they start in the call. */
interface Chunk {
  readonly data: Buffer;
  readonly callStartMs: number;
  readonly ms: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * One channel on a Vosk server, over its own WebSocket (VoskMessages.ts has the protocol). Audio
 * goes in `chunkMs` messages; each is answered, in order, with a partial or a final. A dropped
 * connection is reopened after `reconnectInitialDelayMs`, doubling up to `reconnectMaxDelayMs`, at
 * most `reconnectAttempts` times in a row; the audio since the last final is sent again on the new
 * connection, so the open utterance is heard whole (and keeps its resultId). Vosk's times count
 * the audio sent on a connection: call time = the call time of that connection's first sample +
 * Vosk's time (frames reach a pipeline without gaps: lost packets are concealed).
 */
export class VoskStream extends EngineStream {
  readonly #options: VoskStreamOptions;
  readonly #replay = new ReplayBuffer();
  readonly #chunkSamples: number;
  #socket: WebSocket | null = null;
  #connected = false;
  #pending: Int16Array[] = [];
  #pendingSamples = 0;
  #pendingStartMs = 0;
  /** Messages waiting for a connection. */
  #outbox: Chunk[] = [];
  /** Audio (ms) of each message sent and not answered yet, in order. */
  #inFlight: number[] = [];
  /** Call time of the first sample sent on this connection. */
  #baseMs: number | null = null;
  #attempts = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #ending = false;
  #eofSent = false;
  #resultId: string | null = null;
  #lastPartial = '';
  #lastFinalEndMs: number | null = null;

  constructor(options: VoskStreamOptions) {
    super(options.channel, options.logger, {
      highWaterMs: options.maxBufferedMs / 2,
      maxBufferedMs: options.maxBufferedMs,
    });
    this.#options = options;
    this.#chunkSamples = (PIPELINE_SAMPLE_RATE / 1000) * options.chunkMs;
    this.#connect();
  }

  protected sendAudio(frame: PcmFrame): void {
    this.#replay.keep(frame);
    if (this.#pendingSamples === 0) this.#pendingStartMs = frame.offsetMs;
    this.#pending.push(frame.samples);
    this.#pendingSamples += frame.samples.length;
    if (this.#pendingSamples >= this.#chunkSamples) this.#queue(this.#takePending());
  }

  protected sendEnd(): void {
    this.#ending = true;
    if (this.#pendingSamples > 0) this.#queue(this.#takePending());
    this.#flush();
  }

  /** Closes the connection without a result (the engine is closing). */
  abort(): void {
    this.fail('the speech engine was closed');
  }

  protected override onFailed(): void {
    this.#stopReconnecting();
    this.#dropSocket();
    this.#options.onClose(this);
  }

  #takePending(): Chunk {
    const samples = concatSamples(this.#pending);
    this.#pending = [];
    this.#pendingSamples = 0;
    return { data: pcmBytes(samples), callStartMs: this.#pendingStartMs, ms: durationMs(samples) };
  }

  #queue(chunk: Chunk): void {
    this.#outbox.push(chunk);
    this.#flush();
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || !this.#connected) return;
    for (const chunk of this.#outbox.splice(0)) {
      this.#baseMs ??= chunk.callStartMs;
      socket.send(chunk.data);
      this.#inFlight.push(chunk.ms);
    }
    if (this.#ending && !this.#eofSent) {
      this.#eofSent = true;
      socket.send(VOSK_EOF);
    }
  }

  #connect(): void {
    this.#reconnectTimer = null;
    if (this.done) return;
    const socket = new WebSocket(this.#options.endpoint, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.#socket = socket;
    socket.on('open', () => {
      if (this.#socket !== socket) return;
      this.#connected = true;
      socket.send(voskConfig(PIPELINE_SAMPLE_RATE));
      this.#flush();
    });
    socket.on('message', (data, isBinary) => {
      if (this.#socket !== socket || isBinary) return;
      this.#onAnswer(rawText(data));
    });
    socket.on('error', (err) => this.#onDrop(socket, err.message));
    socket.on('close', (code) => this.#onDrop(socket, `connection closed (${code})`));
  }

  #onAnswer(text: string): void {
    let answer: VoskAnswer;
    try {
      answer = voskAnswerSchema.parse(JSON.parse(text));
    } catch {
      this.fail(`the Vosk server sent an answer that is not Vosk's: ${text.slice(0, 100)}`);
      return;
    }
    this.#attempts = 0;
    const answered = this.#inFlight.shift();
    if (answered !== undefined) this.processed(answered);
    if ('partial' in answer) this.#onPartial(answer.partial.trim());
    else this.#onFinal(answer);
    if (this.#eofSent && answered === undefined) {
      // The answer to eof: the last result is out.
      this.finished();
      this.#dropSocket();
      this.#options.onClose(this);
    }
  }

  #callMs(voskSeconds: number): number {
    return (this.#baseMs ?? 0) + voskSeconds * 1000;
  }

  /** Call time of the end of the audio written so far. */
  #heardMs(): number {
    const last = this.#replay.frames.at(-1);
    return last ? last.offsetMs + durationMs(last.samples) : (this.#lastFinalEndMs ?? 0);
  }

  #onPartial(transcript: string): void {
    if (transcript === '' || transcript === this.#lastPartial) return;
    this.#lastPartial = transcript;
    this.#resultId ??= randomUUID();
    const startMs = this.#lastFinalEndMs ?? this.#baseMs ?? 0;
    this.deliver({
      resultId: this.#resultId,
      channel: this.channel,
      isPartial: true,
      startMs,
      endMs: Math.max(startMs, this.#heardMs()),
      transcript,
      words: [],
    });
  }

  #onFinal(answer: {
    text: string;
    result?: { word: string; start: number; end: number; conf: number }[];
  }): void {
    const transcript = answer.text.trim();
    const resultId = this.#resultId;
    this.#resultId = null;
    this.#lastPartial = '';
    if (transcript === '' && resultId === null) return;
    const words: RecognizedWord[] = (answer.result ?? []).map((w) => ({
      word: w.word,
      startMs: this.#callMs(w.start),
      endMs: this.#callMs(w.end),
      confidence: Math.max(0, Math.min(1, w.conf)),
    }));
    const startMs = words[0]?.startMs ?? this.#lastFinalEndMs ?? this.#baseMs ?? 0;
    const endMs = words.at(-1)?.endMs ?? Math.max(startMs, this.#heardMs());
    this.#lastFinalEndMs = endMs;
    this.#replay.forget(endMs);
    this.deliver({
      resultId: resultId ?? randomUUID(),
      channel: this.channel,
      isPartial: false,
      startMs,
      endMs,
      transcript,
      words,
    });
  }

  #onDrop(socket: WebSocket, reason: string): void {
    if (this.#socket !== socket) return;
    this.#dropSocket();
    if (this.done) return;
    this.#attempts++;
    if (this.#attempts > this.#options.reconnectAttempts) {
      this.fail(`the Vosk server ${this.#options.endpoint} is unreachable: ${reason}`);
      return;
    }
    const { reconnectInitialDelayMs, reconnectMaxDelayMs } = this.#options;
    const delay = Math.min(reconnectMaxDelayMs, reconnectInitialDelayMs * 2 ** (this.#attempts - 1));
    this.logger.warn(
      { reason, attempt: this.#attempts, delayMs: delay },
      'Vosk connection lost; reconnecting',
    );
    // Everything since the last final is heard again on the new connection.
    this.#outbox = this.#replay.frames.map((f) => ({
      data: pcmBytes(f.samples),
      callStartMs: f.offsetMs,
      ms: durationMs(f.samples),
    }));
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#eofSent = false;
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#connected = false;
    this.#inFlight = [];
    this.#baseMs = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.terminate();
  }

  #stopReconnecting(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }
}

function pcmBytes(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
