/**
 * Issue detection (TCA `IssuesDetected`): the parts of a customer's utterance that state a problem
 * ("i was charged twice", "my internet keeps dropping", "i can't log in"), as character offsets into
 * the transcript.
 *
 * A rule model over ASR words, evaluated on test/fixtures/analytics/issues.jsonl (docs/analytics.md):
 * the utterance is cut into clauses at conjunctions; a clause is an issue when it matches one of the
 * problem patterns below (failure to work, malfunction, billing error, non-delivery, account
 * security, a request to cancel, return or be refunded) and none of the resolution patterns ("no
 * problem", "it's working now"); a later "but it's fine" withdraws the issue. Adjacent issue
 * clauses form one span, which starts after discourse openers ("hi yeah", "the problem is").
 * Questions ("is there a problem with my account") are not statements of an issue.
 *
 * Like Transcribe, only the customer's utterances are examined by default (`roles`).
 */
import type { IssueDetected, ParticipantRole } from './AnalyticsTypes.js';
import { parseTranscript, wordSpan, type TranscriptText } from './TranscriptText.js';

export interface IssueDetectorOptions {
  /** Roles whose utterances are examined (default CUSTOMER only). */
  readonly roles?: readonly ParticipantRole[];
}

const NEG =
  "(?:can't|cannot|couldn't|unable to|not able to|won't|wouldn't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|haven't|hasn't|never|not)";
const CAPABILITY =
  '(?:work|working|log|login|sign|access|connect|connecting|load|loading|open|turn|start|charge|charging|pair|print|drain|let|reset|update|find|make|receive|received|arrive|arrived|show|showed|shown|get|got|gotten|hear|heard|send|sent|pay|go|sync|syncing|read|reading|pick|picking|recognize|accept|respond|call|called|come|came|fit|stay|play|boot|install|activate|transfer|cool|heat)';

