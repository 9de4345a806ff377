import { createRequire } from 'node:module';
import { CallsightError } from '../../../errors.js';

/*
 * koffi binding to the pocketsphinx 5prealpha C API (Debian's libpocketsphinx3) and the few
 * sphinxbase calls it needs. Signatures follow pocketsphinx.h, cmd_ln.h, logmath.h and err.h of
 * that release; the -dev packages are not needed at run time.
 */

const require = createRequire(import.meta.url);

type Koffi = typeof import('koffi');

/** Opaque native handles; only ever passed back to the library. */
export type NativeHandle = object;

export interface PocketsphinxFunctions {
  err_set_logfp(fp: null): void;
  ps_args(): NativeHandle;
  cmd_ln_parse_r(
    inout: null,
    defn: NativeHandle,
    argc: number,
    argv: readonly string[],
    strict: number,
  ): NativeHandle | null;
  cmd_ln_free_r(config: NativeHandle): number;
  ps_init(config: NativeHandle): NativeHandle | null;
  ps_free(decoder: NativeHandle): number;
  ps_start_stream(decoder: NativeHandle): number;
  ps_start_utt(decoder: NativeHandle): number;
  ps_process_raw(
    decoder: NativeHandle,
    data: Int16Array,
    nSamples: number,
    noSearch: number,
    fullUtt: number,
  ): number;
  ps_end_utt(decoder: NativeHandle): number;
  ps_get_hyp(decoder: NativeHandle, outBestScore: [number]): string | null;
  ps_seg_iter(decoder: NativeHandle): NativeHandle | null;
  ps_seg_next(seg: NativeHandle): NativeHandle | null;
  ps_seg_word(seg: NativeHandle): string;
  ps_seg_frames(seg: NativeHandle, outStart: [number], outEnd: [number]): void;
  ps_seg_prob(seg: NativeHandle, outAscr: [number], outLscr: [number], outLback: [number]): number;
  ps_seg_free(seg: NativeHandle): void;
  ps_get_logmath(decoder: NativeHandle): NativeHandle;
  logmath_exp(logmath: NativeHandle, logValue: number): number;
}

export const INSTALL_HINT = 'apt-get install libpocketsphinx3 pocketsphinx-en-us';

const POCKETSPHINX_SONAME = 'libpocketsphinx.so.3';
const SPHINXBASE_SONAME = 'libsphinxbase.so.3';

let loaded: PocketsphinxFunctions | null = null;

/**
 * Loads the shared libraries once per thread (each worker thread has its own koffi instance) and
 * silences sphinxbase's logging, which otherwise writes the whole configuration to stderr before
 * `-logfn` takes effect. Throws CS_ERR_ASR_UNAVAILABLE when the libraries are missing.
 */
export function loadPocketsphinx(): PocketsphinxFunctions {
  if (loaded) return loaded;
  let koffi: Koffi;
  let ps: ReturnType<Koffi['load']>;
  let sb: ReturnType<Koffi['load']>;
  try {
    koffi = require('koffi') as Koffi;
    ps = koffi.load(POCKETSPHINX_SONAME);
    sb = koffi.load(SPHINXBASE_SONAME);
  } catch (cause) {
    throw new CallsightError(
      'CS_ERR_ASR_UNAVAILABLE',
      `pocketsphinx could not be loaded (${POCKETSPHINX_SONAME}, ${SPHINXBASE_SONAME}); install it with: ${INSTALL_HINT}`,
      { cause },
    );
  }
  koffi.opaque('cs_cmd_ln_t');
  koffi.opaque('cs_arg_t');
  koffi.opaque('cs_ps_decoder_t');
  koffi.opaque('cs_ps_seg_t');
  koffi.opaque('cs_logmath_t');
  const fns = {
    err_set_logfp: sb.func('void err_set_logfp(void *stream)'),
    ps_args: ps.func('const cs_arg_t *ps_args(void)'),
    cmd_ln_parse_r: sb.func(
      'cs_cmd_ln_t *cmd_ln_parse_r(cs_cmd_ln_t *inout, const cs_arg_t *defn, int32_t argc, const char **argv, int32_t strict)',
    ),
    cmd_ln_free_r: sb.func('int cmd_ln_free_r(cs_cmd_ln_t *config)'),
    ps_init: ps.func('cs_ps_decoder_t *ps_init(cs_cmd_ln_t *config)'),
    ps_free: ps.func('int ps_free(cs_ps_decoder_t *ps)'),
    ps_start_stream: ps.func('int ps_start_stream(cs_ps_decoder_t *ps)'),
    ps_start_utt: ps.func('int ps_start_utt(cs_ps_decoder_t *ps)'),
    ps_process_raw: ps.func(
      'int ps_process_raw(cs_ps_decoder_t *ps, const int16_t *data, size_t n_samples, int no_search, int full_utt)',
    ),
    ps_end_utt: ps.func('int ps_end_utt(cs_ps_decoder_t *ps)'),
    ps_get_hyp: ps.func('const char *ps_get_hyp(cs_ps_decoder_t *ps, _Out_ int32_t *out_best_score)'),
    ps_seg_iter: ps.func('cs_ps_seg_t *ps_seg_iter(cs_ps_decoder_t *ps)'),
    ps_seg_next: ps.func('cs_ps_seg_t *ps_seg_next(cs_ps_seg_t *seg)'),
    ps_seg_word: ps.func('const char *ps_seg_word(cs_ps_seg_t *seg)'),
    ps_seg_frames: ps.func('void ps_seg_frames(cs_ps_seg_t *seg, _Out_ int *out_sf, _Out_ int *out_ef)'),
    ps_seg_prob: ps.func(
      'int32_t ps_seg_prob(cs_ps_seg_t *seg, _Out_ int32_t *out_ascr, _Out_ int32_t *out_lscr, _Out_ int32_t *out_lback)',
    ),
    ps_seg_free: ps.func('void ps_seg_free(cs_ps_seg_t *seg)'),
    ps_get_logmath: ps.func('cs_logmath_t *ps_get_logmath(cs_ps_decoder_t *ps)'),
    logmath_exp: sb.func('double logmath_exp(cs_logmath_t *lmath, int logb_p)'),
  };
  const functions = fns as unknown as PocketsphinxFunctions;
  functions.err_set_logfp(null);
  loaded = functions;
  return functions;
}
