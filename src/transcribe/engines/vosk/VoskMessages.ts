import { z } from 'zod';

/**
 * alphacephei vosk-server's WebSocket protocol (websocket/asr_server.py): the client sends a text
 * message `{"config": {"sample_rate": …, "words": 1}}`, then binary messages of 16-bit little-endian
 * mono PCM, and at the end the text `{"eof" : 1}` — compared as that exact string by the server.
 * The server answers every audio message, in order, with exactly one JSON text: `{"partial": …}`
 * while an utterance goes on, or `{"result": [{word, start, end, conf}], "text": …}` when its
 * endpointer closes one (`{"text": ""}` for silence); the answer to eof is the last result. Times
 * are seconds of audio since the connection's first sample.
 */
export const VOSK_EOF = '{"eof" : 1}';

export function voskConfig(sampleRate: number): string {
  return JSON.stringify({ config: { sample_rate: sampleRate, words: 1 } });
}

const word = z.object({ word: z.string(), start: z.number(), end: z.number(), conf: z.number() });
export const voskAnswerSchema = z.union([
  z.object({ partial: z.string() }),
  z.object({ text: z.string(), result: z.array(word).optional() }),
]);
export type VoskAnswer = z.infer<typeof voskAnswerSchema>;
