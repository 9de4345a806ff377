import { execFileSync } from 'node:child_process';
import type { VocabularyTerm } from '../Vocabularies.js';

/**
 * Pronunciations of custom vocabulary terms in the en-us model's phone set (CMU, 39 phones), for
 * the decoder's dictionary (VocabularyModel.ts). From the term's IPA when the table gives it, else
 * flite's letter-to-sound rules (`t2p`, Debian's flite) on its SoundsLike syllables or its words.
 * t2p writes CMU phones with stress digits, plus "ax" (schwa, AH in the model) and "pau" (pauses,
 * dropped).
 */

/** IPA symbols → CMU phones (longest first when read). */
const IPA: ReadonlyMap<string, string> = new Map([
  ['tʃ', 'CH'],
  ['dʒ', 'JH'],
  ['aɪ', 'AY'],
  ['aʊ', 'AW'],
  ['ɔɪ', 'OY'],
  ['eɪ', 'EY'],
  ['oʊ', 'OW'],
  ['ɝ', 'ER'],
  ['ɚ', 'ER'],
  ['ɑ', 'AA'],
  ['æ', 'AE'],
  ['ʌ', 'AH'],
  ['ə', 'AH'],
  ['ɔ', 'AO'],
  ['ɛ', 'EH'],
  ['ɪ', 'IH'],
  ['i', 'IY'],
  ['ʊ', 'UH'],
  ['u', 'UW'],
  ['b', 'B'],
  ['d', 'D'],
  ['ð', 'DH'],
  ['f', 'F'],
  ['g', 'G'],
  ['ɡ', 'G'],
  ['h', 'HH'],
  ['k', 'K'],
  ['l', 'L'],
  ['m', 'M'],
  ['n', 'N'],
  ['ŋ', 'NG'],
  ['p', 'P'],
  ['ɹ', 'R'],
  ['r', 'R'],
  ['s', 'S'],
  ['ʃ', 'SH'],
  ['t', 'T'],
  ['θ', 'TH'],
  ['v', 'V'],
  ['w', 'W'],
  ['j', 'Y'],
  ['z', 'Z'],
  ['ʒ', 'ZH'],
  ['e', 'EY'],
  ['o', 'OW'],
  ['a', 'AA'],
]);

/** Space-separated IPA symbols as CMU phones; undefined when one is not known. */
export function ipaToPhones(ipa: string): string[] | undefined {
  const phones: string[] = [];
  for (const symbol of ipa
    .replace(/[ˈˌːˑ.]/g, '')
    .split(/\s+/)
    .filter(Boolean)) {
    const phone = IPA.get(symbol);
    if (phone === undefined) return undefined;
    phones.push(phone);
  }
  return phones.length > 0 ? phones : undefined;
}

/** t2p's phones in the model's phone set: stress dropped, its schwa as AH. */
function modelPhone(phone: string): string {
  const p = phone.replace(/\d$/, '').toUpperCase();
  return p === 'AX' ? 'AH' : p;
}

/** t2p's output split at its pauses: the phones of each stretch between two. */
function pauseGroups(out: string): string[][] {
  const groups: string[][] = [[]];
  for (const phone of out.trim().split(/\s+/)) {
    if (phone === 'pau') groups.push([]);
    else if (phone !== '') groups.at(-1)!.push(modelPhone(phone));
  }
  return groups.filter((g) => g.length > 0);
}

/** flite's letter-to-sound phones of some text, in the model's phone set. */
export function letterToSound(text: string): string[] {
  return pauseGroups(execFileSync('t2p', [text], { encoding: 'utf8', timeout: 5_000 })).flat();
}

/** What letter-to-sound reads for a term: its SoundsLike syllables, else its words. */
function spoken(term: VocabularyTerm): string {
  return (term.soundsLike ?? term.words.join(' ')).replaceAll('-', ' ');
}

/**
 * A term's pronunciation: IPA, else SoundsLike, else its words, through letter-to-sound; empty (the
 * term is left out) when there is no IPA and t2p is not installed (`apt-get install flite`).
 */
export function pronounce(term: VocabularyTerm): string[] {
  const fromIpa = term.ipa === undefined ? undefined : ipaToPhones(term.ipa);
  if (fromIpa) return fromIpa;
  try {
    return letterToSound(spoken(term));
  } catch {
    return [];
  }
}

/**
 * `pronounce` for several terms with one t2p run for all of them (a comma between two terms makes
 * t2p pause; each run costs a process, ~4 ms from a shell and more from a loaded thread). When the
 * pauses do not part them one group per term (a term t2p pauses inside), each is run on its own.
 */
export function pronounceAll(terms: readonly VocabularyTerm[]): string[][] {
  const out = terms.map((t) => (t.ipa === undefined ? undefined : ipaToPhones(t.ipa)));
  const rest = terms.flatMap((t, i) => (out[i] ? [] : [i]));
  if (rest.length > 1) {
    try {
      const text = rest.map((i) => spoken(terms[i]!)).join(', ');
      const groups = pauseGroups(execFileSync('t2p', [text], { encoding: 'utf8', timeout: 5_000 }));
      if (groups.length === rest.length) rest.forEach((i, k) => (out[i] = groups[k]));
    } catch {
      // Each term on its own below (and empty if t2p is missing).
    }
  }
  return terms.map((t, i) => out[i] ?? pronounce(t));
}
