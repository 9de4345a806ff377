import { z } from 'zod';
import type { RecognizedWord } from '../../SpeechEngineTypes.js';

/** One utterance to transcribe. */
export interface TranscriptionRequest {
  readonly samples: Int16Array;
  /** ISO 639-1; absent: the server detects the language. */
  readonly language?: string;
  /** The custom vocabularies' terms (`prompt`; Vocabularies.ts). */
  readonly prompt?: string;
}

/**
 * The body of `POST /v1/audio/transcriptions` with `response_format=verbose_json`, as OpenAI
 * documents it (`text`, `language`, `segments[]` with `start`/`end` in seconds and `avg_logprob`,
 * and with `timestamp_granularities[]=word` a top-level `words[]`) and as the self-hosted servers
 * answer it (whisper.cpp puts `words[]` with `probability` inside each segment; faster-whisper
 * servers do either). A plain `json` answer is `{ text }` alone. Unknown fields are kept out.
 */
const wordSchema = z.object({
  word: z.string(),
  start: z.number(),
  end: z.number(),
  probability: z.number().optional(),
});
const segmentSchema = z.object({
  start: z.number(),
  end: z.number(),
  text: z.string(),
  avg_logprob: z.number().optional(),
  words: z.array(wordSchema).optional(),
});
export const transcriptionResponseSchema = z.object({
  text: z.string(),
  language: z.string().optional(),
  segments: z.array(segmentSchema).optional(),
  words: z.array(wordSchema).optional(),
});
export type TranscriptionResponse = z.infer<typeof transcriptionResponseSchema>;

/** Where the utterance sent lies in the call (ms from call start). */
export interface UtteranceSpan {
  readonly startMs: number;
  readonly endMs: number;
}

const TRAILING_PUNCTUATION = /^(.*?[^\s.,?!;:])([.,?!;:]+)$/;

const clamp01 = (v: number): number => Math.max(0, Math.min(1, v));

/**
 * The response's words as call-timed items: word times if the server gave them, else each
 * segment's words spread evenly over the segment, else the text spread over the utterance.
 * Trailing punctuation becomes its own item, as Transcribe writes it; times are kept inside the
 * utterance. Confidence is the word's probability, else exp(segment avg_logprob), else 0.
 */
export function responseWords(response: TranscriptionResponse, span: UtteranceSpan): RecognizedWord[] {
  const inside = (seconds: number): number =>
    Math.min(span.endMs, Math.max(span.startMs, span.startMs + seconds * 1000));
  const timed: { text: string; start: number; end: number; confidence: number }[] = [];
  const segments = response.segments ?? [];
  const words = response.words?.length ? response.words : segments.flatMap((s) => s.words ?? []);
  if (words.length > 0) {
    for (const w of words)
      timed.push({ text: w.word, start: w.start, end: w.end, confidence: w.probability ?? 0 });
  } else if (segments.length > 0) {
    for (const s of segments) {
      const confidence = s.avg_logprob === undefined ? 0 : clamp01(Math.exp(s.avg_logprob));
      timed.push(...spread(s.text, s.start, s.end, confidence));
    }
  } else {
    timed.push(...spread(response.text, 0, (span.endMs - span.startMs) / 1000, 0));
  }
  const out: RecognizedWord[] = [];
  for (const t of timed) {
    const text = t.text.trim();
    if (text === '') continue;
    const startMs = inside(t.start);
    const endMs = Math.max(startMs, inside(t.end));
    const confidence = clamp01(t.confidence);
    const split = TRAILING_PUNCTUATION.exec(text);
    out.push({ word: split ? split[1]! : text, startMs, endMs, confidence });
    if (split) out.push({ word: split[2]!, startMs: endMs, endMs, confidence: 0, type: 'punctuation' });
  }
  return out;
}

function spread(
  text: string,
  start: number,
  end: number,
  confidence: number,
): { text: string; start: number; end: number; confidence: number }[] {
  const words = text.split(/\s+/).filter(Boolean);
  const step = Math.max(0, end - start) / Math.max(1, words.length);
  return words.map((w, i) => ({ text: w, start: start + i * step, end: start + (i + 1) * step, confidence }));
}

/** BCP 47 (`en-US`) to the ISO 639-1 code the transcription API takes (`en`). */
export function isoLanguage(languageCode: string): string {
  return languageCode.split('-')[0]!.toLowerCase();
}
