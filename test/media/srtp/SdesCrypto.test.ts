import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as sdpTransform from 'sdp-transform';
import { cryptoLineFor, newMasterKey, parseCryptoLine } from '../../../src/media/srtp/SdesCrypto.js';

const KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz'; // 30 bytes: 16 key + 14 salt

/** The crypto entries sdp-transform reads from one SDP media section. */
function cryptoOf(lines: string[]) {
  const sdp = [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 4000 RTP/SAVP 0',
    ...lines,
    '',
  ];
  return sdpTransform.parse(sdp.join('\r\n')).media[0]!.crypto ?? [];
}

describe('SDES a=crypto (RFC 4568)', () => {
  test('the RFC 4568 §4 example line: suite, 16-byte key, 14-byte salt, lifetime and MKI', () => {
    const [line] = cryptoOf([`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4`]);
    const parsed = parseCryptoLine(line!);
    assert.ok(parsed);
    assert.equal(parsed.tag, 1);
    assert.equal(parsed.master.suite.name, 'AES_CM_128_HMAC_SHA1_80');
    assert.equal(parsed.master.key.length, 16);
    assert.equal(parsed.master.salt.length, 14);
    assert.equal(parsed.master.mkiLength, 4);
    assert.deepEqual(Buffer.concat([parsed.master.key, parsed.master.salt]), Buffer.from(KEY, 'base64'));
  });

  test('lines Callsight cannot honour are refused, so the next one is taken', () => {
    const refused = [
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} UNENCRYPTED_SRTP`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} UNAUTHENTICATED_SRTP`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} KDR=4`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} FUTURE_PARAM`,
      `a=crypto:1 F8_128_HMAC_SHA1_80 inline:${KEY}`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY.slice(0, 20)}`,
      `a=crypto:1 AEAD_AES_128_GCM inline:${KEY}`, // GCM keys are 28 bytes
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:9`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY};inline:${KEY}`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!notbase64!!`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 sdes:${KEY}`,
    ];
    for (const text of refused) {
      const [line] = cryptoOf([text]);
      assert.ok(line, `sdp-transform reads ${text}`);
      assert.equal(parseCryptoLine(line), null, text);
    }
    const [wsh] = cryptoOf([`a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:${KEY} WSH=64`]);
    assert.equal(parseCryptoLine(wsh!)?.tag, 7, 'a window size hint changes nothing');
  });

  test('a line we write reads back as the same key', () => {
    for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM'] as const) {
      const master = newMasterKey(suite);
      const line = cryptoLineFor(3, master);
      const [again] = cryptoOf([`a=crypto:${line.id} ${line.suite} ${line.config}`]);
      const parsed = parseCryptoLine(again!);
      assert.deepEqual(parsed, { tag: 3, master });
    }
    assert.notDeepEqual(newMasterKey('AEAD_AES_128_GCM').key, newMasterKey('AEAD_AES_128_GCM').key);
  });
});
