import { availableParallelism } from 'node:os';
import type { Logger } from '../../platform/logger.js';
import type { VadOptions } from '../Vad.js';

const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** Search tuning passed straight to pocketsphinx; see docs/asr.md for what was measured. */
export interface DecoderTuning {
  /** `-beam`, the main pruning beam (default 1e-48 after tuning). */
  readonly beam?: string;
  /** `-wbeam`, the word-exit beam. */
  readonly wbeam?: string;
  /** `-pbeam`, the phone-transition beam. */
  readonly pbeam?: string;
  /** `-lw`, language model weight. */
  readonly lw?: number;
  /** `-maxhmmpf`, most HMMs searched per frame (-1: no limit). */
  readonly maxhmmpf?: number;
  /** `-pl_window`, phonetic lookahead window in frames (0: off). */
  readonly plWindow?: number;
  /** `-fwdflat`, run the second (flat lexicon) pass (default off: slower and no better here). */
  readonly fwdflat?: boolean;
  /** `-bestpath`, run the lattice best-path pass. */
  readonly bestpath?: boolean;
  /** Any other `-flag value` pairs, appended last. */
  readonly extraArgs?: readonly string[];
}

/** Cepstral mean normalisation (CMN); see docs/asr.md for what was measured. */
export interface CmnOptions {
  /**
   * Keep the CMN estimate per stream rather than per pooled decoder (default true). false is
   * pocketsphinx's own behaviour: the estimate carries over between whatever streams share a decoder.
   */
  readonly perStream?: boolean;
  /**
   * The mean a new stream starts from: 13 cepstral values, or `'model'` for the acoustic model's
   * `-cmninit` (measured on wideband speech: far off for telephone audio). Default: with the
   * default model and front end, `TELEPHONY_CMNINIT` for a stream whose first audio has nothing
   * above 5 kHz (anything that came through G.711) and the model's for wideband audio; with
   * another model, the model's.
   */
  readonly init?: readonly number[] | 'model';
  /**
   * Weight of `init` in frames (10 ms) when the stream's own frames update the mean (default 500,
   * sphinxbase's own live window). 0 is what pocketsphinx does from `-cmninit`: the mean after the
   * first utterance is that utterance's alone.
   */
  readonly priorFrames?: number;
}

/** How many decoders a worker thread may load, and for how long (docs/benchmarks.md: memory). */
export interface DecoderLimits {
  /**
   * Decoders loaded at once per worker thread, i.e. simultaneous talkers it decodes (default 8).
   * Beyond it an utterance's audio waits for a decoder to come free.
   */
  readonly maxPerWorker?: number;
  /** An utterance waits at most this long for a decoder, then its stream fails (default 2000 ms). */
  readonly waitMs?: number;
  /** A decoder unused this long is freed, keeping one per worker (default 60 s). */
  readonly idleMs?: number;
}

export const DEFAULT_DECODER_LIMITS: Required<DecoderLimits> = {
  maxPerWorker: 8,
  waitMs: 2_000,
  idleMs: 60_000,
};

/**
 * Named search settings: `accurate` (the default) is DEFAULT_TUNING; `fast` searches fewer HMMs per
 * frame for less CPU per talker at a small accuracy cost (docs/asr.md: the measured curve).
 */
export type PocketsphinxProfile = 'accurate' | 'fast';

export const PROFILE_TUNING: Readonly<Record<PocketsphinxProfile, DecoderTuning>> = {
  accurate: {},
  fast: { maxhmmpf: 2500 },
};

export interface PocketsphinxEngineOptions {
  /** Named search settings, applied before `tuning` (default `accurate`). */
  readonly profile?: PocketsphinxProfile;
  /** Acoustic model directory (default the pocketsphinx-en-us model). */
  readonly hmm?: string;
  /** Language model (default `en-us.lm.bin`). */
  readonly lm?: string;
  /** Pronunciation dictionary (default `cmudict-en-us.dict`). */
  readonly dict?: string;
  /** Worker threads (default one per available core; at least 1). */
  readonly workers?: number;
  readonly decoders?: DecoderLimits;
  /**
   * Rate the decoder runs at. Frames always arrive at 16 kHz; 8000 halves them first and decodes
   * with `-samprate 8000 -nfft 256`. That needs an 8 kHz acoustic model as `hmm` (e.g. CMU's
   * en-us-8khz): the en-us model's feat.params fixes its filterbank at 130–6800 Hz, overriding
   * `-upperf`, and so cannot run at 8 kHz. Default 16000 (see docs/asr.md).
   */
  readonly sampleRate?: 8000 | 16000;
  readonly tuning?: DecoderTuning;
  readonly cmn?: CmnOptions;
  /**
   * `'batch-cmn'`: decode each finished utterance a second time with its own cepstral mean for the
   * final result. Default `'live'` (the final is the live decode's).
   */
  readonly finalPass?: 'live' | 'batch-cmn';
  /**
   * Decode the digits of an utterance that reads out a number again with a digits grammar for its
   * final (src/transcribe/NumberPass.ts; docs/asr.md). Default true.
   */
  readonly numberPass?: boolean;
  readonly vad?: VadOptions;
  /** Least new audio between two partial results of an utterance, in ms (default 250). */
  readonly partialIntervalMs?: number;
  /** Engine log (worker crashes, stream errors); default silent. */
  readonly logger?: Logger;
  /** The name configurations choose it by (default `pocketsphinx`). */
  readonly name?: string;
}

