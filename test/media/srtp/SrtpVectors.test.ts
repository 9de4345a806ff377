import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveKey, deriveSessionKeys } from '../../../src/media/srtp/SrtpKeyDerivation.js';
import { SrtpSession } from '../../../src/media/srtp/SrtpSession.js';
import { SRTP_SUITES, type SrtpSuiteName } from '../../../src/media/srtp/SrtpSuite.js';
import { AesCmHmacTransform } from '../../../src/media/srtp/SrtpTransform.js';

/*
 * Known answers. RFC 3711 Appendix B.2 (AES-CM keystream) and B.3 (key derivation); whole packets
 * from libsrtp's srtp_validate() (AES_CM_128_HMAC_SHA1_80, its _32 truncation, SRTCP) and its
 * AEAD_AES_128_GCM vectors: what any interoperable SRTP stack must produce byte for byte.
 */
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const MASTER_KEY = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
const MASTER_SALT = hex('0EC675AD498AFEEBB6960B3AABE6');
/** libsrtp's GCM test key: 00…0f, salt a0…ab. */
const GCM_KEY = hex('000102030405060708090A0B0C0D0E0F');
const GCM_SALT = hex('A0A1A2A3A4A5A6A7A8A9AAAB');
const RTP_PLAIN = hex('800f1234 decafbad cafebabe' + 'ab'.repeat(16));
const RTCP_PLAIN = hex('81c8000b cafebabe' + 'ab'.repeat(16));

const session = (suite: SrtpSuiteName, key: Buffer, salt: Buffer) =>
  new SrtpSession({ suite: SRTP_SUITES[suite], key, salt, mkiLength: 0 });

describe('SRTP known answers', () => {
  test('RFC 3711 B.3: session keys derived from the master key, kdr 0', () => {
    const master = { key: MASTER_KEY, salt: MASTER_SALT };
    assert.equal(deriveKey(master, 0, 16).toString('hex'), 'c61e7a93744f39ee10734afe3ff7a087');
    assert.equal(deriveKey(master, 2, 14).toString('hex'), '30cbbc08863d8c85d49db34a9ae1');
    // The auth key's PRF output, 94 bytes of it as B.3 lists (we use the first 20).
    assert.equal(
      deriveKey(master, 1, 94).toString('hex'),
      'cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbce' +
        'e049646c43d9327ad175578ef72270986371c10c9a369ac2f94a8c5fbcdddc25' +
        '6d6e919a48b610ef17c2041e474035766b68642c59bbfc2f34db60dbdfb2',
    );
    const keys = deriveSessionKeys(
      { suite: SRTP_SUITES.AES_CM_128_HMAC_SHA1_80, ...master, mkiLength: 0 },
      'rtp',
    );
    assert.equal(keys.authKey.toString('hex'), 'cebe321f6ff7716b6fd4ab49af256a156d38baa4');
  });

  test('RFC 3711 B.2: the AES-CM keystream of SSRC 0, index 0, blocks 0–2 and FEFF–FF01', () => {
    const transform = new AesCmHmacTransform(
      {
        cipherKey: hex('2B7E151628AED2A6ABF7158809CF4F3C'),
        salt: hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
        authKey: Buffer.alloc(20),
      },
      { cipherKey: Buffer.alloc(16), salt: Buffer.alloc(14), authKey: Buffer.alloc(20) },
      10,
      10,
    );
    const header = hex('80000000 00000000 00000000');
    const zeros = Buffer.alloc(0xff02 * 16);
    const keystream = transform
      .protectRtp(Buffer.concat([header, zeros]), 12, 0, 0, 0)
      .subarray(12, 12 + zeros.length);
    const block = (n: number) =>
      keystream
        .subarray(n * 16, n * 16 + 16)
        .toString('hex')
        .toUpperCase();
    assert.equal(block(0), 'E03EAD0935C95E80E166B16DD92B4EB4');
    assert.equal(block(1), 'D23513162B02D0F72A43A2FE4A5F97AB');
    assert.equal(block(2), '41E95B3BB0A2E8DD477901E4FCA894C0');
    assert.equal(block(0xfeff), 'EC8CDF7398607CB0F2D21675EA9EA1E4');
    assert.equal(block(0xff00), '362B7C3C6773516318A077D7FC5073AE');
    assert.equal(block(0xff01), '6A2CC3787889374FBEB4C81B17BA6C44');
  });

  const vectors: { suite: SrtpSuiteName; key: Buffer; salt: Buffer; rtp: string; rtcp: string }[] = [
    {
      suite: 'AES_CM_128_HMAC_SHA1_80',
      key: MASTER_KEY,
      salt: MASTER_SALT,
      rtp: '800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb',
      rtcp: '81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798',
    },
    {
      // The same keystream; only the SRTP tag is cut to 4 bytes (SRTCP keeps 10: RFC 4568 §6.2.2).
      suite: 'AES_CM_128_HMAC_SHA1_32',
      key: MASTER_KEY,
      salt: MASTER_SALT,
      rtp: '800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc',
      rtcp: '81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798',
    },
    {
      suite: 'AEAD_AES_128_GCM',
      key: GCM_KEY,
      salt: GCM_SALT,
      rtp: '800f1234decafbadcafebabe c5002ede04cfdd2eb91159e0880aa06e d2976826f796b201df3131a127e8a392',
      rtcp: '81c8000bcafebabe c98b8b5df0392a55852b6c21ac8e7025 c52c6fbea2b3b446ea31123ba88ce61e 80000001',
    },
  ];
  for (const vector of vectors) {
    test(`${vector.suite}: protect gives the reference packet, unprotect gives the plain one back`, () => {
      const sender = session(vector.suite, vector.key, vector.salt);
      const receiver = session(vector.suite, vector.key, vector.salt);
      assert.equal(sender.protectRtp(RTP_PLAIN).toString('hex'), hex(vector.rtp).toString('hex'));
      assert.deepEqual(receiver.unprotectRtp(hex(vector.rtp)), RTP_PLAIN);
      assert.equal(sender.protectRtcp(RTCP_PLAIN).toString('hex'), hex(vector.rtcp).toString('hex'));
      assert.deepEqual(receiver.unprotectRtcp(hex(vector.rtcp)), RTCP_PLAIN);
    });
  }
});
