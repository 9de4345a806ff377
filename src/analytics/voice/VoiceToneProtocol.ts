import type { AcousticWindow } from './VoiceToneTypes.js';

/** Engine → voice tone worker. `samples` is a transferred buffer of 16 kHz Int16 samples. */
export type ToVoiceWorker =
  | { readonly type: 'open'; readonly streamId: number }
  | {
      readonly type: 'audio';
      readonly streamId: number;
      readonly samples: ArrayBuffer;
      readonly offsetMs: number;
    }
  /** End the current segment (a pause): report its partial window, then `flushed` with `requestId`. */
  | { readonly type: 'flush'; readonly streamId: number; readonly requestId: number }
  /** Flush and forget the stream, then `ended`. */
  | { readonly type: 'end'; readonly streamId: number }
  /** Test hook: throw an uncaught exception, as a bug in the analysis would. */
  | { readonly type: 'crash' }
  | { readonly type: 'close' };

/** Voice tone worker → engine. */
export type FromVoiceWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'window'; readonly streamId: number; readonly window: AcousticWindow }
  | { readonly type: 'flushed'; readonly streamId: number; readonly requestId: number }
  | { readonly type: 'ended'; readonly streamId: number; readonly busyMs: number; readonly audioMs: number }
  | { readonly type: 'stream-error'; readonly streamId: number; readonly message: string };
