import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller: the built `.js`, or — run from source
 * under tsx — the `.ts` file through a small bootstrap, because Node 20 does not carry tsx's loader
 * hooks into worker threads.
 */
export function createModuleWorker(callerUrl: string, baseName: string, options: WorkerOptions): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${baseName}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Calls `onExit` once the worker has exited, with why: the uncaught error it threw, or its exit code.
 */
export function onWorkerExit(worker: Worker, onExit: (reason: Error, code: number) => void): void {
  let failure: Error | null = null;
  worker.on('error', (err) => {
    failure = err;
  });
  worker.on('exit', (code) => onExit(failure ?? new Error(`worker exited with code ${code}`), code));
}

/** A worker's start, told apart from a later crash (see workerStart). */
export interface WorkerStart {
  /** Resolves at markReady(); rejects at fail() before that. */
  readonly ready: Promise<void>;
  /** Whether markReady() was called: a worker that exits before it never ran its module. */
  readonly started: boolean;
  markReady(): void;
  fail(error: Error): void;
}

/**
 * Tracks a worker's start. A pool restarts a worker that crashes after it started, but not one that
 * exits before: its module could not run (a missing module, too little memory), and a restart would
 * only loop.
 */
export function workerStart(): WorkerStart {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A replacement worker's start is awaited by nobody: its owner logs the failure instead.
  ready.catch(() => undefined);
  let started = false;
  return {
    ready,
    get started() {
      return started;
    },
    markReady() {
      started = true;
      resolve();
    },
    fail: reject,
  };
}

/** A pool worker: its thread, whether it has exited, and the streams assigned to it. */
export interface PoolWorker {
  readonly worker: Worker;
  readonly exited: boolean;
  readonly streams: { readonly size: number };
}

/** The worker with the fewest streams (the first of equals); `fallback` when there are none. */
export function leastLoaded<T extends PoolWorker>(workers: readonly T[], fallback: T): T {
  return workers.reduce((best, w) => (w.streams.size < best.streams.size ? w : best), fallback);
}

/**
 * Asks every running worker to close with `closeMessage` and waits for each to exit, terminating one
 * that has not exited after `timeoutMs`.
 */
export async function closeWorkers(
  workers: readonly PoolWorker[],
  closeMessage: unknown,
  timeoutMs: number,
): Promise<void> {
  await Promise.all(
    workers.map(async ({ worker, exited }) => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage(closeMessage);
      const timer = setTimeout(() => void worker.terminate(), timeoutMs);
      await gone;
      clearTimeout(timer);
    }),
  );
}
