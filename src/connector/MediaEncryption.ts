import { newMasterKey, parseCryptoLine, type CryptoLine } from '../media/srtp/SdesCrypto.js';
import { OFFERED_SUITES, type SrtpMasterKey } from '../media/srtp/SrtpSuite.js';

/**
 * `media.encryption`, the SRTP policy for every stream Callsight terminates or relays:
 *   off       plain RTP only. RTP/SAVP m-lines are refused (port 0; 488 if nothing else is
 *             acceptable); a=crypto on an RTP/AVP line is ignored, as RFC 4568 §7.1.1 lets an
 *             answerer that does not do SDES, and the stream is answered plain.
 *   optional  (default) an SRTP offer — RTP/SAVP, or RTP/AVP carrying a=crypto (best-effort SRTP,
 *             as baresip's mediaenc=srtp sends it) — is answered with SRTP, a plain offer plainly.
 *   required  a stream without an acceptable a=crypto is refused: 488 and a Warning saying why.
 */
export type MediaEncryption = 'off' | 'optional' | 'required';

/** SDES keying of one stream: each side announces the key it encrypts with (RFC 4568 §6.1). */
export interface StreamSrtp {
  /** The a=crypto tag the offer and the answer share. */
  readonly tag: number;
  /** What the peer encrypts with, from its SDP. */
  readonly remote: SrtpMasterKey;
  /** What Callsight encrypts with towards the peer, in our SDP. */
  readonly local: SrtpMasterKey;
}

export type ProtectionRefusal = 'srtp-off' | 'plain-refused' | 'no-usable-crypto';

export type Protection =
  | { readonly kind: 'plain' }
  | { readonly kind: 'srtp'; readonly srtp: StreamSrtp }
  | { readonly kind: 'refused'; readonly why: ProtectionRefusal };

const PLAIN: Protection = { kind: 'plain' };

/**
 * How to answer one offered audio m-line under `policy`. The first a=crypto line Callsight can
 * honour wins (the offerer lists them in its order of preference, §7.1.1), and gets a fresh key.
 */
export function chooseProtection(
  protocol: string,
  crypto: readonly CryptoLine[],
  policy: MediaEncryption,
): Protection {
  const secure = protocol.toUpperCase() === 'RTP/SAVP';
  if (policy === 'off') return secure ? { kind: 'refused', why: 'srtp-off' } : PLAIN;
  for (const line of crypto) {
    const offered = parseCryptoLine(line);
    if (offered)
      return {
        kind: 'srtp',
        srtp: { tag: offered.tag, remote: offered.master, local: newMasterKey(offered.master.suite.name) },
      };
  }
  if (secure || (crypto.length > 0 && policy === 'required'))
    return { kind: 'refused', why: 'no-usable-crypto' };
  return policy === 'required' ? { kind: 'refused', why: 'plain-refused' } : PLAIN;
}

/** The Warning (RFC 3261 §20.43) of a 488 that refused every stream for this reason. */
export function refusalWarning(why: ProtectionRefusal): string {
  switch (why) {
    case 'srtp-off':
      return '305 callsight "SRTP is turned off here (media.encryption: off): offer RTP/AVP"';
    case 'plain-refused':
      return '399 callsight "SRTP is required here (media.encryption: required): offer RTP/SAVP with a=crypto"';
    case 'no-usable-crypto':
      return `305 callsight "no usable a=crypto line: Callsight takes ${OFFERED_SUITES.join(', ')} with one inline key"`;
  }
}

/** The keys we offer a party for a stream we originate (the far leg of a relayed call), one per suite. */
export function offerKeys(
  preferred: SrtpMasterKey['suite']['name'] | null,
): { tag: number; master: SrtpMasterKey }[] {
  const order = preferred ? [preferred, ...OFFERED_SUITES.filter((s) => s !== preferred)] : OFFERED_SUITES;
  return order.map((suite, index) => ({ tag: index + 1, master: newMasterKey(suite) }));
}
