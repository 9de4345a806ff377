/**
 * Extractive call summary for the `Summarization` record: three to five of the call's own utterances
 * (each final utterance is taken as a sentence), chosen for the parts a
 * reader wants — the customer's issue, what the agent did, the outcome — and printed in call order
 * with the speaker and a capital letter.
 *
 * Utterances are scored with wink-nlp: lemmas of the content words (stop words and non-words left
 * out), each weighted by how often the call uses it, so the central topic of the call ranks high.
 * - issue: the customer's first utterance with a detected issue, else the customer's best-scored
 *   utterance in the first half of the call;
 * - action: up to two agent utterances that state an action ("i've refunded", "i'll send");
 * - outcome: the last customer utterance in the final third with a sentiment (goodbyes only if
 *   nothing else), else the last agent utterance that states an action or a result;
 * - then the best-scored remaining utterances until there are three sentences.
 */
import type { ParticipantRole } from './AnalyticsTypes.js';
import type { UtteranceEvent } from './UtteranceTypes.js';
import type { ItemToken, ItsFunction } from 'wink-nlp';
import { winkNlp } from './WinkNlp.js';

export type SummaryPart = 'issue' | 'action' | 'outcome' | 'context';

export interface SummarySentence {
  readonly utteranceId: string;
  readonly role: ParticipantRole;
  readonly part: SummaryPart;
  readonly text: string;
}

export interface CallSummary {
  /** What the `Summarization` record carries. */
  readonly summarization: string;
  readonly sentences: readonly SummarySentence[];
}

export interface CallSummaryOptions {
  /** At most this many sentences (default 5, at least 3). */
  readonly maxSentences?: number;
}

const ACTION =
  /\b(?:i've|i have|i'll|i will|i went ahead|i've gone ahead|we've|we have|we'll|we will|i just|i can)\b.*\b(?:refund|credit|reset|send|sent|schedul|cancel|updat|process|escalat|issu|waiv|replac|transfer|book|fix|appl|remov|add|chang|ship|reactivat|unlock|restor|reconnect|reissu|rebook|submit|file|order|upgrad|downgrad|arrang|set up|open)\w*/i;
const RESULT =
  /\b(?:all set|is fixed|resolved|has been|have been|should (?:see|receive|get|arrive|show)|will (?:arrive|receive|show|see|be))\b/i;
/** Goodbyes say nothing about the outcome when something else does. */
const CLOSING = /\b(?:bye|goodbye|have a (?:nice|good|great) day|that's all|that's everything|that's it)\b/i;
const FILLERS = /^(?:(?:um|uh|er|so|well|okay|ok|yeah|yes|oh|hi|hello|hey|alright|right) )+/i;

function readable(text: string): string {
  let s = text.replace(FILLERS, '').trim();
  if (s === '') s = text.trim();
  s = s
    .replace(/\bi\b/g, 'I')
    .replace(/\bi'(m|ve|ll|d)\b/g, "I'$1")
    .replace(/\s+/g, ' ');
  s = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

function contentLemmas(text: string): string[] {
  const nlp = winkNlp();
  // wink-nlp's its.* are plain functions that its typings declare as methods.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { type, stopWordFlag, lemma: lemmaOf } = nlp.its;
  const doc = nlp.readDoc(text);
  const out: string[] = [];
  doc.tokens().each((t: ItemToken) => {
    if (t.out(type) !== 'word' || t.out(stopWordFlag) === true) return;
    // wink-nlp's typings give its.lemma the wrong signature; it is a token its-function.
    const lemma = String(t.out(lemmaOf as unknown as ItsFunction<string>));
    if (lemma.length > 2) out.push(lemma);
  });
  return out;
}

export function summarizeCall(
  utterances: readonly UtteranceEvent[],
  options: CallSummaryOptions = {},
): CallSummary {
  const max = Math.max(3, options.maxSentences ?? 5);
  const finals = utterances
    .filter((u) => !u.IsPartial && u.Transcript.trim() !== '')
    .sort((a, b) => a.BeginOffsetMillis - b.BeginOffsetMillis);
  if (finals.length === 0) return { summarization: '', sentences: [] };

  const lemmas = finals.map((u) => contentLemmas(u.Transcript));
  const tf = new Map<string, number>();
  for (const list of lemmas) for (const l of new Set(list)) tf.set(l, (tf.get(l) ?? 0) + 1);
  const score = finals.map((u, i) => {
    const distinct = new Set(lemmas[i]);
    let s = 0;
    for (const l of distinct) s += tf.get(l) ?? 0;
    return s / (1 + Math.log(1 + u.Transcript.split(' ').length));
  });

  const chosen = new Map<number, SummaryPart>();
  const end = finals[finals.length - 1]?.EndOffsetMillis ?? 0;
  const best = (indices: number[]): number | undefined =>
    indices.sort((a, b) => (score[b] ?? 0) - (score[a] ?? 0) || a - b)[0];
  const indices = finals.map((_, i) => i);
  const customer = indices.filter((i) => finals[i]?.ParticipantRole === 'CUSTOMER');
  const agent = indices.filter((i) => finals[i]?.ParticipantRole === 'AGENT');

  // The customer's issue.
  const issue =
    customer.find((i) => (finals[i]?.IssuesDetected.length ?? 0) > 0) ??
    best(customer.filter((i) => (finals[i]?.BeginOffsetMillis ?? 0) <= end / 2));
  if (issue !== undefined) chosen.set(issue, 'issue');

  // What the agent did.
  const actions = agent.filter((i) => !chosen.has(i) && ACTION.test(finals[i]?.Transcript ?? ''));
  for (const i of actions.sort((a, b) => (score[b] ?? 0) - (score[a] ?? 0)).slice(0, 2))
    chosen.set(i, 'action');

  // The outcome.
  const late = indices.filter((i) => (finals[i]?.BeginOffsetMillis ?? 0) >= (end * 2) / 3 && !chosen.has(i));
  const reactions = late.filter(
    (i) => finals[i]?.ParticipantRole === 'CUSTOMER' && (finals[i]?.Sentiment ?? 'NEUTRAL') !== 'NEUTRAL',
  );
  const outcome =
    reactions.filter((i) => !CLOSING.test(finals[i]?.Transcript ?? '')).pop() ??
    reactions.pop() ??
    late
      .filter((i) => finals[i]?.ParticipantRole === 'AGENT' && RESULT.test(finals[i]?.Transcript ?? ''))
      .pop();
  if (outcome !== undefined) chosen.set(outcome, 'outcome');

  // Context until three sentences.
  while (chosen.size < Math.min(3, finals.length)) {
    const next = best(indices.filter((i) => !chosen.has(i)));
    if (next === undefined) break;
    chosen.set(next, 'context');
  }

  const picked = [...chosen.entries()].sort((a, b) => a[0] - b[0]).slice(0, max);
  const sentences: SummarySentence[] = picked.map(([i, part]) => {
    const u = finals[i] as UtteranceEvent;
    return { utteranceId: u.UtteranceId, role: u.ParticipantRole, part, text: readable(u.Transcript) };
  });
  const label = (s: SummarySentence): string => (s.role === 'AGENT' ? 'Agent' : 'Customer');
  return { summarization: sentences.map((s) => `${label(s)}: ${s.text}`).join(' '), sentences };
}
