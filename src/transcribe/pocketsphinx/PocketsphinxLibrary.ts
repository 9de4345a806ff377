import { createRequire } from 'node:module';
import { CallsightError } from '../../platform/errors.js';
import type { CmnState } from '../UtteranceDecoder.js';

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
  /** The decoder's `feat_t` (feature computation, including its CMN state). */
  ps_get_feat(decoder: NativeHandle): bigint | null;
  ps_get_config(decoder: NativeHandle): NativeHandle;
  /** `file_type` 0 is NGRAM_AUTO. The model keeps its own reference to `logmath`. */
  ngram_model_read(
    config: NativeHandle,
    file: string,
    fileType: number,
    logmath: NativeHandle,
  ): NativeHandle | null;
  ngram_model_free(model: NativeHandle): number;
  /**
   * A model interpolating `models` (each retained by the set) with `weights`, over the union of
   * their words: a word one of them lacks scores zero there.
   */
  ngram_model_set_init(
    config: NativeHandle,
    models: readonly NativeHandle[],
    names: readonly string[],
    weights: readonly number[],
    nModels: number,
  ): NativeHandle | null;
  /** Adds an n-gram search named `name` on `model`, which the decoder retains (shared, not copied). */
  ps_set_lm(decoder: NativeHandle, name: string, model: NativeHandle): number;
  ps_set_search(decoder: NativeHandle, name: string): number;
  /** Adds (or replaces) a grammar search named `name`, compiled from JSGF text. */
  ps_set_jsgf_string(decoder: NativeHandle, name: string, jsgf: string): number;
}

/** Reads and writes a decoder's CMN state; null when the library's layout is not the expected one. */
export interface CmnAccess {
  readonly veclen: number;
  get(): CmnState;
  set(state: CmnState): void;
  /** Makes the next full-utterance `ps_process_raw` normalise with that utterance's own mean. */
  useBatchForNextFullUtterance(): void;
}

/** sphinxbase `cmn_type_t`. */
const CMN_BATCH = 1;
const CMN_LIVE = 2;

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
  koffi.opaque('cs_ngram_model_t');
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
    // A plain address: the CMN state is reached through the struct layouts below.
    ps_get_feat: ps.func('uintptr_t ps_get_feat(cs_ps_decoder_t *ps)'),
    ps_get_config: ps.func('cs_cmd_ln_t *ps_get_config(cs_ps_decoder_t *ps)'),
    ngram_model_read: sb.func(
      'cs_ngram_model_t *ngram_model_read(cs_cmd_ln_t *config, const char *file_name, int file_type, cs_logmath_t *lmath)',
    ),
    ngram_model_free: sb.func('int ngram_model_free(cs_ngram_model_t *model)'),
    ngram_model_set_init: sb.func(
      'cs_ngram_model_t *ngram_model_set_init(cs_cmd_ln_t *config, cs_ngram_model_t **models, const char **names, const float *weights, int32_t n_models)',
    ),
    ps_set_lm: ps.func('int ps_set_lm(cs_ps_decoder_t *ps, const char *name, cs_ngram_model_t *lm)'),
    ps_set_search: ps.func('int ps_set_search(cs_ps_decoder_t *ps, const char *name)'),
    ps_set_jsgf_string: ps.func(
      'int ps_set_jsgf_string(cs_ps_decoder_t *ps, const char *name, const char *jsgf_string)',
    ),
  };
  const functions = fns as unknown as PocketsphinxFunctions;
  functions.err_set_logfp(null);
  loaded = functions;
  return functions;
}

let trim: (() => void) | null | undefined;

/**
 * Hands freed heap pages back to the system (glibc `malloc_trim`). A freed decoder's ~60 MiB are
 * otherwise kept by the allocator for reuse, and the process's resident memory never goes down.
 * A no-op where the C library has no such call (musl).
 */
export function releaseFreedMemory(): void {
  if (trim === undefined) {
    try {
      const koffi = require('koffi') as Koffi;
      const mallocTrim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (
        pad: number,
      ) => number;
      trim = () => void mallocTrim(0);
    } catch {
      trim = null;
    }
  }
  trim?.();
}

