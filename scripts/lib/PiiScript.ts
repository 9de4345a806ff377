/**
 * The script of the PII evaluation set that scripts/make-pii-set.ts speaks: what a caller says, with
 * the PII spans labelled, for every Amazon Transcribe PII type, and utterances without PII (near
 * misses: order numbers, amounts, times, dates, counts, and plain support-call speech).
 *
 * Each type has its own carrier sentences. The held-out split uses carriers of its own (written
 * with the others, before any tuning, and never looked at while tuning), so its figures say how the
 * detector does on phrasings it was not tuned on. Values are drawn from a seeded generator.
 */
import type { PiiEntityType } from '../../src/analytics/PiiTypes.js';
import { normaliseWords } from '../../src/transcribe/wer.js';
import {
  cardNumber,
  numberWords,
  pick,
  prng,
  randomDigits,
  routingNumber,
  speakDigits,
  type Random,
} from './SpokenValues.js';

export type Split = 'tune' | 'heldout';

/** Text the voice reads, one entity's words, or a pause long enough to end the utterance. */
export type Piece =
  | { readonly text: string; readonly label?: { readonly id: number; readonly type: PiiEntityType } }
  | { readonly pauseMs: number };

export interface ScriptItem {
  readonly id: string;
  readonly split: Split;
  /** The carrier sentence's name, e.g. `CREDIT_DEBIT_NUMBER/t3`. */
  readonly template: string;
  readonly pieces: readonly Piece[];
}

/** One line of test/fixtures/analytics/pii-asr.jsonl: an item as spoken and as recognised. */
export interface PiiAsrItem {
  readonly id: string;
  readonly split: Split;
  readonly template: string;
  readonly voice: string;
  readonly reference: string;
  readonly referenceEntities: readonly { readonly type: PiiEntityType; readonly content: string }[];
  readonly finals: readonly {
    readonly startMs: number;
    readonly endMs: number;
    readonly words: readonly string[];
  }[];
  /** The distinct partial transcripts before each final. */
  readonly partials: readonly (readonly string[])[];
  readonly entities: readonly {
    readonly type: PiiEntityType;
    /** Word indices into the finals' words joined in order; -1 when the recogniser dropped every word. */
    readonly first: number;
    readonly last: number;
    readonly content: string;
    readonly recognised: boolean;
  }[];
}

/** Reference words and entity spans (word indices, inclusive) of an item. */
export interface ScriptReference {
  readonly words: readonly string[];
  readonly entities: readonly {
    readonly type: PiiEntityType;
    readonly first: number;
    readonly last: number;
  }[];
}

/** A pause that ends the utterance: the VAD ends one after 550 ms of silence. */
const LONG_PAUSE_MS = 1400;

const FILLERS = ['uh', 'um', 'sorry', 'let me see', 'hold on', 'one second'];

const FIRST_NAMES = (
  'james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan ' +
  'joseph jessica thomas sarah charles karen daniel nancy matthew lisa anthony betty mark sandra steven ' +
  'ashley paul kimberly andrew emily joshua donna kevin michelle brian carol george amanda timothy ' +
  'melissa ronald deborah jason stephanie jeffrey rebecca ryan laura jacob sharon gary cynthia nicholas ' +
  'kathleen eric amy jonathan angela maria carlos sofia miguel priya raj wei mei ahmed fatima olga ivan'
).split(' ');
const LAST_NAMES = (
  'smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez ' +
  'wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ' +
  'ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams ' +
  'nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker ' +
  'cruz edwards collins reyes stewart morris morales murphy cook rogers ortiz morgan cooper peterson ' +
  'bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood bennett gray ' +
  'mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez'
).split(' ');
const STREETS = (
  'main oak maple cedar pine elm washington lake hill park sunset lincoln jefferson madison church ' +
  'river spring highland forest meadow willow chestnut walnut cherry franklin center mill union ' +
  'prospect grove college broad market water bridge garden orchard valley ridge'
).split(' ');
const SUFFIXES = ['street', 'avenue', 'road', 'drive', 'lane', 'boulevard', 'court', 'way', 'place'];
const CITIES = [
  'springfield illinois',
  'portland oregon',
  'austin texas',
  'denver colorado',
  'columbus ohio',
  'madison wisconsin',
  'richmond virginia',
  'albany new york',
  'tampa florida',
  'phoenix arizona',
  'boise idaho',
  'dayton ohio',
  'reno nevada',
  'raleigh north carolina',
  'trenton new jersey',
  'salem oregon',
];
const DOMAINS = [
  'gmail dot com',
  'yahoo dot com',
  'outlook dot com',
  'hotmail dot com',
  'icloud dot com',
  'aol dot com',
  'comcast dot net',
  'proton dot me',
  'acme dash corp dot com',
  'example dot org',
  'northwind dot co dot uk',
];
const MONTHS = 'january february march april may june july august september october november december'.split(
  ' ',
);

