// Preloaded into the app under soak (NODE_OPTIONS=--import=<this file>), so the app runs unchanged
// while its own process reports what only it can see: resident memory, heap, event-loop delay, the
// live handles and timers by type, and any MaxListenersExceededWarning. One JSON line per sample is
// appended to SOAK_PROBE_FILE every SOAK_PROBE_MS (default 10 s); the probe's timer is unref'd, so it is
// not counted among the app's timers. Event-loop delay is reported per sample and, from SOAK_WARMUP_MS
// on, over the whole run since. Does nothing without SOAK_PROBE_FILE.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

const file = process.env.SOAK_PROBE_FILE;
if (file) {
  const everyMs = Number(process.env.SOAK_PROBE_MS ?? 10_000);
  const warmupMs = Number(process.env.SOAK_WARMUP_MS ?? 0);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const sinceWarmup = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = Date.now();
  let warm = false;
  const warnings = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`.slice(0, 200)));
  const sample = () => {
    const resources = {};
    for (const kind of process.getActiveResourcesInfo()) {
      if (kind !== 'IntervalHistogram') resources[kind] = (resources[kind] ?? 0) + 1; // the probe's own
    }
    if (!warm && Date.now() - started >= warmupMs) {
      warm = true;
      sinceWarmup.enable();
    }
    if (process.env.SOAK_GC === '1' && typeof globalThis.gc === 'function') globalThis.gc(); // diagnosis only
    const mem = process.memoryUsage();
    const line = {
      t: Date.now(), rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20,
      lagP99Ms: delay.percentile(99) / 1e6, lagMaxMs: delay.max / 1e6,
      warm, sinceWarmupP99Ms: sinceWarmup.percentile(99) / 1e6, sinceWarmupMaxMs: sinceWarmup.max / 1e6, resources, warnings: warnings.splice(0),
    };
    delay.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  setInterval(sample, everyMs).unref();
}
