/**
 * One benchmark run as plain data, so it can be handed to a worker thread and its result handed back:
 * which site, policy and sweep point, the seed, the simulated window, the warm-up and the shared
 * epoch (every policy of a site and seed starts its random processes there, so all are measured on
 * one realisation). Both the pool (main thread) and the worker use these, so the sweep runs on every
 * core and the tables stay deterministic. Each outcome carries the window's clairvoyant floor (from
 * the ground truth) and, for the optimizer, its loop health.
 */
import { performance } from 'node:perf_hooks';
import { BASELINES, policyByName } from '../src/sim/baselines/index.js';
import type { SiteFreshness } from '../src/metrics/freshness.js';
import { readBusTimeMs, timingOf } from '../src/modbus/costModel.js';
import { busKeyOf, FUNCTION_OF, type ConnectionDef } from '../src/modbus/types.js';
import { resolveOptions } from '../src/config/resolve.js';
import type { Policy, PolicySetting } from '../src/sim/policy.js';
import { optimizerPolicy, shippedOptimizer, withoutName } from '../src/sim/optimizerPolicy.js';
import { runSimulation, type RunResult } from '../src/sim/runner.js';
import { siteByName, siteOptions, type SiteName } from '../src/sim/sites.js';
import { ABLATED, REFERENCE } from './benchPlan.js';
import { boundProblem } from './boundProblem.js';
import { clairvoyantFloor, type Floor } from './clairvoyant.js';
import { boundCurve, type BoundPoint } from './exactBound.js';
import { probeLoop, type LoopHealth } from './loopHealth.js';

export interface SweepJob {
  site: SiteName;
  policy: string;
  setting: PolicySetting;
  seed: number;
  startMs: number;
  durationMs: number;
  /** Simulated time the app runs before the window (learning for the optimizer, steady polling for the rest). */
  warmupMs: number;
  /** Where the site's random processes begin: the same for every job of a site and seed. */
  epochMs: number;
}

export interface SweepOutcome {
  job: SweepJob;
  setting: PolicySetting;
  figures: SiteFreshness;
  overruns: number;
  errors: number;
  floor: Floor;
  /** The exact bound of the window (computed with the reference run only: it is the same for all). */
  bound?: { curve: BoundPoint[]; walkReturnShare: number; ms: number };
  loop?: LoopHealth;
  /** Wall time of the run in its worker (not part of the deterministic tables). */
  wallMs: number;
}

/** Policies beyond the baselines that workers build by name, with the job's warm-up as learning time. */
export const LEARNING_POLICY_NAMES: readonly string[] = ['optimizer', 'optimizer-freshest', ...ABLATED.map(withoutName)];

function policyFor(job: SweepJob): Policy {
  if (job.policy === 'optimizer') return shippedOptimizer(job.warmupMs);
  const off = ABLATED.find((s) => withoutName(s) === job.policy);
  if (off) return shippedOptimizer(job.warmupMs, off);
  if (job.policy === 'optimizer-freshest') return optimizerPolicy(job.warmupMs, [job.setting.value]);
  return policyByName(job.policy);
}

/** Σ true changes × single-read cost per entity in the window (the clairvoyant floor). */
function floorOf(job: SweepJob, result: RunResult): Floor {
  const { connections, entities } = resolveOptions(siteOptions(siteByName(job.site), 'gateway.sim', 502));
  const conns = new Map<string, ConnectionDef>(connections.map((c) => [c.name, c]));
  const changes = new Map(result.entities.map((e) => [e.entityId, e.changes]));
  return clairvoyantFloor(entities.map((def) => {
    const conn = conns.get(def.connection) as ConnectionDef;
    return { changes: changes.get(def.id) ?? 0, singleReadMs: readBusTimeMs(FUNCTION_OF[def.registerType], def.count, timingOf(conn)), bus: busKeyOf(conn) };
  }), job.durationMs);
}

/** The exact bound's curve on the job's window (bench/exactBound.ts), with the walks' return share. */
function boundOf(job: SweepJob): NonNullable<SweepOutcome['bound']> {
  const started = performance.now();
  const { problem, walkReturnShare } = boundProblem({
    site: job.site, seed: job.seed, runStartMs: job.startMs - job.warmupMs, epochMs: job.epochMs, startMs: job.startMs, durationMs: job.durationMs,
  });
  return { curve: boundCurve(problem), walkReturnShare, ms: performance.now() - started };
}

export async function runJob(job: SweepJob): Promise<SweepOutcome> {
  const base = policyFor(job);
  const probe = LEARNING_POLICY_NAMES.includes(job.policy) ? probeLoop(base, job.warmupMs) : undefined;
  const started = performance.now();
  const result = await runSimulation({
    site: siteByName(job.site), policy: probe?.policy ?? base, setting: job.setting, seed: job.seed,
    startMs: job.startMs, durationMs: job.durationMs, warmupMs: job.warmupMs, epochMs: job.epochMs,
  });
  return {
    job, setting: job.setting, figures: result.figures,
    overruns: result.buses.reduce((n, b) => n + b.overruns, 0), errors: result.buses.reduce((n, b) => n + b.errors, 0),
    floor: floorOf(job, result), loop: probe?.result(),
    ...(job.policy === REFERENCE.policy && job.setting.value === REFERENCE.value ? { bound: boundOf(job) } : {}),
    wallMs: performance.now() - started,
  };
}

export { BASELINES };