/** Digits in groups ("four one one one, two two …"), sometimes with a filler between groups. */
function groups(rand: Random, digits: string, sizes: readonly number[], fillers = 0.15): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    parts.push(speakDigits(digits.slice(at, at + size), rand, 0.3));
    at += size;
  }
  if (at < digits.length) parts.push(speakDigits(digits.slice(at), rand, 0.3));
  return parts.map((p, i) => (i > 0 && rand() < fillers ? `${pick(rand, FILLERS)}, ${p}` : p)).join(', ');
}

/** Sometimes read flat ("one two three four five"), sometimes in groups of the given sizes. */
function digitsSaid(rand: Random, digits: string, sizes: readonly number[]): string {
  return rand() < 0.35 ? speakDigits(digits, rand) : groups(rand, digits, sizes);
}

function yearTwoDigits(rand: Random): number {
  return 25 + Math.floor(rand() * 8);
}

/** A house number as people say it: "one twenty three", "twenty two fifteen", "four five six". */
function houseNumber(rand: Random): string {
  const style = rand();
  if (style < 0.3)
    return speakDigits(
      randomDigits(rand, 2 + Math.floor(rand() * 3), '123456789'[Math.floor(rand() * 9)]),
      rand,
      0,
    );
  if (style < 0.6)
    return `${numberWords(1 + Math.floor(rand() * 9))} ${numberWords(10 + Math.floor(rand() * 90))}`;
  if (style < 0.85)
    return `${numberWords(10 + Math.floor(rand() * 90))} ${numberWords(10 + Math.floor(rand() * 90))}`;
  return numberWords(2 + Math.floor(rand() * 97));
}

function street(rand: Random): string {
  return `${houseNumber(rand)} ${pick(rand, STREETS)} ${pick(rand, SUFFIXES)}`;
}

function spelled(word: string): string {
  return [...word].join(' ');
}

function emailLocal(rand: Random, first: string, last: string): string {
  const style = rand();
  if (style < 0.3) return `${first} dot ${last}`;
  if (style < 0.45) return `${first} underscore ${last}`;
  if (style < 0.6) return `${first}${last}`.length <= 12 ? `${first} ${last}` : first;
  if (style < 0.8) return `${first} ${numberWords(10 + Math.floor(rand() * 90))}`;
  if (style < 0.9) return `${first[0] ?? 'j'} ${last}`;
  return first;
}

type Fill = (rand: Random) => readonly (string | { readonly pauseMs: number })[];

