/**
 * The one wink-nlp instance of the process (English lite web model), built on first use: compiling
 * the model's automata takes some 100 ms, after which a short utterance is read in tens of µs.
 */
import winkNLP, { type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let instance: WinkMethods | undefined;

export function winkNlp(): WinkMethods {
  instance ??= winkNLP(model);
  return instance;
}
