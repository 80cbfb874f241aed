/**
 * Scale benchmark: what one simulated hour of polling costs the real app at 100, 1,000 and 10,000
 * entities (commercial inverters on one Modbus TCP gateway, 15 s scan interval, cost-model planner):
 * CPU per simulated hour (and its inverse, simulated hours per CPU second) and the app's live heap after garbage collection (the simulator's own memory dropped first), each size in a fresh worker; with entity
 * statistics learning and the optimizer present (its schedule off), one full optimization cycle is
 * timed near the end of the run and the state file the app writes at stop is measured.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { App } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { APP_STATE_FILE } from '../src/store/appState.js';
import { inverterDevice } from '../src/sim/devices/inverter.js';
import { prefixed } from '../src/sim/points.js';
import type { Policy } from '../src/sim/policy.js';
import { DEFAULT_START_MS, runSimulation } from '../src/sim/runner.js';
import type { SiteSpec } from '../src/sim/sites.js';
import { SUN_ENTITY } from '../src/sim/rates.js';

export interface ScaleJob {
  kind: 'scale';
  entities: number;
  simulatedMs: number;
  seed: number;
}

export interface ScaleOutcome {
  entities: number;
  simulatedMs: number;
  /** CPU time of the run (the worker's process, which does nothing else meanwhile). */
  cpuMs: number;
  heapMb: number;
  requests: number;
  fullCycleMs: number | undefined;
  storeBytes: number | undefined;
}

const PER_INVERTER = 124;
const HOUR_MS = 3_600_000;

/** Enough commercial inverters (124 entities each) on one TCP gateway for about `entities`. */
export function scaledSite(entities: number): SiteSpec {
  const count = Math.max(1, Math.round(entities / PER_INVERTER));
  return {
    name: 'industrial', description: `${count} commercial inverters on one TCP gateway`,
    connections: [{ name: 'plant', type: 'tcp', turnaround_ms: 5, max_registers_per_read: 125 }],
    devices: Array.from({ length: count }, (_, i) => {
      const device = inverterDevice({ name: `inv${i + 1}`, unitId: i + 1, turnaroundMs: 5, mppts: 14, strings: 30 });
      return { device: { ...device, points: prefixed(`inv${i + 1}`, device.points) }, connection: 'plant' };
    }),
    contextEntities: [SUN_ENTITY],
  };
}

/** The app as installed: statistics learn, the optimizer exists (its schedule on only when `scheduled`), state kept in `dataDir`. */
export function appDefault(dataDir: string, seen: { app?: App }, scheduled = false): Policy {
  return {
    name: 'app-default', description: 'the app as configured', knob: '-', settings: [{ label: '15 s', value: 15 }],
    prepare: () => ({
      appDeps: { optimizer: resolveOptions({ optimizer: { enabled: scheduled } }).optimizer, learning: true, dataDir },
      attach: (env) => {
        seen.app = env.app;
      },
    }),
  };
}

/**
 * One full cycle on what the run learned — every strategy runs, none is on cooldown yet — timed
 * after the simulation (inside it, virtual timers of the poller would interleave with the cycle's
 * awaits and inflate the figure).
 */
async function timeFullCycle(app: App | undefined): Promise<number | undefined> {
  const loop = app?.optimizer?.loop;
  if (!loop) return undefined;
  const t0 = performance.now();
  const report = await loop.runFullOptimization('bench');
  const ran = report.runs.filter((r) => r.status !== 'skipped_cooldown' && r.status !== 'skipped_learning').length;
  return ran === loop.strategyNames().length ? performance.now() - t0 : undefined;
}

/** The heap still reachable (after two full collections) while `keep` is held: the app's own memory. */
function liveHeapMb(keep: unknown): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const mb = v8.getHeapStatistics().used_heap_size / 2 ** 20;
  return keep === undefined ? NaN : mb;
}

export async function runScaleJob(job: ScaleJob): Promise<ScaleOutcome> {
  const site = scaledSite(job.entities);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mbo-scale-'));
  const startMs = DEFAULT_START_MS + 12 * HOUR_MS;
  const seen: { app?: App } = {};
  const cpu0 = process.cpuUsage();
  // only figures leave this call: the simulation's result (site, ground truth, recorder) is garbage after it
  const figures = await runSimulation({ site, policy: appDefault(dataDir, seen), setting: { label: '15 s', value: 15 }, seed: job.seed, durationMs: job.simulatedMs, startMs })
    .then((result) => ({ entities: result.entities.length, requests: result.figures.requestsPerHour * (job.simulatedMs / HOUR_MS) }));
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const storeBytes = await stat(path.join(dataDir, APP_STATE_FILE)).then((s) => s.size, () => undefined);
  const fullCycleMs = await timeFullCycle(seen.app);
  await rm(dataDir, { recursive: true, force: true });
  // what stays reachable is the app (stopped) with all it learned
  return { ...figures, simulatedMs: job.simulatedMs, cpuMs, heapMb: liveHeapMb(seen.app), fullCycleMs, storeBytes };
}

export function scaleJobs(seed: number): ScaleJob[] {
  return [
    { kind: 'scale', entities: 100, simulatedMs: HOUR_MS, seed },
    { kind: 'scale', entities: 1000, simulatedMs: HOUR_MS, seed },
    { kind: 'scale', entities: 10_000, simulatedMs: HOUR_MS / 4, seed },
  ];
}

export function scaleTable(rows: readonly ScaleOutcome[]): string {
  const lines = [
    '| entities | simulated | CPU per simulated hour (learning on) | simulated hours per CPU second | app heap (live, after GC) | requests/h | state file | full optimization cycle |',
    '|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map((r) => {
      const perHour = r.cpuMs / (r.simulatedMs / HOUR_MS) / 1000;
      return `| ${r.entities.toLocaleString('en-US')} | ${r.simulatedMs / 60_000} min | ${perHour.toFixed(2)} s | ${(1 / perHour).toFixed(2)} | ${r.heapMb.toFixed(0)} MB | `
        + `${Math.round(r.requests / (r.simulatedMs / HOUR_MS)).toLocaleString('en-US')} | `
        + `${r.storeBytes === undefined ? 'not written' : `${(r.storeBytes / 2 ** 20).toFixed(2)} MB`} | `
        + `${r.fullCycleMs === undefined ? 'did not finish' : `${r.fullCycleMs.toFixed(0)} ms`} |`;
    }),
  ];
  return lines.join('\n');
}
