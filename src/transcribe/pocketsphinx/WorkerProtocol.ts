import type { RecognitionResult } from '../SpeechEngineTypes.js';
import type { VocabularyTerm } from '../Vocabularies.js';
import type { ResolvedPocketsphinxOptions } from './PocketsphinxOptions.js';

/** How often (ms of decoded audio) a worker reports a stream's progress, for back-pressure. */
export const PROGRESS_INTERVAL_MS = 500;

/** workerData of a recognition worker. */
export type WorkerInit = ResolvedPocketsphinxOptions;

/** Engine → worker. `samples` is a transferred buffer of 16 kHz Int16 samples. */
export type ToWorker =
  | {
      readonly type: 'open';
      readonly streamId: number;
      readonly channel: number;
      /** The stream's custom vocabulary terms (added to the decoders it borrows). */
      readonly vocabulary?: readonly VocabularyTerm[];
    }
  | {
      readonly type: 'audio';
      readonly streamId: number;
      readonly samples: ArrayBuffer;
      readonly offsetMs: number;
    }
  | { readonly type: 'end'; readonly streamId: number }
  | { readonly type: 'crash' }
  /** Free every decoder and exit. */
  | { readonly type: 'close' };

/** Worker → engine. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'load-error'; readonly code: string; readonly message: string }
  | { readonly type: 'result'; readonly streamId: number; readonly result: RecognitionResult }
  /** The worker decoded `ms` more of the stream's audio (sent every PROGRESS_INTERVAL_MS of audio). */
  /** `ms` more of the stream's audio decoded, which kept the worker busy `busyMs`. */
  | { readonly type: 'progress'; readonly streamId: number; readonly ms: number; readonly busyMs: number }
  | { readonly type: 'ended'; readonly streamId: number }
  | {
      readonly type: 'stream-error';
      readonly streamId: number;
      readonly code: 'CS_ERR_ASR_FAILED' | 'CS_ERR_ASR_OVERLOADED';
      readonly message: string;
    }
  /** The thread's decoders changed: loaded (busy, idle), streams waiting for one, streams refused so far. */
  | { readonly type: 'decoders'; readonly counts: WorkerDecoderCounts }
  /** The number pass failed (e.g. a grammar word missing from a custom dictionary) and is off in this thread. */
  | { readonly type: 'number-pass-off'; readonly message: string };

export interface WorkerDecoderCounts {
  readonly busy: number;
  readonly idle: number;
  readonly waiting: number;
  readonly refused: number;
}
