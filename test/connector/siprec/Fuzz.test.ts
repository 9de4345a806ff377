import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMultipart } from '../../../src/connector/siprec/Multipart.js';
import { parseRecordingMetadata } from '../../../src/connector/siprec/RecordingMetadata.js';
import { parseSiprecInvite } from '../../../src/connector/siprec/SiprecInvite.js';
import { MultipartError, RecordingMetadataError } from '../../../src/connector/siprec/SiprecErrors.js';
import { SipRejection } from '../../../src/sip/CallHandlerTypes.js';
import { fixture, random, sipFixture } from './support.js';

/**
 * Mutation fuzzing of every parser of the module, seeded so that a failure reproduces: the fixtures
 * with slices deleted, duplicated or overwritten with markup characters, or truncated. Each parser
 * must return or throw its typed error — never a TypeError, RangeError or a library's own error.
 */
const ITERATIONS = 1500;
const ALPHABET = [
  '<',
  '>',
  '/',
  '&',
  ';',
  '"',
  "'",
  '=',
  '-',
  '--',
  '\r\n',
  '\n',
  ' ',
  ':',
  '?',
  '!',
  '#',
  'x',
  '\u00e9',
  '\ud83d',
];

function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const length = Math.floor(next() * 24);
  switch (Math.floor(next() * 4)) {
    case 0:
      return text.slice(0, at) + text.slice(at + length);
    case 1:
      return text.slice(0, at) + text.slice(at, at + length) + text.slice(at);
    case 2: {
      const noise = Array.from(
        { length: 1 + (length % 5) },
        () => ALPHABET[Math.floor(next() * ALPHABET.length)],
      ).join('');
      return text.slice(0, at) + noise + text.slice(at + (length % 3));
    }
    default:
      return text.slice(0, at);
  }
}

function fuzz(
  seed: number,
  source: string,
  parse: (input: string) => unknown,
  typed: (err: unknown) => boolean,
): void {
  const next = random(seed);
  for (let i = 0; i < ITERATIONS; i++) {
    let input = source;
    for (let n = 1 + Math.floor(next() * 3); n > 0; n--) input = mutate(input, next);
    try {
      parse(input);
    } catch (err) {
      assert.ok(
        typed(err),
        `seed ${seed} iteration ${i}: ${String(err)}\n--- input ---\n${input.slice(0, 400)}`,
      );
    }
  }
}

describe('fuzz: mutated inputs give results or typed errors', () => {
  test('parseRecordingMetadata', () => {
    for (const [seed, name] of [
      [1, 'rfc7865-complete.xml'],
      [2, 'chime-dg-alice-bob-complete.xml'],
      [3, 'chime-dg-hold-partial.xml'],
    ] as const) {
      fuzz(
        seed,
        fixture(name),
        (xml) => parseRecordingMetadata(xml),
        (err) => err instanceof RecordingMetadataError,
      );
    }
  });

  test('parseMultipart', () => {
    const invite = sipFixture('sonus-style-invite.txt');
    fuzz(
      4,
      invite.body,
      (body) => parseMultipart(invite.contentType!, body),
      (err) => err instanceof MultipartError,
    );
  });

  test('parseSiprecInvite', () => {
    for (const [seed, name] of [
      [5, 'rfc7866-invite.txt'],
      [6, 'sonus-style-invite.txt'],
    ] as const) {
      const invite = sipFixture(name);
      fuzz(
        seed,
        invite.body,
        (body) => parseSiprecInvite({ ...invite, body }),
        (err) => err instanceof SipRejection,
      );
      fuzz(
        seed + 10,
        invite.contentType!,
        (contentType) => parseSiprecInvite({ ...invite, contentType }),
        (err) => err instanceof SipRejection,
      );
    }
  });
});
