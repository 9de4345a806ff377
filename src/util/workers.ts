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
