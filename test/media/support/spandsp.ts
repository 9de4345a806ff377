import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/*
 * Debian's libspandsp (libspandsp2) loaded through koffi, as an independent G.722 implementation to
 * check ours against. Test-only: Callsight itself never loads it.
 */

const require = createRequire(import.meta.url);
const LIBRARY = '/usr/lib/x86_64-linux-gnu/libspandsp.so.2';
const G722_RATE_64K = 64000;

export const hasSpandsp = existsSync(LIBRARY);

interface SpandspG722 {
  encode(samples: Int16Array): Uint8Array;
  decode(bytes: Uint8Array): Int16Array;
}

let bound: {
  encodeInit: (state: null, rate: number, options: number) => object;
  encode: (state: object, out: Uint8Array, amp: Int16Array, len: number) => number;
  encodeFree: (state: object) => number;
  decodeInit: (state: null, rate: number, options: number) => object;
  decode: (state: object, out: Int16Array, data: Uint8Array, len: number) => number;
  decodeFree: (state: object) => number;
} | null = null;

function library(): NonNullable<typeof bound> {
  if (bound) return bound;
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load(LIBRARY);
  bound = {
    encodeInit: lib.func('void *g722_encode_init(void *s, int rate, int options)'),
    encode: lib.func('int g722_encode(void *s, _Out_ uint8_t *out, const int16_t *amp, int len)'),
    encodeFree: lib.func('int g722_encode_free(void *s)'),
    decodeInit: lib.func('void *g722_decode_init(void *s, int rate, int options)'),
    decode: lib.func('int g722_decode(void *s, _Out_ int16_t *amp, const uint8_t *data, int len)'),
    decodeFree: lib.func('int g722_decode_free(void *s)'),
  };
  return bound;
}

/** A fresh spandsp encoder and decoder pair (64 kbit/s, 16 kHz samples, unpacked bytes). */
export function spandspG722(): SpandspG722 & { free(): void } {
  const lib = library();
  const encoder = lib.encodeInit(null, G722_RATE_64K, 0);
  const decoder = lib.decodeInit(null, G722_RATE_64K, 0);
  return {
    encode(samples) {
      const out = new Uint8Array(samples.length >> 1);
      const n = lib.encode(encoder, out, samples, samples.length);
      return out.subarray(0, n);
    },
    decode(bytes) {
      const out = new Int16Array(bytes.length * 2);
      const n = lib.decode(decoder, out, bytes, bytes.length);
      return out.subarray(0, n);
    },
    free() {
      lib.encodeFree(encoder);
      lib.decodeFree(decoder);
    },
  };
}
