/**
 * The freshness benchmark: every policy on both simulated sites, several seeds, run by the real app
 * in virtual time, scored with the shared metrics. Every run of a site and seed shares one epoch and
 * one measured window, so all policies see the identical change times. Runs are farmed out to worker
 * threads; the tables (freshnessTables.ts) reduce them to median and min–max over seeds.
 */
import type { SiteName } from '../src/sim/sites.js';
import { epochOf, type BenchPlan } from './benchPlan.js';
import { runInWorkers } from './pool.js';
import { LEARNING_POLICY_NAMES, type SweepJob, type SweepOutcome } from './sweepJobs.js';

export interface SiteSweep {
  site: SiteName;
  plan: BenchPlan;
  outcomes: SweepOutcome[];
}


export function jobsOf(plan: BenchPlan, site: SiteName): SweepJob[] {
  const p = plan.sites[site];
  const epochMs = epochOf(p);
  return plan.seeds.flatMap((seed) => Object.entries(p.points).flatMap(([policy, settings]) => settings.map((setting) => ({
    site, policy, setting, seed, startMs: p.startMs, durationMs: p.durationMs, epochMs,
    warmupMs: LEARNING_POLICY_NAMES.includes(policy) ? p.learningMs : p.baselineWarmupMs,
  }))));
}

export async function runSweeps(workerUrl: URL, plan: BenchPlan): Promise<SiteSweep[]> {
  const sites: SiteName[] = ['solar-home', 'industrial'];
  const ordered = sites.flatMap((site) => jobsOf(plan, site));
  // longest first (the optimizer's learning), so the pool's lanes finish together; tables keep the plan's order
  const weight = (j: SweepJob) => j.warmupMs * 10 + j.durationMs;
  const runOrder = ordered.map((_, i) => i).sort((a, b) => weight(ordered[b] as SweepJob) - weight(ordered[a] as SweepJob));
  const results = await runInWorkers<SweepJob, SweepOutcome>(workerUrl, runOrder.map((i) => ordered[i] as SweepJob), {
    onResult: (o) => console.log(`[bench]   ${o.job.site} seed ${o.job.seed} ${o.job.policy} ${o.setting.label}: ${(o.wallMs / 1000).toFixed(1)} s`),
  });
  const outcomes: SweepOutcome[] = new Array<SweepOutcome>(ordered.length);
  runOrder.forEach((i, k) => {
    outcomes[i] = results[k] as SweepOutcome;
  });
  return sites.map((site) => ({ site, plan, outcomes: outcomes.filter((o) => o.job.site === site) }));
}

export function cpuSummary(sweeps: readonly SiteSweep[]): string {
  return sweeps.map((s) => {
    const total = s.outcomes.reduce((n, o) => n + o.wallMs, 0);
    return `freshness [${s.site}]: ${s.outcomes.length} runs, ${(total / 1000).toFixed(1)} s of run time in workers`;
  }).join('\n');
}
