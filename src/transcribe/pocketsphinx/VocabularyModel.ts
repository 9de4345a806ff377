import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallsightError } from '../../platform/errors.js';
import { loadPocketsphinx, type NativeHandle, type PocketsphinxFunctions } from './PocketsphinxLibrary.js';
import type { SharedLanguageModel } from './PocketsphinxDecoder.js';

/*
 * A custom vocabulary in the decoder from the start, never added at run time: pocketsphinx
 * 5prealpha's `ps_add_word` crashed the process (SIGSEGV) once several words were added
 * (docs/asr.md). The decoder is loaded with a dictionary file that has the terms' pronunciations,
 * and searches the shared language model together with a small unigram model of the terms (an
 * `ngram_model_set` with weight 1 on each: the union of both, a term scoring its own unigram).
 */

/** A vocabulary term as the decoder knows it: its token and its phones (CMU, the model's set). */
export interface VocabularyWord {
  readonly token: string;
  readonly phones: readonly string[];
}

/**
 * A term's unigram probability, in any context (log10). The en-us model gives a word it has never
 * seen in a context about -5 to -7 (its unigram times the context's backoff); -4 makes a term as
 * likely as a fairly common word, measured on scripts/eval-vocabulary.ts (docs/asr.md).
 */
export const TERM_LOG10_PROBABILITY = -4;

/** Writes `text` to `file` unless it exists, atomically. */
function writeOnce(file: string, text: () => string): void {
  if (existsSync(file)) return;
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(partial, text());
  renameSync(partial, file);
}

/** The terms as an ARPA unigram model. */
export function unigramArpa(words: readonly VocabularyWord[]): string {
  const lines = words.map((w) => `${TERM_LOG10_PROBABILITY.toFixed(4)}\t${w.token}`);
  return `\\data\\\nngram 1=${words.length}\n\n\\1-grams:\n${lines.join('\n')}\n\n\\end\\\n`;
}

/**
 * The dictionary (the model's with the terms after it) and the terms' language model for these
 * words, written once per content in a folder of `dir`; their paths. About 15 ms of CPU with the
 * en-us dictionary (3.2 MB).
 */
export function vocabularyFiles(
  baseDict: string,
  words: readonly VocabularyWord[],
  dir: string,
): { readonly dict: string; readonly lm: string } {
  const entries = words.map((w) => `${w.token} ${w.phones.join(' ')}\n`).join('');
  const arpa = unigramArpa(words);
  const hash = createHash('sha256').update(`${baseDict}\0${entries}\0${arpa}`).digest('hex').slice(0, 24);
  const folder = join(dir, hash);
  mkdirSync(folder, { recursive: true });
  const dict = join(folder, 'dict');
  const lm = join(folder, 'terms.arpa');
  writeOnce(dict, () => {
    const base = readFileSync(baseDict, 'utf8');
    return `${base}${base.endsWith('\n') ? '' : '\n'}${entries}`;
  });
  writeOnce(lm, () => arpa);
  return { dict, lm };
}

/**
 * The shared language model and a vocabulary's terms, searched as one by the decoders of that
 * vocabulary (read once, on the first decoder's settings; not safe from two threads).
 */
export class VocabularyLanguageModel {
  readonly #base: SharedLanguageModel;
  readonly #termsFile: string;
  #set: NativeHandle | null = null;

  constructor(base: SharedLanguageModel, termsFile: string) {
    this.#base = base;
    this.#termsFile = termsFile;
  }

  model(ps: PocketsphinxFunctions, decoder: NativeHandle): NativeHandle {
    if (this.#set) return this.#set;
    const base = this.#base.model(ps, decoder);
    const config = ps.ps_get_config(decoder);
    const terms = ps.ngram_model_read(config, this.#termsFile, 0, ps.ps_get_logmath(decoder));
    if (!terms) {
      throw new CallsightError('CS_ERR_ASR_UNAVAILABLE', 'pocketsphinx could not read a vocabulary model');
    }
    // The set retains both; its own reference to the terms model is the only one kept.
    const set = ps.ngram_model_set_init(config, [base, terms], ['base', 'terms'], [1, 1], 2);
    ps.ngram_model_free(terms);
    if (!set)
      throw new CallsightError('CS_ERR_ASR_UNAVAILABLE', 'pocketsphinx could not combine a vocabulary model');
    this.#set = set;
    return set;
  }

  /** Drops this reference; decoders still searching the model keep it alive. */
  free(): void {
    if (this.#set) loadPocketsphinx().ngram_model_free(this.#set);
    this.#set = null;
  }
}