/** Each pattern is matched against one clause (its words joined by single spaces). */
const PROBLEM_PATTERNS: readonly RegExp[] = [
  // Failure to work: "i can't log in", "my phone won't turn on", "it doesn't work".
  new RegExp(`\\b${NEG} (?:\\w+ ){0,2}?(?:been able to |even )?${CAPABILITY}\\b`),
  new RegExp(`\\b(?:stopped|quit|stops) (?:working|charging|responding|\\w+ing)\\b`),
  /\b(?:not|isn't|aren't) (?:working|getting|charging|loading|connecting|responding|syncing|reading|picking)\b/,
  /\b(?:having|have|had) (?:a )?(?:trouble|problems?|issues?|difficult(?:y|ies))\b/,
  // Malfunction: "keeps dropping", "the app crashes", "is leaking".
  /\b(?:keeps?|kept|constantly|always) (?:\w+ing|getting)\b/,
  /\b(?:crash(?:es|ing|ed)?|freez(?:es|ing)|froze|frozen|buffering|overheating|flickering|dropping|drops out|disconnect(?:s|ed|ing)?|rebooting|restarting|leaking|flooding|drains|draining|lagging|glitch(?:es|ing)?|beeping|stuck)\b/,
  /\b(?:is|are|was|were|got|get|gets|arrived|came|been|it's|they're) (?:\w+ )?(?:broken|cracked|damaged|leaking|frozen|stuck|missing|wrong|late|down|cold|dead|locked|hacked|cancell?ed|declined|denied|lost|disconnected|delayed|defective|faulty|ruined|wet)\b/,
  /\b(?:broken|cracked|damaged|defective|faulty)\b/,
  /\b(?:makes?|making|made) (?:a )?(?:\w+ )?(?:noise|sound|smell)\b/,
  /\b(?:is|are|was|were|arrived|came|running) (?:\w+ ){0,3}(?:late|overdue)\b/,
  /\b(?:no|zero) (?:signal|service|hot water|internet|power|dial tone|sound|picture|connection|heat|reception)\b/,
  /\b(?:too|really|very|so|way too|extremely) (?:slow|loud|expensive|high|hot|noisy)\b/,
  /\b(?:slow|nowhere near|out of ink)\b/,
  /\b(?:missing|disappeared|lost (?:its|my|all|the))\b/,
  /\bwrong (?:item|size|model|address|amount|order|product|color|colour|part|one|number|price|bill)\b/,
  /\b(?:says|said|saying|shows?) (?:\w+ )?(?:out of|delivered|failed|error|declined|expired|negative)\b/,
  // Billing: "charged twice", "double billed", "a charge i don't recognize".
  /\b(?:charged|billed|debited|taken) (?:me )?(?:twice|double|two times|again|for)\b/,
  /\b(?:double|over)[ -]?(?:charged|billed|charging)\b|\bovercharg\w*\b/,
  /\b(?:charge|charges|payment|transaction)\b.*\b(?:don't|didn't|never) (?:recognize|authorize|make|made)\b/,
  /\b(?:took|taken|take|taking) money\b|\bwithout (?:my |any )?(?:permission|consent|explanation|notice|asking)\b/,
  /\b(?:bill|billed|charged|charging|invoice|invoiced)\b.*\b(?:i|we) (?:cancell?ed|didn't|never|don't)\b/,
  /\b(?:late fee|higher than|more than (?:it should|usual|i should|expected)|different from|unauthori[sz]ed)\b/,
  // Non-delivery: "never arrived", "still haven't received", "left at the wrong address".
  /\bnever (?:arrived|came|received|showed up|got|happened|called|heard)\b/,
  /\b(?:haven't|hasn't|didn't|still haven't|never) (?:\w+ )?(?:received|arrived|got|gotten|shown up|showed up|come|heard|called)\b/,
  /\b(?:left|delivered|sent|shipped) (?:\w+ )?(?:at|to) the wrong\b/,
  /\bnobody (?:has |ever )?(?:called|calls|helped|came|showed)\b/,
  // Account security.
  /\b(?:hacked|stolen|fraud\w*|locked out|someone used|scam\w*)\b/,
  // Explicit problem words: "there's an issue with my invoice", "the problem is".
  /\b(?:problem|issue|trouble|error|fault|glitch|bug)s? (?:with|on|is|when|in)\b/,
  /\bthere's (?:a|an|some) (?:problem|issue|error|mistake)\b|\b(?:an )?error\b|\bfailed\b|\bmistake\b/,
  /\b(?:got|was|were|been|has been|have been) (?:\w+ )?(?:cancell?ed|declined|denied|suspended|disconnected|cut off|shut off)\b/,
  /\bcancell?ed (?:my|our|the)\b/,
  // Remedy requests: cancel, dispute, return, refund.
  /\b(?:want|wanted|would like|i'd like|need|needs|trying) to (?:cancel|dispute|return|complain|report)\b/,
  /\b(?:want|need|would like|i'd like|demand) (?:a |my )?(?:full )?refund\b|\brefund for\b/,
];

/** A clause matching one of these states that things are fine, whatever else it contains. */
const RESOLVED_PATTERNS: readonly RegExp[] = [
  /\b(?:no|not a|not any|don't have any|doesn't have any|never had any|without any) (?:\w+ )?(?:problems?|issues?|trouble|complaints?)\b/,
  /\b(?:is|are|was|got|been|it's|that's|now) (?:all |finally )?(?:fixed|resolved|sorted|working|fine|perfect)\b/,
  /\bworks? (?:now|fine|great|perfectly|again)\b|\bfixed it\b|\bnever mind\b|\bsince you\b/,
];

/** After an issue, these withdraw it ("i got the wrong size but it's fine i'll keep it"). */
const DISMISSAL = /\b(?:it's|that's|its) (?:fine|okay|ok|alright|all right|no problem)\b/;

/** A clause opening like this asks a question rather than stating a problem. */
const QUESTION_START =
  /^(?:is|are|was|were|can|could|would|will|do|does|did|how|what|when|where|why|which|who|should|may)\b/;

/** Openers dropped from the start of an issue span. */
const OPENERS =
  /^(?:(?:hi|hello|hey|yeah|yes|yep|okay|ok|so|well|um|uh|oh|and|sorry|alright) )*(?:(?:i'm|i am) calling (?:because|about|since) |the (?:problem|issue) is (?:that )?|i think (?:that )?|(?:i )?got an (?:email|text|message) saying (?:that )?|yes )*/;

const CLAUSE_BREAKS = new Set(['and', 'but', 'because', 'although', 'though', 'so', 'which', 'then']);

interface Clause {
  readonly first: number;
  readonly last: number;
}

function clauses(t: TranscriptText): Clause[] {
  const out: Clause[] = [];
  let first = 0;
  for (let i = 0; i < t.words.length; i += 1) {
    const w = t.words[i] ?? '';
    // "so" only breaks a clause when it is not an intensifier ("so slow").
    const breaks =
      CLAUSE_BREAKS.has(w) &&
      !(w === 'so' && i + 1 < t.words.length && /^(?:slow|much|bad|many|long)$/.test(t.words[i + 1] ?? ''));
    if (breaks && i > first) {
      out.push({ first, last: i - 1 });
      first = i;
    }
  }
  if (first < t.words.length) out.push({ first, last: t.words.length - 1 });
  return out;
}

function clauseText(t: TranscriptText, c: Clause): string {
  return t.words.slice(c.first, c.last + 1).join(' ');
}

/** Words of `c` that the openers take, counted from its first word. */
function openerWords(text: string): number {
  const m = OPENERS.exec(text);
  if (m === null || m[0] === '') return 0;
  return m[0].trim().split(' ').length;
}

export function detectIssues(
  transcript: string,
  role: ParticipantRole = 'CUSTOMER',
  options: IssueDetectorOptions = {},
): IssueDetected[] {
  const roles = options.roles ?? ['CUSTOMER'];
  if (!roles.includes(role)) return [];
  const t = parseTranscript(transcript.toLowerCase());
  const list = clauses(t);
  const flagged: boolean[] = list.map((c) => {
    // Leading conjunctions belong to the previous clause's boundary, not to this clause's content.
    const text = clauseText(t, c).replace(/^(?:and|but|because|although|though|so|which|then) /, '');
    if (QUESTION_START.test(text.replace(OPENERS, ''))) return false;
    if (RESOLVED_PATTERNS.some((re) => re.test(text))) return false;
    return PROBLEM_PATTERNS.some((re) => re.test(text));
  });
  // "… but it's fine": a later dismissal withdraws the issues before it.
  for (let k = 0; k < list.length; k += 1) {
    if (flagged[k] !== true) continue;
    for (let j = k + 1; j < list.length; j += 1) {
      if (DISMISSAL.test(clauseText(t, list[j] as Clause))) {
        flagged[k] = false;
        break;
      }
    }
  }

  const issues: IssueDetected[] = [];
  for (let k = 0; k < list.length; k += 1) {
    if (flagged[k] !== true) continue;
    let end = k;
    while (end + 1 < list.length && flagged[end + 1] === true) end += 1;
    const first = list[k] as Clause;
    const last = list[end] as Clause;
    let from = first.first;
    // A span never starts with the conjunction that opened its clause.
    if (k > 0 && CLAUSE_BREAKS.has(t.words[from] ?? '')) from += 1;
    from += openerWords(t.words.slice(from, first.last + 1).join(' '));
    if (from > last.last) from = first.first;
    const span = wordSpan(t, from, last.last);
    issues.push({ CharacterOffsets: { Begin: span.begin, End: span.end } });
    k = end;
  }
  return issues;
}
