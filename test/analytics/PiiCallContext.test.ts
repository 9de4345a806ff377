import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UtteranceAnalyzer } from '../../src/analytics/index.js';
import { PII_PROMPT_GAP_MS, PiiCallContext } from '../../src/analytics/PiiCallContext.js';
import { utteranceFromText } from './callFixture.js';

const AGENT = 0;
const CUSTOMER = 1;

/**
 * A call as the call analytics processor reads it: each final and partial of either channel goes
 * through the analyzer with what PiiCallContext says it is read with, and finals are added to it.
 */
function call(): {
  say: (channel: number, text: string, startMs: number, partial?: boolean) => string;
} {
  const pii = new PiiCallContext();
  const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
  return {
    say(channel, text, startMs, partial = false) {
      const u = utteranceFromText('u', channel === AGENT ? 'AGENT' : 'CUSTOMER', text, startMs, 300);
      const before = pii.before(channel, startMs);
      const { event } = analyzer.analyze({
        ...u,
        isPartial: partial,
        piiContext: before.context,
        piiPrompt: before.prompt,
      });
      if (!partial) pii.addFinal(channel, text.split(' '), startMs, u.endMs);
      return event.Transcript;
    },
  };
}

describe('PiiCallContext: the other side’s question types the answer', () => {
  test('an answer without a cue takes the cue of the question before it', () => {
    const c = call();
    assert.equal(
      c.say(AGENT, 'thank you and the security code on the back', 0),
      'thank you and the security code on the back',
    );
    assert.equal(c.say(CUSTOMER, 'four two seven', 4000), '[PII]');
    assert.equal(
      c.say(AGENT, 'and what is the pin on the account', 6000),
      'and what is the pin on the account',
    );
    assert.equal(c.say(CUSTOMER, 'sure it is one five two seven', 9000), 'sure it is [PII]');
    assert.equal(c.say(AGENT, 'can i have your name please', 12_000), 'can i have your name please');
    assert.equal(c.say(CUSTOMER, 'yeah bill green', 14_000), 'yeah [PII]');
  });

  test('without the question the same answers are not PII; an old question no longer counts', () => {
    const c = call();
    assert.equal(c.say(CUSTOMER, 'four two seven', 0), 'four two seven');
    assert.equal(c.say(CUSTOMER, 'yeah bill green', 3000), 'yeah bill green');
    c.say(AGENT, 'and the security code on the back', 5000);
    assert.equal(c.say(CUSTOMER, 'four two seven', 8000 + PII_PROMPT_GAP_MS), 'four two seven');
  });

  test('a question for something that is not PII keeps the answer as it is', () => {
    const c = call();
    c.say(AGENT, 'what is the order number', 0);
    assert.equal(c.say(CUSTOMER, 'four two seven one', 3000), 'four two seven one');
  });

  test('the answer’s partials are masked until its final', () => {
    const c = call();
    c.say(AGENT, 'and the expiration date', 0);
    assert.match(c.say(CUSTOMER, 'oh for', 3000, true), /^(?:\[PII\] ?)+$/);
    c.say(AGENT, 'who am i speaking with', 6000);
    assert.match(c.say(CUSTOMER, 'it is maria', 8000, true), /^(?:\[PII\] ?)+$/);
  });

  test('the speaker’s own words come first: the question is the other channel’s last final', () => {
    const pii = new PiiCallContext();
    pii.addFinal(AGENT, ['your', 'card', 'number', 'please'], 0, 2000);
    pii.addFinal(CUSTOMER, ['sure', 'it', 'is'], 2500, 3500);
    assert.deepEqual(pii.before(CUSTOMER, 4000), {
      context: ['sure', 'it', 'is'],
      prompt: ['your', 'card', 'number', 'please'],
    });
    assert.deepEqual(pii.before(AGENT, 4000).prompt, ['sure', 'it', 'is']);
  });
});
