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

// Build the language model (~90 ms), and load the first names and the pronunciations the PII
// detector reads (~200 ms), before the first call needs them: a number after a name and a cue.
analyzerFor({}).analyze({
  utteranceId: 'warm-up',
  role: 'CUSTOMER',
  beginMs: 0,
  endMs: 1000,
  words: 'hello this is john my card is four two'
    .split(' ')
    .map((word, i) => ({ word, startMs: i * 100, endMs: i * 100 + 100, confidence: 1 })),
});
post({ type: 'ready' });
