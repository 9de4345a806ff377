import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { RecognitionResult } from '../../../src/transcribe/SpeechEngineTypes.js';
import { frames } from '../audio.js';

/** One recognition session of a test server: audio in, results with times from the session's first sample. */
export interface BackendSession {
  write(samples: Int16Array): void;
  /** The last results are out when this resolves. */
  end(): Promise<void>;
  /**
   * Resolves when pocketsphinx has decoded what was written so far, or after `maxWaitMs` (its
   * progress comes every 500 ms of audio, so the last few hundred ms may not be reported).
   */
  caughtUp(maxWaitMs: number): Promise<void>;
}

/**
 * Real recognition behind the protocol test servers: pocketsphinx (one worker), so the servers
 * answer with text that was heard, not canned strings.
 */
export class RecognizerBackend {
  readonly #engine = new PocketsphinxEngine({ workers: 1 });

  ready(): Promise<void> {
    return this.#engine.ready();
  }

  open(onResult: (result: RecognitionResult) => void): BackendSession {
    const stream = this.#engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
    stream.on('result', onResult);
    stream.on('error', () => undefined);
    let atMs = 0;
    return {
      write(samples) {
        for (const frame of frames(samples, 0, atMs)) stream.write(frame);
        atMs += samples.length / 16;
      },
      end: () => stream.end(),
      async caughtUp(maxWaitMs) {
        const deadline = Date.now() + maxWaitMs;
        while (stream.bufferedMs > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
    };
  }

  /** A whole recording: its finals, in order. */
  async recognize(samples: Int16Array): Promise<RecognitionResult[]> {
    const finals: RecognitionResult[] = [];
    const session = this.open((r) => {
      if (!r.isPartial) finals.push(r);
    });
    session.write(samples);
    await session.end();
    return finals;
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}
