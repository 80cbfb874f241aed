/**
 * One benchmark run as plain data, so it can be handed to a worker thread and its result handed back:
 * which site, policy and sweep point, the seed and the simulated window. Both the pool (main thread)
 * and the worker use these, so the sweep runs on every core and the tables stay deterministic.
 */
import { performance } from 'node:perf_hooks';
import { BASELINES, policyByName } from '../src/sim/baselines/index.js';
import type { SiteFreshness } from '../src/metrics/freshness.js';
import type { Policy, PolicySetting } from '../src/sim/policy.js';
import { optimizerPolicy } from '../src/sim/optimizerPolicy.js';
import { runSimulation } from '../src/sim/runner.js';
import { siteByName, type SiteName } from '../src/sim/sites.js';

export interface SweepJob {
  site: SiteName;
  policy: string;
  settingIndex: number;
  seed: number;
  startMs: number;
  durationMs: number;
}

export interface SweepOutcome {
  job: SweepJob;
  setting: PolicySetting;
  figures: SiteFreshness;
  overruns: number;
  errors: number;
  /** Wall time of the run in its worker (not part of the deterministic tables). */
  wallMs: number;
}

export function jobsFor(site: SiteName, policies: readonly Policy[], seed: number, startMs: number, durationMs: number): SweepJob[] {
  return policies.flatMap((p) => p.settings.map((_, settingIndex) => ({ site, policy: p.name, settingIndex, seed, startMs, durationMs })));
}

/** Policies beyond the baselines that workers can run by name (the product itself). */
export const LEARNING_POLICIES: readonly Policy[] = [optimizerPolicy()];

export async function runJob(job: SweepJob, extra: readonly Policy[] = LEARNING_POLICIES): Promise<SweepOutcome> {
  const policy = policyByName(job.policy, extra);
  const setting = policy.settings[job.settingIndex];
  if (!setting) throw new Error(`${job.policy}: no setting #${job.settingIndex}`);
  const started = performance.now();
  const result = await runSimulation({
    site: siteByName(job.site), policy, setting, seed: job.seed, startMs: job.startMs, durationMs: job.durationMs,
  });
  return {
    job, setting, figures: result.figures,
    overruns: result.buses.reduce((n, b) => n + b.overruns, 0), errors: result.buses.reduce((n, b) => n + b.errors, 0),
    wallMs: performance.now() - started,
  };
}

export { BASELINES };
