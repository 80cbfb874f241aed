/**
 * Long simulations the tests need, as functions a worker thread can run (test/helpers/inWorker.ts)
 * and whose results are plain data: one simulated day of a policy through the real app, and one
 * simulated week of the stats service on the solar-home site with the ground truth beside it.
 */
import { policyByName } from '../../src/sim/baselines/index.js';
import type { RegimeRates } from '../../src/sim/rates.js';
import { runSimulation, type RunResult } from '../../src/sim/runner.js';
import { siteByName, solarHome, type SiteName } from '../../src/sim/sites.js';
import type { ChangeTrackingView, Cluster, RateEstimate, RegimeReport } from '../../src/stats/types.js';
import { siteRig } from './statsSite.js';

export interface SimulationJob {
  site: SiteName;
  policy: string;
  /** The policy setting with this value (e.g. 15 for HA-default's 15 s). */
  settingValue: number;
  seed: number;
  durationMs: number;
}

/** Figures and bus counters of one run of a baseline policy. */
export async function simulationFigures(job: SimulationJob): Promise<Pick<RunResult, 'figures' | 'buses'>> {
  const policy = policyByName(job.policy);
  const setting = policy.settings.find((s) => s.value === job.settingValue);
  if (!setting) throw new Error(`${job.policy} has no setting ${job.settingValue}`);
  const { figures, buses } = await runSimulation({ site: siteByName(job.site), policy, setting, seed: job.seed, durationMs: job.durationMs });
  return { figures, buses };
}

/** What the stats service learned about one entity, beside the simulator's truth about it. */
export interface EntityReport {
  id: string;
  truth: { regimes: RegimeRates; changes: number };
  kind: ChangeTrackingView['kind'] | undefined;
  rate: RateEstimate | undefined;
  regimes: RegimeReport | undefined;
}

export interface SiteWeekReport {
  entities: EntityReport[];
  clusters: Cluster[];
  trueGroups: string[][];
}

/** The stats service after polling solar-home for `durationMs` at one scan interval. */
export async function solarHomeStats(seed: number, scanS: number, durationMs: number): Promise<SiteWeekReport> {
  const rig = siteRig(solarHome(), { seed, scanS });
  await rig.run(durationMs);
  rig.site.advanceAll(rig.clock.now());
  const { stats, site } = rig;
  const report: SiteWeekReport = {
    entities: site.entityIds().map((id) => ({
      id, truth: { regimes: site.regimes(id), changes: site.changeCount(id) },
      kind: stats.tracking(id)?.kind, rate: stats.rate(id), regimes: stats.regimes(id),
    })),
    clusters: stats.clusters(),
    trueGroups: site.coChangeGroups(),
  };
  await rig.stop();
  return report;
}
