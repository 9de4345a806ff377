import { createCipheriv } from 'node:crypto';
import type { SrtpMasterKey } from './SrtpSuite.js';

/** RFC 3711 §4.3.2 key derivation labels; SRTCP's are SRTP's plus 3. */
const LABEL_CIPHER = 0;
const LABEL_AUTH = 1;
const LABEL_SALT = 2;
const RTCP_LABEL_OFFSET = 3;
const AUTH_KEY_LENGTH = 20;
/** Position of the label in the 14-byte key_id ⊕ salt (label || 48-bit index, right-aligned). */
const LABEL_OFFSET = 7;

/** Session keys of one protocol (SRTP or SRTCP) in one direction. */
export interface SessionKeys {
  readonly cipherKey: Buffer;
  /** 14 bytes (AES-CM) or 12 (GCM). */
  readonly salt: Buffer;
  /** 20 bytes for HMAC-SHA1; empty for GCM, whose tag needs no key of its own. */
  readonly authKey: Buffer;
}

/**
 * The AES-CM PRF of RFC 3711 §4.3.3 with key_derivation_rate 0 (SDES keys never set one: we refuse
 * KDR), so the index term is zero: x = label at byte 7 ⊕ master salt, keystream = AES-CTR(master key,
 * x · 2^16). A 12-byte GCM salt is right-padded with zeros, as RFC 7714 §11 derives it.
 */
export function deriveKey(
  master: Pick<SrtpMasterKey, 'key' | 'salt'>,
  label: number,
  length: number,
): Buffer {
  const iv = Buffer.alloc(16);
  iv.set(master.salt, 0);
  iv[LABEL_OFFSET]! ^= label;
  const cipher = createCipheriv(`aes-${master.key.length * 8}-ctr`, master.key, iv);
  return cipher.update(Buffer.alloc(length));
}

export function deriveSessionKeys(master: SrtpMasterKey, protocol: 'rtp' | 'rtcp'): SessionKeys {
  const offset = protocol === 'rtp' ? 0 : RTCP_LABEL_OFFSET;
  const hmac = master.suite.kind === 'aes-cm-hmac-sha1';
  return {
    cipherKey: deriveKey(master, LABEL_CIPHER + offset, master.suite.masterKeyLength),
    salt: deriveKey(master, LABEL_SALT + offset, master.suite.masterSaltLength),
    authKey: hmac ? deriveKey(master, LABEL_AUTH + offset, AUTH_KEY_LENGTH) : Buffer.alloc(0),
  };
}
