import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallsightError } from '../../src/platform/errors.js';
import { SipRejection } from '../../src/sip/CallHandlerTypes.js';

describe('SipRejection', () => {
  test("answers with its code's status unless given another, and is a CallsightError", () => {
    const noCodec = new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
      extraHeaders: { Warning: '305 callsight "no PCMU or PCMA audio stream offered"' },
    });
    assert.ok(noCodec instanceof CallsightError);
    assert.deepEqual(
      [noCodec.code, noCodec.status, noCodec.reason],
      ['CS_ERR_SDP_NO_CODEC', 488, 'Not Acceptable Here'],
    );
    assert.equal(noCodec.message, '488 Not Acceptable Here');
    assert.equal(noCodec.extraHeaders.Warning, '305 callsight "no PCMU or PCMA audio stream offered"');
    const busy = new SipRejection('CS_ERR_SIP_PEER_REFUSED', 'Busy Here', { status: 486 });
    assert.deepEqual(
      [busy.code, busy.status, busy.message],
      ['CS_ERR_SIP_PEER_REFUSED', 486, '486 Busy Here'],
    );
    assert.deepEqual(busy.extraHeaders, {});
  });

  test('the reason phrase is one line of printable text, at most 160 characters', () => {
    const reason = new SipRejection('CS_ERR_SIPREC_METADATA_INVALID', 'bad\r\nInjected: header\0\x85 here ')
      .reason;
    assert.equal(reason, 'bad Injected: header here');
    const long = new SipRejection('CS_ERR_SIPREC_METADATA_INVALID', 'x'.repeat(500)).reason;
    assert.equal(long, `${'x'.repeat(157)}...`);
  });
});
