/**
 * A tiny worker-thread pool for the benchmark: runs independent jobs on every core (the sweep is
 * dozens of simulated days) and returns results in job order, so the output does not depend on which
 * worker finished first. `fresh` gives each job its own worker (clean heap figures for the scale run).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

interface Reply<R> {
  index: number;
  result?: R;
  error?: string;
}

export interface PoolOptions<R> {
  concurrency?: number;
  fresh?: boolean;
  /** Called as each job finishes (progress). */
  onResult?: (result: R) => void;
}

export async function runInWorkers<J, R>(workerUrl: URL, jobs: readonly J[], options: PoolOptions<R> = {}): Promise<R[]> {
  const results: R[] = new Array<R>(jobs.length);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? os.availableParallelism(), jobs.length));
  let next = 0;
  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    try {
      while (next < jobs.length) {
        const index = next++;
        if (!worker || options.fresh) {
          await worker?.terminate();
          worker = new Worker(workerUrl);
        }
        results[index] = await ask<J, R>(worker, index, jobs[index] as J);
        options.onResult?.(results[index] as R);
      }
    } finally {
      await worker?.terminate();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}

function ask<J, R>(worker: Worker, index: number, job: J): Promise<R> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply<R>) => {
      if (reply.index !== index) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      if (reply.error !== undefined) reject(new Error(reply.error));
      else resolve(reply.result as R);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ index, job });
  });
}
