import { parentPort } from 'node:worker_threads';
import { summarizeCall } from '../CallSummary.js';
import { postCallAnalytics } from '../PostCallAnalytics.js';
import { UtteranceAnalyzer, type UtteranceAnalyzerOptions } from '../UtteranceAnalyzer.js';
import type { FromAnalyticsWorker, ToAnalyticsWorker } from './AnalyticsProtocol.js';
import { errorMessage } from '../../platform/errors.js';

/** The analytics models run here, off the event loop that carries SIP and RTP. */
const port = parentPort!;
const analyzers = new Map<string, UtteranceAnalyzer>();

function analyzerFor(options: UtteranceAnalyzerOptions): UtteranceAnalyzer {
  const key = JSON.stringify(options);
  let analyzer = analyzers.get(key);
  if (!analyzer) {
    analyzer = new UtteranceAnalyzer(options);
    analyzers.set(key, analyzer);
  }
  return analyzer;
}

function post(message: FromAnalyticsWorker): void {
  port.postMessage(message);
}

port.on('message', (message: ToAnalyticsWorker) => {
  if (message.op === 'crash') {
    // Test hook: an uncaught exception takes the worker down, as a fault in a model would.
    setImmediate(() => {
      throw new Error('analytics worker crashed on purpose (crashWorkerForTesting)');
    });
    return;
  }
  try {
    let result: unknown;
    if (message.op === 'utterance') result = analyzerFor(message.options).analyze(message.input);
    else if (message.op === 'postCall')
      result = postCallAnalytics({ ...message.input, loudness: new Map(message.input.loudness ?? []) });
    else result = summarizeCall(message.utterances);
    post({ type: 'result', id: message.id, result });
  } catch (err) {
    post({ type: 'error', id: message.id, message: errorMessage(err) });
  }
});

// Build the language model before the first call needs it (it takes ~90 ms).
analyzerFor({}).analyze({
  utteranceId: 'warm-up',
  role: 'CUSTOMER',
  beginMs: 0,
  endMs: 1000,
  words: [{ word: 'hello', startMs: 0, endMs: 500, confidence: 1 }],
});
post({ type: 'ready' });