/** Slots: `{name}` in a template. `type` null: a value that is not PII (near misses). */
const SLOTS: Record<string, { readonly type: PiiEntityType | null; readonly fill: Fill }> = {
  card: {
    type: 'CREDIT_DEBIT_NUMBER',
    fill: (rand) => {
      const kind = rand();
      if (kind < 0.2) return [groups(rand, cardNumber(rand, pick(rand, ['34', '37']), 15), [4, 6, 5])];
      const prefix = kind < 0.55 ? '4' : kind < 0.85 ? pick(rand, ['51', '52', '53', '54', '55']) : '6011';
      return [digitsSaid(rand, cardNumber(rand, prefix, 16), [4, 4, 4, 4])];
    },
  },
  // A card number read in two goes: the caller pauses long enough to end the utterance.
  card_split: {
    type: 'CREDIT_DEBIT_NUMBER',
    fill: (rand) => {
      const digits = cardNumber(rand, pick(rand, ['4', '5', '6']), 16);
      const cut = pick(rand, [4, 8, 8, 12]);
      return [
        groups(rand, digits.slice(0, cut), [4, 4, 4], 0),
        { pauseMs: LONG_PAUSE_MS },
        groups(rand, digits.slice(cut), [4, 4, 4], 0),
      ];
    },
  },
  card4: { type: 'CREDIT_DEBIT_NUMBER', fill: (rand) => [speakDigits(randomDigits(rand, 4), rand)] },
  expiry: {
    type: 'CREDIT_DEBIT_EXPIRY',
    fill: (rand) => {
      const month = 1 + Math.floor(rand() * 12);
      const year = yearTwoDigits(rand);
      const mm = month < 10 ? `${pick(rand, ['oh', 'zero'])} ${numberWords(month)}` : numberWords(month);
      const style = rand();
      if (style < 0.4) return [`${mm} ${numberWords(year)}`];
      if (style < 0.55) return [`${mm} slash ${numberWords(year)}`];
      if (style < 0.75) return [`${MONTHS[month - 1] ?? 'may'} twenty ${numberWords(year)}`];
      if (style < 0.85) return [`${MONTHS[month - 1] ?? 'may'} of twenty ${numberWords(year)}`];
      return [`${numberWords(month)} ${numberWords(year)}`];
    },
  },
  cvv: {
    type: 'CREDIT_DEBIT_CVV',
    fill: (rand) => [speakDigits(randomDigits(rand, rand() < 0.85 ? 3 : 4), rand)],
  },
  pin: { type: 'PIN', fill: (rand) => [speakDigits(randomDigits(rand, rand() < 0.8 ? 4 : 6), rand)] },
  ssn: {
    type: 'SSN',
    fill: (rand) => [digitsSaid(rand, randomDigits(rand, 9, String(1 + Math.floor(rand() * 8))), [3, 2, 4])],
  },
  ssn4: { type: 'SSN', fill: (rand) => [speakDigits(randomDigits(rand, 4), rand)] },
  account: {
    type: 'BANK_ACCOUNT_NUMBER',
    fill: (rand) => {
      const n = 8 + Math.floor(rand() * 5);
      return [digitsSaid(rand, randomDigits(rand, n, String(1 + Math.floor(rand() * 9))), [4, 4, 4])];
    },
  },
  routing: { type: 'BANK_ROUTING', fill: (rand) => [digitsSaid(rand, routingNumber(rand), [3, 3, 3])] },
  phone: {
    type: 'PHONE',
    fill: (rand) => {
      const digits = randomDigits(rand, 10, String(2 + Math.floor(rand() * 8)));
      const style = rand();
      if (style < 0.15)
        return [
          `area code ${speakDigits(digits.slice(0, 3), rand)}, ${groups(rand, digits.slice(3), [3, 4], 0)}`,
        ];
      if (style < 0.3) {
        const tail = `${numberWords(10 + Math.floor(rand() * 90))} ${numberWords(10 + Math.floor(rand() * 90))}`;
        return [`${groups(rand, digits.slice(0, 6), [3, 3], 0)}, ${tail}`];
      }
      return [digitsSaid(rand, digits, [3, 3, 4])];
    },
  },
  tollfree: {
    type: 'PHONE',
    fill: (rand) => [`one eight hundred, ${groups(rand, randomDigits(rand, 7), [3, 4], 0)}`],
  },
  email: {
    type: 'EMAIL',
    fill: (rand) => [
      `${emailLocal(rand, pick(rand, FIRST_NAMES), pick(rand, LAST_NAMES))} at ${pick(rand, DOMAINS)}`,
    ],
  },
  email_spelled: {
    type: 'EMAIL',
    fill: (rand) => {
      const first = pick(
        rand,
        FIRST_NAMES.filter((n) => n.length <= 6),
      );
      return [`${spelled(first)} at ${pick(rand, DOMAINS)}`];
    },
  },
  name: { type: 'NAME', fill: (rand) => [`${pick(rand, FIRST_NAMES)} ${pick(rand, LAST_NAMES)}`] },
  first: { type: 'NAME', fill: (rand) => [pick(rand, FIRST_NAMES)] },
  last: { type: 'NAME', fill: (rand) => [pick(rand, LAST_NAMES)] },
  name_spelled: {
    type: 'NAME',
    fill: (rand) => {
      const last = pick(
        rand,
        LAST_NAMES.filter((n) => n.length <= 7),
      );
      return [`${pick(rand, FIRST_NAMES)} ${last}`, { pauseMs: LONG_PAUSE_MS }, `that's ${spelled(last)}`];
    },
  },
  address: {
    type: 'ADDRESS',
    fill: (rand) => {
      let text = street(rand);
      const unit = rand();
      if (unit < 0.15) text += ` apartment ${numberWords(1 + Math.floor(rand() * 30))}`;
      else if (unit < 0.25) text += ` unit ${pick(rand, ['a', 'b', 'c', 'd'])}`;
      if (rand() < 0.7) text += `, ${pick(rand, CITIES)}`;
      return [text];
    },
  },
  street_address: { type: 'ADDRESS', fill: (rand) => [street(rand)] },
  pobox: {
    type: 'ADDRESS',
    fill: (rand) => [
      `p o box ${speakDigits(randomDigits(rand, 3 + Math.floor(rand() * 3), '123456789'[Math.floor(rand() * 9)]), rand)}, ${pick(rand, CITIES)}`,
    ],
  },
  // Near misses: numbers that are not PII.
  order: { type: null, fill: (rand) => [speakDigits(randomDigits(rand, 6 + Math.floor(rand() * 5)), rand)] },
  qty: { type: null, fill: (rand) => [numberWords(2 + Math.floor(rand() * 58))] },
  money: {
    type: null,
    fill: (rand) => [
      pick(rand, [
        `${numberWords(5 + Math.floor(rand() * 95))} dollars`,
        `a hundred and ${numberWords(1 + Math.floor(rand() * 98))} dollars`,
        `${numberWords(10 + Math.floor(rand() * 90))} ${numberWords(10 + Math.floor(rand() * 90))}`,
        `${numberWords(2 + Math.floor(rand() * 8))} hundred dollars`,
      ]),
    ],
  },
  time: {
    type: null,
    fill: (rand) => [
      pick(rand, [
        `${numberWords(1 + Math.floor(rand() * 12))} thirty`,
        `${numberWords(1 + Math.floor(rand() * 12))} o'clock`,
        `${numberWords(1 + Math.floor(rand() * 12))} fifteen`,
        `${numberWords(1 + Math.floor(rand() * 12))} forty five`,
      ]),
    ],
  },
  date: {
    type: null,
    fill: (rand) => [
      pick(rand, [
        `${pick(rand, MONTHS)} ${pick(rand, ['first', 'second', 'third', 'fifth', 'tenth', 'twelfth', 'twentieth', 'twenty second'])}`,
        `the ${pick(rand, ['first', 'third', 'fifth', 'ninth', 'fifteenth', 'twenty first'])} of ${pick(rand, MONTHS)}`,
      ]),
    ],
  },
  year: {
    type: null,
    fill: (rand) => [
      pick(rand, [
        `twenty ${numberWords(10 + Math.floor(rand() * 15))}`,
        `two thousand ${numberWords(1 + Math.floor(rand() * 19))}`,
        `nineteen ${numberWords(70 + Math.floor(rand() * 29))}`,
      ]),
    ],
  },
  count: {
    type: null,
    fill: (rand) => [pick(rand, ['two', 'three', 'four', 'five', 'six', 'ten', 'twelve'])],
  },
  digit: { type: null, fill: (rand) => [numberWords(1 + Math.floor(rand() * 9))] },
  room: {
    type: null,
    fill: (rand) => [
      `${numberWords(1 + Math.floor(rand() * 9))} ${numberWords(10 + Math.floor(rand() * 90))}`,
    ],
  },
};

