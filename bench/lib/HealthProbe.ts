import { Worker } from 'node:worker_threads';
import { summary } from './stats.js';

/*
 * The probe runs in its own thread, so the load generator busy on the main thread does not delay
 * it: what it measures is how long Callsight's event loop takes to answer.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
let stopped = false;
parentPort.on('message', () => { stopped = true; });
(async () => {
  const rtts = [];
  while (!stopped) {
    const t0 = performance.now();
    try { await (await fetch(workerData.url)).arrayBuffer(); rtts.push(performance.now() - t0); }
    catch { rtts.push(Number.POSITIVE_INFINITY); }
    const wait = workerData.intervalMs - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  parentPort.postMessage(rtts);
})();
`;

/**
 * GET /healthz every `intervalMs` from a worker thread while a step runs: the round-trip times show
 * whether Callsight's main thread (which also serves SIP and every RTP socket) stays responsive.
 */
export class HealthProbe {
  readonly #worker: Worker;

  constructor(httpPort: number, intervalMs = 200) {
    this.#worker = new Worker(PROBE, {
      eval: true,
      workerData: { url: `http://127.0.0.1:${httpPort}/healthz`, intervalMs },
    });
  }

  /** Stops probing; resolves with the round-trip times (ms) summarised. */
  async stop(): Promise<ReturnType<typeof summary>> {
    const rtts = new Promise<number[]>((resolve) => this.#worker.once('message', resolve));
    this.#worker.postMessage('stop');
    const result = await rtts;
    await this.#worker.terminate();
    return summary(result);
  }
}