/** Options after defaults; what each worker receives. */
export interface ResolvedPocketsphinxOptions {
  readonly workers: number;
  readonly decoders: Required<DecoderLimits>;
  readonly sampleRate: 8000 | 16000;
  readonly partialIntervalMs: number;
  readonly vad: VadOptions;
  readonly args: readonly string[];
  /**
   * null: CMN left to each decoder. Otherwise where a stream starts, chosen by the bandwidth of its
   * first audio (null: the model's -cmninit).
   */
  readonly cmn: {
    readonly narrowband: readonly number[] | null;
    readonly wideband: readonly number[] | null;
    readonly priorFrames: number;
  } | null;
  readonly finalPass: 'live' | 'batch-cmn';
  readonly numberPass: boolean;
}

/**
 * Initial cepstral mean for telephone audio (8 kHz G.711 upsampled to 16 kHz: nothing above 4 kHz)
 * with the default en-us model and front end, measured on speech that is not in the evaluation
 * set (½ natural pocketsphinx-testdata recordings, ¼ flite, ¼ espeak-ng; see docs/asr.md).
 * Regenerate with `node --import tsx scripts/eval-asr.ts --estimate-cmn`. The model's own
 * `-cmninit` (41.00,-5.29,-0.12,5.09,…) is from wideband speech.
 */
export const TELEPHONY_CMNINIT: readonly number[] = [
  48.49, 25.21, -34.18, 48.23, -23.7, 11.54, -3.06, -16.83, 6.68, -14.63, 7.32, -5.34, -0.55,
];

/** Default weight of the initial CMN estimate, in frames (see `CmnOptions.priorFrames`). */
export const DEFAULT_CMN_PRIOR_FRAMES = 500;

export const DEFAULT_TUNING: Required<Omit<DecoderTuning, 'extraArgs'>> = {
  beam: '1e-48',
  wbeam: '7e-29',
  pbeam: '1e-48',
  lw: 6.5,
  maxhmmpf: 30000,
  plWindow: 5,
  fwdflat: false,
  bestpath: true,
};

export function resolvePocketsphinxOptions(
  options: PocketsphinxEngineOptions = {},
): ResolvedPocketsphinxOptions {
  const sampleRate = options.sampleRate ?? 16000;
  const tuning = { ...DEFAULT_TUNING, ...PROFILE_TUNING[options.profile ?? 'accurate'], ...options.tuning };
  const args: string[] = [
    '-hmm',
    options.hmm ?? `${MODEL_DIR}/en-us`,
    '-lm',
    options.lm ?? `${MODEL_DIR}/en-us.lm.bin`,
    '-dict',
    options.dict ?? `${MODEL_DIR}/cmudict-en-us.dict`,
    '-logfn',
    '/dev/null',
    // Our VAD already gates the audio; pocketsphinx's own would drop frames and skew word times.
    '-remove_silence',
    'no',
    '-beam',
    tuning.beam,
    '-wbeam',
    tuning.wbeam,
    '-pbeam',
    tuning.pbeam,
    '-lw',
    String(tuning.lw),
    '-maxhmmpf',
    String(tuning.maxhmmpf),
    '-pl_window',
    String(tuning.plWindow),
    '-fwdflat',
    tuning.fwdflat ? 'yes' : 'no',
    '-bestpath',
    tuning.bestpath ? 'yes' : 'no',
  ];
  if (sampleRate === 8000) args.push('-samprate', '8000', '-nfft', '256');
  if (options.tuning?.extraArgs) args.push(...options.tuning.extraArgs);
  return {
    workers: Math.max(1, Math.floor(options.workers ?? availableParallelism())),
    decoders: {
      maxPerWorker: Math.max(
        1,
        Math.floor(options.decoders?.maxPerWorker ?? DEFAULT_DECODER_LIMITS.maxPerWorker),
      ),
      waitMs: Math.max(0, options.decoders?.waitMs ?? DEFAULT_DECODER_LIMITS.waitMs),
      idleMs: Math.max(0, options.decoders?.idleMs ?? DEFAULT_DECODER_LIMITS.idleMs),
    },
    sampleRate,
    partialIntervalMs: options.partialIntervalMs ?? 250,
    vad: options.vad ?? {},
    args,
    cmn: options.cmn?.perStream === false ? null : resolveCmn(options, sampleRate, args),
    finalPass: options.finalPass ?? 'live',
    numberPass: options.numberPass ?? true,
  };
}

function resolveCmn(
  options: PocketsphinxEngineOptions,
  sampleRate: 8000 | 16000,
  args: readonly string[],
): NonNullable<ResolvedPocketsphinxOptions['cmn']> {
  const init = options.cmn?.init;
  // TELEPHONY_CMNINIT belongs to the default model and front end; anything else starts from its own.
  const defaultFrontEnd = options.hmm === undefined && sampleRate === 16000 && !args.includes('-featparams');
  const narrowband = init === 'model' ? null : init ? [...init] : defaultFrontEnd ? TELEPHONY_CMNINIT : null;
  return {
    narrowband,
    // An explicit init applies to every stream; the default tells telephone from wideband audio.
    wideband: init === undefined ? null : narrowband,
    priorFrames: Math.max(0, Math.round(options.cmn?.priorFrames ?? DEFAULT_CMN_PRIOR_FRAMES)),
  };
}