/** Carrier sentences per type: `tune` ones for tuning, `heldout` ones only for the held-out figures. */
const PII_TEMPLATES: Record<
  string,
  { readonly tune: readonly string[]; readonly heldout: readonly string[] }
> = {
  CREDIT_DEBIT_NUMBER: {
    tune: [
      'my card number is {card}',
      "sure, it's {card}",
      'the card number is {card}',
      'okay, the number on the card is {card}',
      "it's a visa, {card}",
      'my credit card number is // {card}',
      'yeah, {card}',
      'the debit card is {card}',
      "it's the card ending in {card4}",
      'my card number is {card_split}',
      "i'll use my mastercard, {card}",
    ],
    heldout: [
      'let me read it to you, {card}',
      'the long number on the front is {card}',
      'go ahead and charge {card}',
      'the last four digits are {card4}',
      'my debit card number, {card_split}',
    ],
  },
  CREDIT_DEBIT_EXPIRY: {
    tune: [
      'it expires {expiry}',
      'the expiration date is {expiry}',
      'expiry {expiry}',
      'the exp date is {expiry}',
      "it's good through {expiry}",
      'and the card expires // {expiry}',
    ],
    heldout: ['valid thru {expiry}', 'expiration, {expiry}', 'and the date on the card is {expiry}'],
  },
  CREDIT_DEBIT_CVV: {
    tune: [
      'the security code is {cvv}',
      'the c v v is {cvv}',
      'the three digit code on the back is {cvv}',
      'security code, {cvv}',
      'the cvv on the back is // {cvv}',
    ],
    heldout: [
      'the code on the back says {cvv}',
      'verification code is {cvv}',
      'the little code on the back is {cvv}',
    ],
  },
  PIN: {
    tune: [
      'my pin is {pin}',
      'the pin number is {pin}',
      'my pin code is {pin}',
      'i think my pin is {pin}',
      'the pin is // {pin}',
    ],
    heldout: ['the passcode is {pin}', 'my four digit pin, {pin}', 'the pin on the account should be {pin}'],
  },
  SSN: {
    tune: [
      'my social security number is {ssn}',
      'my social is {ssn}',
      'social security, {ssn}',
      'the last four of my social are {ssn4}',
      'my social security number is // {ssn}',
    ],
    heldout: [
      'my social security is {ssn}',
      'the last four digits of my social security number are {ssn4}',
      "for the social it's {ssn}",
    ],
  },
  BANK_ACCOUNT_NUMBER: {
    tune: [
      'my account number is {account}',
      'the checking account number is {account}',
      'my savings account is {account}',
      'account number {account}',
      'the bank account number is // {account}',
    ],
    heldout: [
      "it's checking, number {account}",
      'the account i want to use is {account}',
      'my bank account number, {account}',
    ],
  },
  BANK_ROUTING: {
    tune: [
      'the routing number is {routing}',
      'routing {routing}',
      'the bank routing number is {routing}',
      'and the routing number, {routing}',
      'the routing number is // {routing}',
    ],
    heldout: [
      'the a b a number is {routing}',
      'routing and transit number is {routing}',
      'the nine digit routing number is {routing}',
    ],
  },
  PHONE: {
    tune: [
      'you can reach me at {phone}',
      'my phone number is {phone}',
      'call me back on {phone}',
      'my cell is {phone}',
      'my number is {phone}',
      'the best number is // {phone}',
      'i called {tollfree}',
    ],
    heldout: [
      'text me at {phone}',
      'my mobile number is {phone}',
      'the number on file should be {phone}',
      'you can call {tollfree}',
    ],
  },
  EMAIL: {
    tune: [
      'my email is {email}',
      "it's {email}",
      'my email address is {email}',
      'send it to {email}',
      'you can email me at {email}',
      'my email is {email_spelled}',
    ],
    heldout: ['the address on file is {email}', 'please use {email}', 'e-mail, {email_spelled}'],
  },
  NAME: {
    tune: [
      'my name is {name}',
      'this is {first} calling',
      'the name on the card is {name}',
      "it's under {name}",
      'my name is {name_spelled}',
      "i'm {name}",
      'the account holder is {name}',
      'my first name is {first}',
    ],
    heldout: [
      'speaking with {name}',
      'hi, {name} here',
      'my last name is {last}',
      'the card holder name is {name}',
    ],
  },
  ADDRESS: {
    tune: [
      'i live at {address}',
      'my address is {address}',
      'the billing address is {address}',
      'ship it to {address}',
      'my mailing address is {pobox}',
      "it's {street_address}",
      'my address is // {address}',
    ],
    heldout: [
      'send the card to {address}',
      'i moved to {address}',
      'the new address is {street_address}',
      'my home address, {address}',
    ],
  },
};

