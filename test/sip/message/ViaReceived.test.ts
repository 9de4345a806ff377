import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHeaders } from '../../../src/sip/message/SipHeaders.js';
import { stampReceived } from '../../../src/sip/message/ViaReceived.js';

const SOURCE = { address: '203.0.113.7', port: 41234 };

function stamped(...vias: string[]): string[] {
  const headers = new SipHeaders([['from', '<sip:a@b>'], ...vias.map((v) => ['via', v] as [string, string])]);
  stampReceived(headers, SOURCE);
  return headers.getAll('via');
}

describe('stampReceived (RFC 3581 §4, RFC 3261 §18.2.1)', () => {
  test('an empty rport gets the source port, and received the source address', () => {
    assert.deepEqual(stamped('SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKa;rport'), [
      'SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKa;received=203.0.113.7;rport=41234',
    ]);
  });

  test('rport asks for received even when the sent-by is the source address', () => {
    assert.deepEqual(stamped('SIP/2.0/UDP 203.0.113.7:5060;rport;branch=z9hG4bKa'), [
      'SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bKa;received=203.0.113.7;rport=41234',
    ]);
  });

  test('without rport: received only when the sent-by host is not the source address', () => {
    assert.deepEqual(stamped('SIP/2.0/TCP pbx.example.com;branch=z9hG4bKa'), [
      'SIP/2.0/TCP pbx.example.com;branch=z9hG4bKa;received=203.0.113.7',
    ]);
    const same = 'SIP/2.0/UDP 203.0.113.7:5070;branch=z9hG4bKa';
    assert.deepEqual(stamped(same), [same]);
  });

  test('only the top entry is stamped, in a joined header or in separate ones; a forged received is replaced', () => {
    assert.deepEqual(
      stamped(
        'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKtop;received=6.6.6.6;rport=1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKx;rport',
        'SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKy;rport',
      ),
      [
        'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKtop;received=203.0.113.7;rport=41234, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKx;rport',
        'SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKy;rport',
      ],
    );
  });

  test('a top Via that does not parse, or none, is left alone', () => {
    assert.deepEqual(stamped('garbage'), ['garbage']);
    const none = new SipHeaders([['from', '<sip:a@b>']]);
    stampReceived(none, SOURCE);
    assert.deepEqual(none.getAll('via'), []);
  });
});
