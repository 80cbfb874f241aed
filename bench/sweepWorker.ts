/**
 * Worker-thread entry for the benchmark pool: runs one sweep job or one scale job per message and
 * posts the result back (errors as text, so a failing run is reported, not lost).
 */
import { parentPort } from 'node:worker_threads';
import { runScaleJob, type ScaleJob } from './scale.js';
import { runJob, type SweepJob } from './sweepJobs.js';

type Job = ({ kind?: 'sweep' } & SweepJob) | ({ kind: 'scale' } & ScaleJob);

parentPort?.on('message', (msg: { index: number; job: Job }) => {
  const work = msg.job.kind === 'scale' ? runScaleJob(msg.job) : runJob(msg.job);
  work.then(
    (result) => parentPort?.postMessage({ index: msg.index, result }),
    (err: unknown) => parentPort?.postMessage({ index: msg.index, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
