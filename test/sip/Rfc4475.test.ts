import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import { negotiate } from '../../src/connector/MediaNegotiation.js';
import { SipRejection, type CallHandler } from '../../src/sip/CallHandlerTypes.js';
import { SipParseError, parseSipMessage } from '../../src/sip/message/SipParser.js';
import { startLoopbackUas } from './support/loopbackUas.js';

/*
 * RFC 4475's torture messages, each sent in one UDP datagram to a real SipUserAgent, against the
 * ratchet in fixtures/rfc4475/baseline.json (what the RFC expects, and what Callsight did).
 */
const DIR = new URL('./fixtures/rfc4475/', import.meta.url);
interface Entry {
  readonly section: string;
  readonly expected: readonly string[];
  readonly observed: string;
}
const baseline = JSON.parse(readFileSync(new URL('baseline.json', DIR), 'utf8')) as {
  messages: Record<string, Entry>;
};
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .map((f) => f.slice(0, -4))
  .sort();
/** How long a request may go unanswered before its outcome is `none`. */
const ANSWER_WAIT_MS = 400;

/** The real SDP negotiation (415, 488, 400 come from it), then 486: no dialog to clean up. */
const handler: CallHandler = {
  // async: a throw must reject, as the connector's does
  async offer(invite) {
    negotiate(invite, 2);
    throw new SipRejection('CS_ERR_SIP_PEER_REFUSED', 'Busy Here', { status: 486 });
  },
  confirmed: () => undefined,
  ended: () => undefined,
};

/**
 * The final statuses that came back for one datagram, read from the status lines alone: a 400 may
 * copy the request's broken headers, which a strict parser on this side would refuse.
 */
async function finalStatuses(data: Buffer, port: number): Promise<{ outcome: string; text: string }> {
  const socket = createSocket('udp4');
  const statuses = new Set<string>();
  let text = '';
  socket.on('message', (reply) => {
    const status = /^SIP\/2\.0 ([2-6]\d\d) /.exec(reply.toString('latin1'))?.[1];
    if (status) statuses.add(status);
    if (status) text += reply.toString('latin1');
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.send(data, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, ANSWER_WAIT_MS));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { outcome: [...statuses].join(',') || 'none', text };
}

function isResponseText(data: Buffer): boolean {
  return data.subarray(0, 8).toString('latin1') === 'SIP/2.0 ';
}

describe('RFC 4475 torture messages', () => {
  const outcomes = new Map<string, string>();
  /** The final responses' text, for the headers RFC 4475 expects with them. */
  const answers = new Map<string, string>();

  before(async () => {
    for (const name of fixtures) {
      const data = readFileSync(new URL(`${name}.dat`, DIR));
      if (isResponseText(data)) {
        try {
          parseSipMessage(data);
          outcomes.set(name, 'parsed');
        } catch (err) {
          assert.ok(err instanceof SipParseError, `${name}: ${String(err)}`);
          outcomes.set(name, 'refused');
        }
        continue;
      }
      // A fresh user agent each: several messages share a Via branch and sent-by, which one agent
      // would rightly take for retransmissions of one transaction.
      const uas = await startLoopbackUas(handler);
      try {
        const { outcome, text } = await finalStatuses(data, uas.udpPort);
        outcomes.set(name, outcome);
        answers.set(name, text);
      } finally {
        await uas.close();
      }
    }
  });

  test('every fixture has a baseline entry and every entry a fixture', () => {
    assert.deepEqual(fixtures, Object.keys(baseline.messages).sort());
  });

  test('no message that conformed has stopped conforming', () => {
    const regressed = fixtures.filter((name) => {
      const entry = baseline.messages[name]!;
      return entry.expected.includes(entry.observed) && !entry.expected.includes(outcomes.get(name)!);
    });
    const detail = regressed.map(
      (n) =>
        `${n} (§${baseline.messages[n]!.section}): ${outcomes.get(n)}, RFC: ${baseline.messages[n]!.expected.join(' or ')}`,
    );
    assert.deepEqual(detail, []);
  });

  test('the baseline is current: what changed is recorded (it may only improve)', () => {
    const changed = fixtures
      .filter((name) => outcomes.get(name) !== baseline.messages[name]!.observed)
      .map((n) => `${n}: baseline ${baseline.messages[n]!.observed}, now ${outcomes.get(n)}`);
    assert.deepEqual(changed, [], 'update "observed" in fixtures/rfc4475/baseline.json');
  });

  test('the probed failures are fixed: wsinv and intmeth parsed, bext01 → 420, sdp01 → 415', () => {
    assert.equal(outcomes.get('wsinv'), '481', 'wsinv is parsed: a re-INVITE (To has a tag) of no dialog');
    assert.equal(outcomes.get('intmeth'), '501', 'intmeth is parsed (an unknown method)');
    assert.equal(outcomes.get('bext01'), '420');
    // RFC 3261 §8.2.2.3: the 420 lists the Require tags not supported (Proxy-Require is for proxies).
    assert.match(answers.get('bext01')!, /^Unsupported: nothingSupportsThis, nothingSupportsThisEither\r$/im);
    assert.equal(outcomes.get('sdp01'), '415');
    // RFC 3261 §21.4.13: the 415 says what would be accepted.
    assert.match(answers.get('sdp01')!, /^Accept: application\/sdp\b/im);
  });
});
