import { randomBytes } from 'node:crypto';
import { suiteNamed, type SrtpMasterKey, type SrtpSuiteName, SRTP_SUITES } from './SrtpSuite.js';

/**
 * SDES (RFC 4568 §9.1): one `a=crypto` attribute, the suite and the master key its sender encrypts
 * with. Only what Callsight can honour is accepted: one inline key (several need MKI-based switching),
 * any lifetime (a call never reaches 2^31 packets), an MKI of up to 4 bytes, and the session
 * parameters that change nothing for us (WSH). UNENCRYPTED_*, UNAUTHENTICATED_SRTP, KDR, FEC_* and
 * unknown ones make the line unacceptable, as §6.3 asks, so the answerer takes the next line.
 *
 *   a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<mki>:<mki length>] [<session params>]
 */
export interface SdesCrypto {
  readonly tag: number;
  readonly master: SrtpMasterKey;
}

/** The parts of one a=crypto line (sdp-transform's `crypto` entries hold them under these names). */
export interface CryptoLine {
  readonly id: number;
  readonly suite: string;
  readonly config: string;
  readonly sessionConfig?: string;
}

const KEY_INFO = /^inline:([A-Za-z0-9+/]+={0,2})(?:\|((?:2\^)?\d+))?(?:\|(\d+):(\d+))?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HARMLESS_SESSION_PARAM = /^WSH=\d+$/;
const MAX_MKI_LENGTH = 4;

/** The line's suite and key, or null when Callsight cannot honour it (see above). */
export function parseCryptoLine(line: CryptoLine): SdesCrypto | null {
  if (!Number.isInteger(line.id) || line.id < 0 || line.id > 999_999_999) return null;
  const suite = suiteNamed(line.suite);
  if (!suite) return null;
  const params = (line.sessionConfig ?? '').split(/\s+/).filter(Boolean);
  if (!params.every((p) => HARMLESS_SESSION_PARAM.test(p))) return null;
  // One key-param only: `;` separates several keys.
  const match = KEY_INFO.exec(line.config);
  if (!match || !BASE64.test(match[1]!)) return null;
  const keySalt = Buffer.from(match[1]!, 'base64');
  if (keySalt.length !== suite.masterKeyLength + suite.masterSaltLength) return null;
  const mkiLength = match[4] === undefined ? 0 : Number(match[4]);
  if (mkiLength < 0 || mkiLength > MAX_MKI_LENGTH || (match[4] !== undefined && mkiLength === 0)) return null;
  return {
    tag: line.id,
    master: {
      suite,
      key: keySalt.subarray(0, suite.masterKeyLength),
      salt: keySalt.subarray(suite.masterKeyLength),
      mkiLength,
    },
  };
}

/** A fresh random master key and salt for what we send (RFC 4568 §6.1: a key per direction). */
export function newMasterKey(suiteName: SrtpSuiteName): SrtpMasterKey {
  const suite = SRTP_SUITES[suiteName];
  const bytes = randomBytes(suite.masterKeyLength + suite.masterSaltLength);
  return {
    suite,
    key: bytes.subarray(0, suite.masterKeyLength),
    salt: bytes.subarray(suite.masterKeyLength),
    mkiLength: 0,
  };
}

/** The a=crypto entry announcing `master` under `tag` (no lifetime, no MKI: we never rekey). */
export function cryptoLineFor(tag: number, master: SrtpMasterKey): CryptoLine {
  return {
    id: tag,
    suite: master.suite.name,
    config: `inline:${Buffer.concat([master.key, master.salt]).toString('base64')}`,
  };
}
