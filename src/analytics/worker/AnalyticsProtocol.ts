import type { CallSummary } from '../CallSummary.js';
import type { PostCallInput } from '../PostCallAnalytics.js';
import type { PostCallAnalytics } from '../PostCallTypes.js';
import type { UtteranceAnalysis, UtteranceAnalyzerOptions, UtteranceInput } from '../UtteranceAnalyzer.js';
import type { UtteranceEvent } from '../UtteranceTypes.js';

/** Post-call input as it crosses the thread boundary (structured clone keeps Maps, but be explicit). */
export type PostCallRequest = Omit<PostCallInput, 'loudness'> & {
  readonly loudness?: readonly [string, readonly number[]][];
};

/** Messages to an analytics worker. */
export type ToAnalyticsWorker =
  | {
      readonly id: number;
      readonly op: 'utterance';
      readonly options: UtteranceAnalyzerOptions;
      readonly input: UtteranceInput;
    }
  | { readonly id: number; readonly op: 'postCall'; readonly input: PostCallRequest }
  | { readonly id: number; readonly op: 'summary'; readonly utterances: readonly UtteranceEvent[] }
  | { readonly id: 0; readonly op: 'crash' };

export interface AnalyticsResults {
  readonly utterance: UtteranceAnalysis;
  readonly postCall: PostCallAnalytics;
  readonly summary: CallSummary;
}

/** Messages from an analytics worker. */
export type FromAnalyticsWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
