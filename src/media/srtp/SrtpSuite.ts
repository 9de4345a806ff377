/**
 * The SRTP crypto suites Callsight speaks, by their SDES names (RFC 4568 §6.2, RFC 7714 §14.2).
 * Both AES-CM suites share keys and SRTCP (80-bit tag); they differ only in the SRTP tag length.
 */
export type SrtpSuiteName = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32' | 'AEAD_AES_128_GCM';

export interface SrtpSuite {
  readonly name: SrtpSuiteName;
  /** AES counter mode with HMAC-SHA1 (RFC 3711), or AES-GCM, an AEAD (RFC 7714). */
  readonly kind: 'aes-cm-hmac-sha1' | 'aead-aes-gcm';
  readonly masterKeyLength: number;
  readonly masterSaltLength: number;
  /** Bytes of authentication tag on SRTP packets (for GCM, the AEAD tag). */
  readonly rtpTagLength: number;
  readonly rtcpTagLength: number;
}

export const SRTP_SUITES: Readonly<Record<SrtpSuiteName, SrtpSuite>> = {
  AES_CM_128_HMAC_SHA1_80: {
    name: 'AES_CM_128_HMAC_SHA1_80',
    kind: 'aes-cm-hmac-sha1',
    masterKeyLength: 16,
    masterSaltLength: 14,
    rtpTagLength: 10,
    rtcpTagLength: 10,
  },
  AES_CM_128_HMAC_SHA1_32: {
    name: 'AES_CM_128_HMAC_SHA1_32',
    kind: 'aes-cm-hmac-sha1',
    masterKeyLength: 16,
    masterSaltLength: 14,
    rtpTagLength: 4,
    rtcpTagLength: 10,
  },
  AEAD_AES_128_GCM: {
    name: 'AEAD_AES_128_GCM',
    kind: 'aead-aes-gcm',
    masterKeyLength: 16,
    masterSaltLength: 12,
    rtpTagLength: 16,
    rtcpTagLength: 16,
  },
};

/** Our order of preference when we offer (strongest first); an offer is answered in the offerer's order. */
export const OFFERED_SUITES: readonly SrtpSuiteName[] = [
  'AEAD_AES_128_GCM',
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
];

export function suiteNamed(name: string): SrtpSuite | null {
  return Object.hasOwn(SRTP_SUITES, name) ? SRTP_SUITES[name as SrtpSuiteName] : null;
}

/** One direction's keying: the master key and salt a crypto line carried, for one suite. */
export interface SrtpMasterKey {
  readonly suite: SrtpSuite;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
  /** Bytes of MKI each packet carries before its tag (RFC 3711 §3.1), 0 without MKI. */
  readonly mkiLength: number;
}

export function sameMasterKey(a: SrtpMasterKey, b: SrtpMasterKey): boolean {
  return (
    a.suite === b.suite &&
    a.mkiLength === b.mkiLength &&
    Buffer.compare(a.key, b.key) === 0 &&
    Buffer.compare(a.salt, b.salt) === 0
  );
}
