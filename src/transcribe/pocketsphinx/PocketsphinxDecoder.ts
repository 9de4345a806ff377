import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallsightError } from '../../platform/errors.js';
import type { CmnState, DecodedSegment, GrammarDecoder, UtteranceDecoder } from '../UtteranceDecoder.js';
import {
  cmnAccess,
  INSTALL_HINT,
  loadPocketsphinx,
  type CmnAccess,
  type NativeHandle,
  type PocketsphinxFunctions,
} from './PocketsphinxLibrary.js';

/** sphinxbase's `-cmninit` default, used when the model's feat.params has none. */
const DEFAULT_CMNINIT = [40, 3, -1];
const CEPSTRUM_LENGTH = 13;

/**
 * The `-cmninit` the decoder starts from: the model's feat.params (`-featparams`, else
 * `<hmm>/feat.params`) overrides the command line in this pocketsphinx release.
 */
export function effectiveCmnInit(args: readonly string[]): number[] {
  const value = (flag: string): string | undefined => {
    const at = args.lastIndexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  let text = value('-cmninit');
  const hmm = value('-hmm');
  const featParams = value('-featparams') ?? (hmm !== undefined ? join(hmm, 'feat.params') : undefined);
  if (featParams !== undefined && existsSync(featParams)) {
    const match = /^\s*-cmninit\s+(\S+)/m.exec(readFileSync(featParams, 'utf8'));
    if (match?.[1]) text = match[1];
  }
  const values = text ? text.split(',').map(Number) : DEFAULT_CMNINIT;
  const out = new Array<number>(CEPSTRUM_LENGTH).fill(0);
  values.slice(0, CEPSTRUM_LENGTH).forEach((v, i) => (out[i] = v));
  return out;
}

/** Words pocketsphinx emits that are not words: sentence markers, silence and noise fillers. */
export function isFillerWord(word: string): boolean {
  return (
    word === '<s>' ||
    word === '</s>' ||
    word === '<sil>' ||
    word === '(NULL)' ||
    (word.startsWith('[') && word.endsWith(']')) ||
    (word.startsWith('++') && word.endsWith('++'))
  );
}

/** `read(2)` → `read`: pronunciation variants are the same word. */
export function baseWord(word: string): string {
  const paren = word.indexOf('(');
  return paren > 0 && word.endsWith(')') ? word.slice(0, paren) : word;
}

/** The `-lm` of a pocketsphinx command line, if any. */
export function languageModelFile(args: readonly string[]): string | undefined {
  const at = args.lastIndexOf('-lm');
  return at >= 0 ? args[at + 1] : undefined;
}

/** The command line without its `-lm` (for a decoder given its model otherwise, or none). */
function withoutLanguageModel(args: readonly string[]): readonly string[] {
  const at = args.lastIndexOf('-lm');
  return at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
}

/** A language model decoders search instead of reading their `-lm` each. */
export interface LanguageModelSource {
  /** The model, read (on `decoder`'s settings) by the first decoder that asks. */
  model(ps: PocketsphinxFunctions, decoder: NativeHandle): NativeHandle;
}

/**
 * One n-gram language model read once and searched by several decoders (pocketsphinx retains it per
 * search, so each decoder holds a reference and the model outlives whichever of them is freed).
 * Measured with the en-us model: a decoder with its own copy costs ~95 MiB, one sharing this
 * ~63 MiB (docs/benchmarks.md). Its scores are weighted by the decoders' `-lw`/`-wip`, which
 * must therefore be the same for all of them, and it is not safe to search from two threads.
 */
export class SharedLanguageModel implements LanguageModelSource {
  readonly file: string;
  #model: NativeHandle | null = null;

  constructor(file: string) {
    this.file = file;
  }

  model(ps: PocketsphinxFunctions, decoder: NativeHandle): NativeHandle {
    this.#model ??= ps.ngram_model_read(ps.ps_get_config(decoder), this.file, 0, ps.ps_get_logmath(decoder));
    if (!this.#model) {
      throw new CallsightError(
        'CS_ERR_ASR_UNAVAILABLE',
        `pocketsphinx could not read its language model ${this.file}`,
      );
    }
    return this.#model;
  }

  /** Drops this reference; decoders still searching the model keep it alive. */
  free(): void {
    if (this.#model) loadPocketsphinx().ngram_model_free(this.#model);
    this.#model = null;
  }
}

/** Gives `decoder` an n-gram search on the source's model. */
function attach(ps: PocketsphinxFunctions, decoder: NativeHandle, source: LanguageModelSource): void {
  if (
    ps.ps_set_lm(decoder, SHARED_SEARCH, source.model(ps, decoder)) < 0 ||
    ps.ps_set_search(decoder, SHARED_SEARCH) < 0
  ) {
    throw new CallsightError('CS_ERR_ASR_UNAVAILABLE', 'pocketsphinx could not search its language model');
  }
}

const SHARED_SEARCH = 'ngram';
const GRAMMAR_WORD_INSERTION = '0.01';

/** A decoder for one utterance at a time, reusable across utterances and streams. */
export class PocketsphinxDecoder implements UtteranceDecoder, GrammarDecoder {
  /**
   * A decoder for `decodeWithGrammar` only: the same acoustic model, no language model, and a word
   * insertion penalty of 0.01 (chosen on the tuning split of the PII set among 0.65, the default,
   * 0.1, 0.01 and 0.001: without it a grammar inserts a digit or an "uh" in every pause).
   */
  static forGrammars(args: readonly string[]): PocketsphinxDecoder {
    return new PocketsphinxDecoder([...withoutLanguageModel(args), '-wip', GRAMMAR_WORD_INSERTION]);
  }

  readonly #ps: PocketsphinxFunctions;
  readonly #config: NativeHandle;
  readonly #decoder: NativeHandle;
  readonly #logmath: NativeHandle;
  readonly #cmn: CmnAccess | null;
  /** Grammar searches added so far, by their JSGF text (a decoder made by `forGrammars`). */
  readonly #grammars = new Map<string, string>();
  #freed = false;
  #inUtterance = false;

  /**
   * `args` is a pocketsphinx command line: `['-hmm', dir, '-lm', file, …]`. With `sharedLm`, the
   * decoder searches that model instead of reading its `-lm` itself.
   */
  constructor(args: readonly string[], sharedLm?: LanguageModelSource) {
    this.#ps = loadPocketsphinx();
    for (const flag of ['-hmm', '-lm', '-dict']) {
      const at = args.indexOf(flag);
      const path = at >= 0 ? args[at + 1] : undefined;
      if (path !== undefined && !existsSync(path)) {
        throw new CallsightError(
          'CS_ERR_ASR_UNAVAILABLE',
          `pocketsphinx model file ${path} (${flag}) is missing; install it with: ${INSTALL_HINT}`,
        );
      }
    }
    const searchShared = sharedLm !== undefined && args.includes('-lm');
    const own = searchShared ? withoutLanguageModel(args) : args;
    const config = this.#ps.cmd_ln_parse_r(null, this.#ps.ps_args(), own.length, own, 1);
    if (!config) {
      throw new CallsightError(
        'CS_ERR_ASR_UNAVAILABLE',
        `pocketsphinx rejected its arguments: ${args.join(' ')}`,
      );
    }
    const decoder = this.#ps.ps_init(config);
    if (!decoder) {
      this.#ps.cmd_ln_free_r(config);
      throw new CallsightError(
        'CS_ERR_ASR_UNAVAILABLE',
        `pocketsphinx could not load its model (${args.join(' ')})`,
      );
    }
    if (searchShared) {
      try {
        attach(this.#ps, decoder, sharedLm);
      } catch (err) {
        this.#ps.ps_free(decoder);
        this.#ps.cmd_ln_free_r(config);
        throw err;
      }
    }
    this.#config = config;
    this.#decoder = decoder;
    this.#logmath = this.#ps.ps_get_logmath(decoder);
    this.#cmn = cmnAccess(this.#ps, decoder, effectiveCmnInit(args));
  }

  /** False when this library build's CMN state could not be located (CMN is then left alone). */
  get cmnAccessible(): boolean {
    return this.#cmn !== null;
  }

  getCmn(): CmnState | null {
    return this.#cmn?.get() ?? null;
  }

  setCmn(state: CmnState): void {
    this.#cmn?.set(state);
  }

  decodeWholeUtterance(samples: Int16Array): void {
    this.#decodeBatch(samples);
  }

  decodeWithGrammar(samples: Int16Array, jsgf: string): DecodedSegment[] {
    let search = this.#grammars.get(jsgf);
    if (search === undefined) {
      search = `grammar${this.#grammars.size}`;
      this.#check(this.#ps.ps_set_jsgf_string(this.#decoder, search, jsgf), 'ps_set_jsgf_string');
      this.#grammars.set(jsgf, search);
    }
    this.#check(this.#ps.ps_set_search(this.#decoder, search), 'ps_set_search');
    this.#decodeBatch(samples);
    return this.segments();
  }

  #decodeBatch(samples: Int16Array): void {
    const saved = this.#cmn?.get();
    this.#cmn?.useBatchForNextFullUtterance();
    try {
      this.startUtterance();
      if (samples.length > 0) {
        this.#check(
          this.#ps.ps_process_raw(this.#decoder, samples, samples.length, 0, 1),
          'ps_process_raw (full utterance)',
        );
      }
      this.endUtterance();
    } finally {
      if (saved) this.#cmn?.set(saved);
    }
  }

  startUtterance(): void {
    // Resets the frame counter, so segment frames count from this utterance's first sample.
    this.#check(this.#ps.ps_start_stream(this.#decoder), 'ps_start_stream');
    this.#check(this.#ps.ps_start_utt(this.#decoder), 'ps_start_utt');
    this.#inUtterance = true;
  }

  process(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.#check(this.#ps.ps_process_raw(this.#decoder, samples, samples.length, 0, 0), 'ps_process_raw');
  }

  hypothesis(): string {
    const score: [number] = [0];
    const hyp = this.#ps.ps_get_hyp(this.#decoder, score);
    if (!hyp) return '';
    return hyp
      .split(' ')
      .filter((w) => w.length > 0 && !isFillerWord(w))
      .map(baseWord)
      .join(' ');
  }

  endUtterance(): void {
    this.#inUtterance = false;
    this.#check(this.#ps.ps_end_utt(this.#decoder), 'ps_end_utt');
  }

  segments(): DecodedSegment[] {
    const out: DecodedSegment[] = [];
    const start: [number] = [0];
    const end: [number] = [0];
    const ascr: [number] = [0];
    const lscr: [number] = [0];
    const lback: [number] = [0];
    // ps_seg_next frees the iterator when it returns NULL, so a loop that runs to the end owns nothing.
    for (let seg = this.#ps.ps_seg_iter(this.#decoder); seg; seg = this.#ps.ps_seg_next(seg)) {
      const word = this.#ps.ps_seg_word(seg);
      if (isFillerWord(word)) continue;
      this.#ps.ps_seg_frames(seg, start, end);
      const posterior = this.#ps.ps_seg_prob(seg, ascr, lscr, lback);
      const confidence = Math.min(1, Math.max(0, this.#ps.logmath_exp(this.#logmath, posterior)));
      out.push({ word: baseWord(word), startFrame: start[0], endFrame: end[0], confidence });
    }
    return out;
  }

  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    if (this.#inUtterance) this.#ps.ps_end_utt(this.#decoder);
    this.#ps.ps_free(this.#decoder);
    this.#ps.cmd_ln_free_r(this.#config);
  }

  #check(rc: number, what: string): void {
    if (rc < 0) throw new CallsightError('CS_ERR_ASR_FAILED', `pocketsphinx ${what} failed (${rc})`);
  }
}
