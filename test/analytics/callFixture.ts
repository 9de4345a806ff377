/**
 * Test and benchmark support: the labelled fixtures of test/fixtures/analytics/ and utterances with
 * made-up word timings (a fixed time per word) for whole calls.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalyticsUtterance, ParticipantRole, Sentiment } from '../../src/analytics/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/analytics');

export type Split = 'tune' | 'heldout';

export interface SentimentCase {
  readonly id: string;
  readonly split: Split;
  readonly role: ParticipantRole;
  readonly label: Sentiment;
  readonly text: string;
}
export interface IssueCase {
  readonly id: string;
  readonly split: Split;
  readonly role: ParticipantRole;
  readonly text: string;
  /** Substrings of text that state an issue. */
  readonly issues: readonly string[];
}
export interface PiiCase {
  readonly id: string;
  readonly split: Split;
  readonly text: string;
  readonly entities: readonly { readonly type: string; readonly content: string }[];
}

export function readJsonl<T>(name: string): T[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** One utterance whose words take `msPerWord` each (80 % word, 20 % gap). */
export function utteranceFromText(
  utteranceId: string,
  role: ParticipantRole,
  text: string,
  beginMs: number,
  msPerWord = 340,
  confidence = 0.93,
): AnalyticsUtterance {
  const words = text.split(/\s+/).filter((w) => w !== '');
  return {
    utteranceId,
    role,
    beginMs,
    endMs: beginMs + words.length * msPerWord,
    words: words.map((word, i) => ({
      word,
      startMs: beginMs + i * msPerWord,
      endMs: beginMs + i * msPerWord + Math.round(msPerWord * 0.8),
      confidence,
    })),
  };
}

export interface FixtureCall {
  readonly id: string;
  readonly utterances: readonly AnalyticsUtterance[];
}

export function fixtureCalls(): FixtureCall[] {
  const doc = JSON.parse(readFileSync(join(FIXTURES, 'calls.json'), 'utf8')) as {
    calls: {
      id: string;
      msPerWord: number;
      utterances: { role: ParticipantRole; at: number; text: string }[];
    }[];
  };
  return doc.calls.map((c) => ({
    id: c.id,
    utterances: c.utterances.map((u, i) =>
      utteranceFromText(`${c.id}-${i + 1}`, u.role, u.text, u.at, c.msPerWord),
    ),
  }));
}