/** More than one entity in a turn. */
const COMBO_TEMPLATES = {
  tune: [
    'the card is {card} // it expires {expiry} and the security code is {cvv}',
    'my name is {name} and my phone number is {phone}',
    'my account number is {account} and the routing number is {routing}',
    'my name is {name}, my email is {email}',
  ],
  heldout: ['{name}, {address}', 'card {card}, expiration {expiry}'],
};

/** Numbers and cue words that are not PII. */
const NEAR_MISS_TEMPLATES = {
  tune: [
    'my order number is {order}',
    'the tracking number is {order}',
    "i've been waiting {qty} minutes",
    'it was {money}',
    "i'll call back at {time}",
    'my appointment is on {date}',
    'i have {count} kids',
    'the reference number is {order}',
    "i've been a customer since {year}",
    'the model number is {order}',
    "i'm in room {room}",
    'i paid {money} last month',
    "it's been {qty} days",
    'my account is locked',
    'can you update my address',
    'i lost my card yesterday',
    'i forgot my pin',
    'do you need my phone number',
    'what is the email for the refund team',
    'my name is on the account',
    'i went there for two hours',
    'i need to talk to someone about my bill',
    'we won the case last year',
    'i ate before i called',
    'oh okay that makes sense',
    'press {digit} for billing',
  ],
  heldout: [
    'my case number is {order}',
    'the confirmation number is {order}',
    'the ticket number is {order}',
    'it costs {money} a month',
    'we open at {time}',
    'i ordered {count} of them',
    'the invoice number is {order}',
    'the bill says {money}',
    'is my social security number on file',
    'which card do you have on the account',
    'the street outside is closed',
  ],
};

