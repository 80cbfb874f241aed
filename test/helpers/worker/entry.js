// Worker-thread entry for test/helpers/inWorker.ts: registers the TypeScript hooks, imports the asked
// module, calls the asked export with the given arguments and posts back its (structured-clone) result.
import { register } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

register('./tsLoader.js', import.meta.url);
const { moduleUrl, exportName, args } = workerData;
try {
  const mod = await import(moduleUrl);
  const result = await mod[exportName](...args);
  parentPort.postMessage({ ok: true, result });
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
