/**
 * Email addresses as a caller reads them out and a recogniser writes them: "<local> at <domain> dot
 * <tld>", the local part read back from "at" ("sarah dot jones", "mike underscore t", "anna two
 * thousand", or spelled "j o h n"), the domain one or more labels ("acme dash corp", "co dot uk")
 * ending in a known top-level domain; and written forms if the recogniser formats them. After "my
 * email is" the recogniser often mangles the "at" ("john dogs which had made all dot com"): there,
 * the words up to the last "dot <tld>" (or "dot", "at", "com") within ten words are the address (so after "send it to");
 * anywhere, "<word> dot … dot <tld>" within eight words is one, and so are a label and "dot <tld>"
 * after two or three words that are no boundary ("jury johnson had example dot org": the "at" lost).
 */
import type { PiiSpan } from './PiiTypes.js';
import { isNumberWord } from './SpokenNumbers.js';

const TLDS = new Set(
  'com net org edu gov io co us uk ca info biz me tv ai app dev mil int de fr au in nl es it eu'.split(' '),
);
const EMAIL_JOINERS = new Set(['dot', 'underscore', 'dash', 'hyphen', 'period']);
/** Words that end the local part of an email, read backwards from "at". */
export const EMAIL_BOUNDARY: ReadonlySet<string> = new Set(
  (
    "is was it's its my email e-mail mail address me to at the send use try that's yes sure okay ok um uh and or " +
    "on as under from with reach write in be should could would you your his her our their i'm am are"
  ).split(' '),
);

/** Top-level domains that end an address even when the recogniser lost the "dot" before them. */
const COMMON_TLDS = new Set(['com', 'net', 'org']);
const EMAIL_CUE = /\b(?:(?:e-?mail|e mail)(?: address)?(?: is| it's| was)?|send (?:it|them) to)$/;
/** Words between the cue and the address. */
const LINKS = new Set(['is', "it's", 'was', 'address', 'at', 'me']);

/** After an email cue: the words up to the last "dot <tld>", "dot" or "at" within ten words. */
function afterEmailCue(w: readonly string[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (let i = 1; i < w.length; i += 1) {
    if (!EMAIL_CUE.test(w.slice(Math.max(0, i - 4), i).join(' ')) || LINKS.has(w[i] ?? '')) continue;
    let last = -1;
    for (let j = i; j < Math.min(w.length, i + 10); j += 1) {
      const word = w[j] ?? '';
      if (word === 'dot' || word === 'at') last = Math.max(last, Math.min(w.length - 1, j + 1));
      if (TLDS.has(word) && (w[j - 1] === 'dot' || COMMON_TLDS.has(word))) last = j;
    }
    if (last < 0) continue;
    out.push({ type: 'EMAIL', first: i, last, confidence: 0.8 });
    i = last;
  }
  return out;
}

/**
 * "pathway dot morris had yahoo dot com": a "dot" in the local part and one before a top-level
 * domain, within eight words, with the "at" between them lost.
 */
function twoDots(w: readonly string[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (let j = 2; j < w.length; j += 1) {
    if (!TLDS.has(w[j] ?? '') || w[j - 1] !== 'dot') continue;
    const dot = w.lastIndexOf('dot', j - 3);
    if (dot < 1 || j - dot > 8 || EMAIL_BOUNDARY.has(w[dot - 1] ?? '')) continue;
    out.push({ type: 'EMAIL', first: dot - 1, last: j, confidence: 0.7 });
  }
  return out;
}

/**
 * "jury johnson had example dot org": a domain label and "dot <tld>", after words that are not a
 * boundary (up to three, the local part and the lost "at" among them).
 */
function lostAt(w: readonly string[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (let j = 3; j < w.length; j += 1) {
    if (!TLDS.has(w[j] ?? '') || w[j - 1] !== 'dot' || !isWordLike(w[j - 2] ?? '')) continue;
    let first = j - 2;
    while (first - 1 >= 0 && j - 2 - (first - 1) <= 3) {
      const word = w[first - 1] ?? '';
      if (EMAIL_BOUNDARY.has(word) || !isWordLike(word)) break;
      first -= 1;
    }
    if (first < j - 3) out.push({ type: 'EMAIL', first, last: j, confidence: 0.6 });
  }
  return out;
}

export function isWordLike(w: string): boolean {
  return /^[a-z][a-z'-]*\.?$/.test(w);
}

export function findEmails(w: readonly string[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (let at = 1; at < w.length - 1; at += 1) {
    if (w[at] !== 'at') continue;
    // Domain: label (dot label)+ ending in a top-level domain; a label is one or two words or "a dash b".
    let j = at + 1;
    let last = -1;
    let labels = 0;
    while (j < w.length) {
      let k = j;
      let words = 0;
      while (k < w.length && w[k] !== 'dot' && words < 4) {
        const word = w[k] ?? '';
        if (!(isWordLike(word) || /^\d+$/.test(word) || isNumberWord(word))) break;
        k += 1;
        words += 1;
      }
      if (words === 0) break;
      labels += 1;
      if (labels > 1 && TLDS.has(w[k - 1] ?? '') && words === 1) last = k - 1;
      if (w[k] !== 'dot') break;
      j = k + 1;
    }
    if (last < 0) continue;
    // Local part: back from "at" until a boundary word, at most six words.
    let first = at;
    while (first - 1 >= 0 && at - (first - 1) <= 6) {
      const word = w[first - 1] ?? '';
      if (EMAIL_BOUNDARY.has(word)) break;
      if (!(isWordLike(word) || /^\d+$/.test(word) || EMAIL_JOINERS.has(word))) break;
      first -= 1;
    }
    if (first === at || EMAIL_JOINERS.has(w[first] ?? '')) continue;
    out.push({ type: 'EMAIL', first, last, confidence: 0.95 });
    at = last;
  }
  const add = (spans: readonly PiiSpan[]): void => {
    for (const c of spans) if (!out.some((e) => e.first <= c.last && c.first <= e.last)) out.push(c);
  };
  add(afterEmailCue(w));
  add(twoDots(w));
  add(lostAt(w));
  for (let i = 0; i < w.length; i += 1) {
    if (/^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(w[i] ?? ''))
      out.push({ type: 'EMAIL', first: i, last: i, confidence: 0.97 });
  }
  return out;
}
