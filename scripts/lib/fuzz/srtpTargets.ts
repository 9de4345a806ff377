import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SrtpSession, type SrtpRefusal } from '../../../src/media/srtp/SrtpSession.js';
import { SRTP_SUITES, type SrtpMasterKey, type SrtpSuiteName } from '../../../src/media/srtp/SrtpSuite.js';
import { transformFor } from '../../../src/media/srtp/SrtpTransform.js';
import type { FuzzTarget } from './FuzzHarness.js';

/*
 * SRTP and SRTCP unprotect (RFC 3711, RFC 7714) under the fuzzer. An input is
 *
 *   [suite byte] [30 bytes of master key and salt] [one packet as it came off the wire]
 *
 * so the mutations reach the key (random keys) as well as the packet (bit flips of valid packets,
 * truncated tags, random bytes). The seeds are valid packets protected with their key. Beyond "no
 * crash, no hang", each run checks what the receiver must guarantee:
 *   - a packet it accepts is exactly what the key's holder would have sent for that plaintext (so a
 *     mutated packet, or one under another key, never yields plaintext: forging a tag is the only way);
 *   - the same packet a second time is refused as replayed.
 */

const SUITES: readonly SrtpSuiteName[] = [
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
  'AEAD_AES_128_GCM',
];
const KEY_BYTES = 30;
const HEADER = 1 + KEY_BYTES;

function masterOf(input: Buffer): SrtpMasterKey | null {
  if (input.length < HEADER) return null;
  const suite = SRTP_SUITES[SUITES[input[0]! % SUITES.length]!];
  const keySalt = input.subarray(1, HEADER);
  return {
    suite,
    key: keySalt.subarray(0, suite.masterKeyLength),
    salt: keySalt.subarray(suite.masterKeyLength, suite.masterKeyLength + suite.masterSaltLength),
    mkiLength: 0,
  };
}

/** A fixed key per suite, so that a fuzz seed replays the same inputs. */
function seedInput(suiteIndex: number, protect: (session: SrtpSession) => Buffer): Buffer {
  const keySalt = createHash('sha256')
    .update(`callsight fuzz srtp ${suiteIndex}`)
    .digest()
    .subarray(0, KEY_BYTES);
  const master = masterOf(Buffer.concat([Buffer.from([suiteIndex]), keySalt]))!;
  return Buffer.concat([Buffer.from([suiteIndex]), keySalt, protect(new SrtpSession(master))]);
}

const RTP_FIXTURES = new URL('../../../test/media/rtp/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, RTP_FIXTURES));
const PLAIN_RTP = ['valid-pcmu-20ms.bin', 'valid-pcma-seq-65535.bin', 'valid-csrc-extension-padding.bin'];
/** A receiver report (RR, 8 bytes of header and sender SSRC, one report block) and an SDES CNAME. */
const PLAIN_RTCP = [
  fixture('invalid-rtcp-receiver-report.bin'),
  Buffer.from('81ca000600c0ffee010f63616c6c7369676874406c6f63616c000000', 'hex'),
];

/**
 * One unprotect under the fuzzer: `unprotect` with a fresh receiver session, and for an accepted
 * packet `reprotect`, what the key's holder sends for that plaintext, which must be the packet itself.
 */
function unprotectTarget(
  kind: 'SRTP' | 'SRTCP',
  seeds: () => readonly Buffer[],
  unprotect: (session: SrtpSession, packet: Buffer) => Buffer | SrtpRefusal,
  reprotect: (master: SrtpMasterKey, plain: Buffer, packet: Buffer) => Buffer,
): FuzzTarget {
  return {
    name: `${kind.toLowerCase()}-unprotect`,
    seeds,
    run(input) {
      const master = masterOf(input);
      if (!master) return;
      const packet = input.subarray(HEADER);
      const receiver = new SrtpSession(master);
      const plain = unprotect(receiver, packet);
      if (typeof plain === 'string') return;
      if (!reprotect(master, plain, packet).equals(packet))
        throw new Error(`${kind}: accepted a packet its key's holder did not send (a forgery)`);
      const again = unprotect(receiver, packet);
      if (again !== 'replayed')
        throw new Error(
          `${kind}: a packet seen twice was not refused as replayed (${typeof again === 'string' ? again : 'accepted'})`,
        );
    },
    refusal: () => false,
  };
}

export const SRTP_FUZZ_TARGETS: readonly FuzzTarget[] = [
  unprotectTarget(
    'SRTP',
    () =>
      SUITES.flatMap((_, suite) =>
        PLAIN_RTP.map((name) => seedInput(suite, (session) => session.protectRtp(fixture(name)))),
      ),
    (session, packet) => session.unprotectRtp(packet),
    // The receiver's first packet of an SSRC is under ROC 0: so is a fresh sender's.
    (master, plain) => new SrtpSession(master).protectRtp(plain),
  ),
  unprotectTarget(
    'SRTCP',
    () =>
      SUITES.flatMap((_, suite) =>
        PLAIN_RTCP.map((plain) => seedInput(suite, (session) => session.protectRtcp(plain))),
      ),
    (session, packet) => session.unprotectRtcp(packet),
    // The E-flagged, encrypted form at the packet's own SRTCP index.
    (master, plain, packet) => {
      const transform = transformFor(master);
      const word = packet.readUInt32BE(transform.rtcpIndexAt(packet.length, 0));
      return transform.protectRtcp(plain, plain.readUInt32BE(4), word & 0x7fffffff);
    },
  ),
];
