/*
 * Audio replay after a failover. The sip process keeps the last few seconds of every call's audio
 * messages (as sent, AudioWire.ts); a worker that takes a pipeline over asks for them from the media
 * time where the previous worker's transcript stopped being final, so that the audio the dead worker
 * had received but not yet recognised, and the audio sent while no worker listened, are recognised
 * after all. The reply is one NATS message:
 *
 *     [ length (u32, LE) | audio message ] …   oldest first, frames only
 */
import { FRAME_HEADER_BYTES } from './AudioWire.js';

/**
 * How much of each call's audio the sip process keeps: a failover takes at most AckWait, and the
 * worker that died may have been a few seconds behind the audio in its recognition.
 */
export function replayWindowMs(jobAckWaitMs: number): number {
  return jobAckWaitMs + 6000;
}

/** Where a replay starts, per channel: the media time (ms from the call's start) of its first frame. */
export type ReplayFrom = ReadonlyMap<number, number>;

const TRIM_SLACK_MS = 1000;

interface BufferedMessage {
  readonly channel: number;
  readonly offsetMs: number;
  readonly bytes: Uint8Array;
}

/** The sip side: each call's recent audio messages, bounded by media time. */
export class AudioReplayBuffer {
  readonly #windowMs: number;
  readonly #calls = new Map<string, BufferedMessage[]>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Keeps a frame message (AudioWire kind 1) of the call; older ones beyond the window go. */
  add(callId: string, channel: number, offsetMs: number, bytes: Uint8Array): void {
    if (this.#windowMs <= 0) return;
    let messages = this.#calls.get(callId);
    if (!messages) this.#calls.set(callId, (messages = []));
    messages.push({ channel, offsetMs, bytes });
    // Trimmed a second's worth at a time, so that most frames only look at the oldest one; since()
    // applies the window exactly.
    const oldest = offsetMs - this.#windowMs;
    if (messages[0]!.offsetMs >= oldest - TRIM_SLACK_MS) return;
    let drop = 1;
    while (messages[drop]!.offsetMs < oldest) drop++;
    messages.splice(0, drop);
  }

  has(callId: string): boolean {
    return this.#calls.has(callId);
  }

  /** The call's frames at or after `from` (channels not in it: none), oldest first, at most maxBytes. */
  since(callId: string, from: ReplayFrom, maxBytes: number): Uint8Array[] {
    const messages = this.#calls.get(callId) ?? [];
    const oldest = (messages.at(-1)?.offsetMs ?? 0) - this.#windowMs;
    const chosen: Uint8Array[] = [];
    let bytes = 0;
    // Newest first, so that a reply too large for one message keeps the most recent audio.
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i]!;
      const start = from.get(message.channel);
      if (start === undefined || message.offsetMs < start || message.offsetMs < oldest) continue;
      bytes += message.bytes.length + 4;
      if (bytes > maxBytes) break;
      chosen.push(message.bytes);
    }
    return chosen.reverse();
  }

  delete(callId: string): void {
    this.#calls.delete(callId);
  }
}

export function encodeReplay(messages: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + 4 + m.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const message of messages) {
    view.setUint32(at, message.length, true);
    out.set(message, at + 4);
    at += 4 + message.length;
  }
  return out;
}

/** The audio messages of a replay; null when the bytes are not one. */
export function decodeReplay(data: Uint8Array): Uint8Array[] | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const messages: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) return null;
    const length = view.getUint32(at, true);
    if (length < FRAME_HEADER_BYTES || at + 4 + length > data.length) return null;
    messages.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return messages;
}

export function encodeReplayRequest(from: ReplayFrom): Uint8Array {
  return Buffer.from(JSON.stringify({ from: Object.fromEntries(from) }), 'utf8');
}

/** The channels and start times of a replay request; null when malformed. */
export function parseReplayRequest(data: Uint8Array): ReplayFrom | null {
  try {
    const body = JSON.parse(Buffer.from(data).toString('utf8')) as { from?: unknown };
    if (typeof body.from !== 'object' || body.from === null) return null;
    const from = new Map<number, number>();
    for (const [channel, ms] of Object.entries(body.from)) {
      if (!/^\d{1,3}$/.test(channel) || typeof ms !== 'number' || !Number.isFinite(ms)) return null;
      from.set(Number(channel), ms);
    }
    return from;
  } catch {
    return null;
  }
}