function fillTemplate(rand: Random, template: string, nextLabel: () => number): Piece[] {
  const pieces: Piece[] = [];
  for (const part of template.split(/(\{[a-z_0-9]+\}| \/\/ )/)) {
    if (part === '') continue;
    if (part === ' // ') {
      pieces.push({ pauseMs: LONG_PAUSE_MS });
      continue;
    }
    const slot = /^\{([a-z_0-9]+)\}$/.exec(part)?.[1];
    if (slot === undefined) {
      pieces.push({ text: part });
      continue;
    }
    const s = SLOTS[slot];
    if (s === undefined) throw new Error(`no slot ${slot}`);
    const label = s.type === null ? undefined : { id: nextLabel(), type: s.type };
    for (const p of s.fill(rand)) {
      if (typeof p !== 'string') pieces.push(p);
      else if (label === undefined) pieces.push({ text: p });
      // "that's s m i t h": the carrier words of a spelled name are not the name.
      else if (p.startsWith("that's "))
        pieces.push({ text: "that's " }, { text: p.slice(7), label: { id: nextLabel(), type: label.type } });
      else pieces.push({ text: p, label });
    }
  }
  return pieces;
}

export interface PlainSentence {
  readonly id: string;
  readonly text: string;
}

/**
 * The whole script: per PII type `perType` items (30 % held out, on held-out carriers), the combos,
 * the near misses and a share of the plain sentences (support-call speech without PII; 30 % held
 * out).
 */