/*
 * The leading members of sphinxbase 5prealpha's `feat_t` (feat.h) and its `cmn_t` (cmn.h), laid
 * out by koffi as a C compiler would. There is no accessor for the live CMN state in this release
 * (cmn_live_set() forces a 500-frame prior and there is no way to read the running sum), so it is
 * read and written in place. `cmnAccess()` checks the layout against known values first and returns
 * null when it does not match, and the callers then leave CMN to pocketsphinx.
 */
type StructType = ReturnType<Koffi['struct']>;
let layouts: { koffi: Koffi; feat: StructType; cmn: StructType } | null = null;

function structLayouts(): { koffi: Koffi; feat: StructType; cmn: StructType } {
  if (layouts) return layouts;
  const koffi = require('koffi') as Koffi;
  const feat = koffi.struct('cs_feat_head_t', {
    refcount: 'int',
    name: 'uintptr_t',
    cepsize: 'int32_t',
    n_stream: 'int32_t',
    stream_len: 'uintptr_t',
    window_size: 'int32_t',
    n_sv: 'int32_t',
    sv_len: 'uintptr_t',
    subvecs: 'uintptr_t',
    sv_buf: 'uintptr_t',
    sv_dim: 'int32_t',
    cmn: 'int',
    varnorm: 'int32_t',
    agc: 'int',
    compute_feat: 'uintptr_t',
    cmn_struct: 'uintptr_t',
  });
  const cmn = koffi.struct('cs_cmn_t', {
    cmn_mean: 'uintptr_t',
    cmn_var: 'uintptr_t',
    sum: 'uintptr_t',
    nframe: 'int32_t',
    veclen: 'int32_t',
  });
  layouts = { koffi, feat, cmn };
  return layouts;
}

interface FeatHead {
  cepsize: number;
  cmn: number;
  cmn_struct: bigint | number;
}
interface CmnStruct {
  cmn_mean: bigint | number;
  sum: bigint | number;
  nframe: number;
  veclen: number;
}

/**
 * CMN state access for one decoder. `expectedMean` is the model's `-cmninit` as the decoder has it
 * right after `ps_init` (used to recognise the layout); call this before the first utterance.
 */
export function cmnAccess(
  ps: PocketsphinxFunctions,
  decoder: NativeHandle,
  expectedMean: readonly number[],
): CmnAccess | null {
  try {
    const { koffi, feat, cmn } = structLayouts();
    const featAddr = ps.ps_get_feat(decoder);
    if (!featAddr) return null;
    const head = koffi.decode(featAddr, feat) as FeatHead;
    if (head.cepsize !== expectedMean.length || !head.cmn_struct) return null;
    if (head.cmn !== CMN_BATCH && head.cmn !== CMN_LIVE) return null;
    const cmnAddr = head.cmn_struct;
    const read = () => koffi.decode(cmnAddr, cmn) as CmnStruct;
    const initial = read();
    if (initial.veclen !== expectedMean.length || initial.nframe !== 0) return null;
    const mean = koffi.decode(initial.cmn_mean, 'float', initial.veclen) as Float32Array;
    if (mean.some((v, i) => Math.abs(v - expectedMean[i]!) > 1e-3)) return null;
    const veclen = initial.veclen;
    const cmnOffset = koffi.offsetof(feat, 'cmn');
    const nframeOffset = koffi.offsetof(cmn, 'nframe');
    return {
      veclen,
      get() {
        const c = read();
        return {
          mean: (koffi.decode(c.cmn_mean, 'float', veclen) as Float32Array).slice(),
          sum: (koffi.decode(c.sum, 'float', veclen) as Float32Array).slice(),
          frames: c.nframe,
        };
      },
      set(state) {
        if (state.mean.length !== veclen || state.sum.length !== veclen) {
          throw new CallsightError('CS_ERR_ASR_FAILED', `CMN state must have ${veclen} values`);
        }
        const c = read();
        koffi.encode(c.cmn_mean, 'float', state.mean, veclen);
        koffi.encode(c.sum, 'float', state.sum, veclen);
        koffi.encode(cmnAddr, nframeOffset, 'int32_t', state.frames);
      },
      useBatchForNextFullUtterance() {
        // Live processing switches feat_t.cmn to CMN_LIVE for good; a full utterance needs BATCH.
        koffi.encode(featAddr, cmnOffset, 'int', CMN_BATCH);
      },
    };
  } catch {
    return null;
  }
}
