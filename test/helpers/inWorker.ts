/**
 * Runs one exported function of a TypeScript module in a worker thread and resolves with its result.
 * Jest runs test code inside a VM context with promise hooks on, which makes the virtual-time path
 * about three times slower than plain Node; the simulated weeks the stats and simulator tests need
 * run here instead, on the same sources, and the test asserts on what they return (plain data:
 * whatever the structured clone carries).
 */
import { Worker } from 'node:worker_threads';

export function inWorker<T>(moduleUrl: URL, exportName: string, ...args: unknown[]): Promise<T> {
  const worker = new Worker(new URL('./worker/entry.js', import.meta.url), {
    workerData: { moduleUrl: moduleUrl.href, exportName, args },
    execArgv: [],
  });
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: { ok: true; result: T } | { ok: false; message: string }) => {
      if (m.ok) resolve(m.result);
      else reject(new Error(`${exportName} in ${moduleUrl.pathname} failed in its worker: ${m.message}`));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${exportName} worker exited (code ${code}) without an answer`)));
  });
}