export function piiScript(
  plain: readonly PlainSentence[],
  options: { seed?: number; perType?: number; plainShare?: number } = {},
): ScriptItem[] {
  const rand = prng(options.seed ?? 20260214);
  const perType = options.perType ?? 30;
  let labels = 0;
  const nextLabel = (): number => (labels += 1);
  const items: ScriptItem[] = [];
  const add = (family: string, split: Split, templates: readonly string[], index: number): void => {
    const t = index % templates.length;
    const template = templates[t] as string;
    items.push({
      id: `${family.toLowerCase()}-${split === 'tune' ? 't' : 'h'}${String(items.filter((i) => i.template.startsWith(`${family}/`)).length + 1).padStart(3, '0')}`,
      split,
      template: `${family}/${split === 'tune' ? 't' : 'h'}${t + 1}`,
      pieces: fillTemplate(rand, template, nextLabel),
    });
  };
  for (const [type, t] of Object.entries(PII_TEMPLATES)) {
    const heldout = Math.round(perType * 0.3);
    for (let i = 0; i < perType - heldout; i += 1) add(type, 'tune', t.tune, i);
    for (let i = 0; i < heldout; i += 1) add(type, 'heldout', t.heldout, i);
  }
  for (let i = 0; i < 16; i += 1) add('COMBO', 'tune', COMBO_TEMPLATES.tune, i);
  for (let i = 0; i < 6; i += 1) add('COMBO', 'heldout', COMBO_TEMPLATES.heldout, i);
  for (let i = 0; i < 84; i += 1) add('NEAR_MISS', 'tune', NEAR_MISS_TEMPLATES.tune, i);
  for (let i = 0; i < 36; i += 1) add('NEAR_MISS', 'heldout', NEAR_MISS_TEMPLATES.heldout, i);
  // A seeded sample of the plain sentences, enough for 300 utterances without PII in all.
  for (const s of plain.filter(() => rand() < (options.plainShare ?? 0.75))) {
    items.push({
      id: `plain-${s.id}`,
      split: rand() < 0.3 ? 'heldout' : 'tune',
      template: 'PLAIN',
      pieces: [{ text: s.text }],
    });
  }
  return items;
}

/** The words the voice says (normalised as the recogniser writes them) and the entity spans over them. */
export function scriptReference(item: ScriptItem): ScriptReference {
  const words: string[] = [];
  const spans = new Map<number, { type: PiiEntityType; first: number; last: number }>();
  for (const piece of item.pieces) {
    if ('pauseMs' in piece) continue;
    const ws = normaliseWords(piece.text);
    if (piece.label !== undefined && ws.length > 0) {
      const span = spans.get(piece.label.id);
      if (span === undefined)
        spans.set(piece.label.id, {
          type: piece.label.type,
          first: words.length,
          last: words.length + ws.length - 1,
        });
      else span.last = words.length + ws.length - 1;
    }
    words.push(...ws);
  }
  return { words, entities: [...spans.values()] };
}

/** The text each voice reads, one string per stretch between long pauses, and the pauses. */
export function scriptSegments(item: ScriptItem): { readonly text: string; readonly pauseAfterMs: number }[] {
  const out: { text: string; pauseAfterMs: number }[] = [];
  let text = '';
  for (const piece of item.pieces) {
    if ('pauseMs' in piece) {
      if (text.trim() !== '') out.push({ text: text.trim(), pauseAfterMs: piece.pauseMs });
      text = '';
    } else text += piece.text;
  }
  if (text.trim() !== '') out.push({ text: text.trim(), pauseAfterMs: 0 });
  return out;
}
