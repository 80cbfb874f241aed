/**
 * The freshness tables of one site: the raw rows of every seed, the comparison at HA-default's
 * operating point (median and min–max over seeds of each ratio), the bounds (the static-rate
 * allocator's bus use against its budget, overspend shown; the exact bound; the clairvoyant floor)
 * and the plot. Each ratio is computed within one seed — every policy of a seed saw the same change
 * times — and only then summarised over seeds.
 */
import { siteByName } from '../src/sim/sites.js';
import { REFERENCE } from './benchPlan.js';
import type { SiteSweep } from './freshness.js';
import { busBoundAt, stalenessBoundAt } from './exactBound.js';
import { formatSpread, spread, type Spread } from './seedStats.js';
import { logLogChart } from './svgPlot.js';
import type { SweepOutcome } from './sweepJobs.js';

const HOUR_MS = 3_600_000;
export const DISPLAY: Record<string, string> = {
  'ha-default': 'ha-default', telegraf: 'telegraf', 'solax-tiers': 'solax-tiers', 'static-rate': 'static-rate allocator',
  optimizer: 'optimizer (shipped)', 'optimizer-freshest': 'optimizer (freshest)',
  'optimizer-without-pattern': 'optimizer (shipped, pattern off)', 'optimizer-without-cluster': 'optimizer (shipped, cluster off)',
};
const COLORS: Record<string, string> = {
  'ha-default': '#d62728', telegraf: '#1f77b4', 'solax-tiers': '#ff7f0e', 'static-rate': '#2ca02c', optimizer: '#9467bd', 'optimizer-freshest': '#8c564b',
  'optimizer-without-pattern': '#e377c2', 'optimizer-without-cluster': '#7f7f7f',
};

export const s1 = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
export const pct = (x: number) => `${(x * 100).toFixed(Math.abs(x) < 0.1 ? 2 : 1)}%`;
export const ratio = (x: number) => `${x.toFixed(2)}×`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const name = (p: string) => DISPLAY[p] ?? p;

export function seedsOf(sweep: SiteSweep): number[] {
  return [...new Set(sweep.outcomes.map((o) => o.job.seed))];
}

export function policiesOf(sweep: SiteSweep): string[] {
  return [...new Set(sweep.outcomes.map((o) => o.job.policy))];
}

/** Per seed: f of that seed's outcomes, then median and range over seeds. */
export function overSeeds(sweep: SiteSweep, f: (outcomes: SweepOutcome[]) => number | undefined): Spread | undefined {
  return spread(seedsOf(sweep).map((seed) => f(sweep.outcomes.filter((o) => o.job.seed === seed))));
}

export function referenceOf(outcomes: readonly SweepOutcome[]): SweepOutcome | undefined {
  return outcomes.find((o) => o.job.policy === REFERENCE.policy && o.setting.value === REFERENCE.value);
}

/** log-log interpolation of y at x along a curve sorted by x; undefined outside it. */
export function interpolate(points: ReadonlyArray<{ x: number; y: number }>, x: number): number | undefined {
  const sorted = [...points].filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as { x: number; y: number };
    const b = sorted[i] as { x: number; y: number };
    if (x < a.x || x > b.x) continue;
    const f = a.x === b.x ? 0 : (Math.log(x) - Math.log(a.x)) / (Math.log(b.x) - Math.log(a.x));
    return Math.exp(Math.log(a.y) + f * (Math.log(b.y) - Math.log(a.y)));
  }
  const exact = sorted.find((p) => p.x === x);
  return exact?.y;
}

export const curveOf = (outcomes: readonly SweepOutcome[], policy: string) => outcomes.filter((o) => o.job.policy === policy).map((o) => o.figures);
export function busAtStaleness(outcomes: readonly SweepOutcome[], policy: string, stalenessMs: number): number | undefined {
  return interpolate(curveOf(outcomes, policy).map((f) => ({ x: f.meanStalenessMs, y: f.busUtilisation })), stalenessMs);
}
export function stalenessAtBus(outcomes: readonly SweepOutcome[], policy: string, bus: number): number | undefined {
  return interpolate(curveOf(outcomes, policy).map((f) => ({ x: f.busUtilisation, y: f.meanStalenessMs })), bus);
}

export function header(sweep: SiteSweep): string {
  const p = sweep.plan.sites[sweep.site];
  const first = sweep.outcomes[0];
  const from = new Date(p.startMs).toISOString().slice(11, 16);
  return [
    `${siteByName(sweep.site).description}. ${first?.figures.entities ?? 0} entities; measured window ${p.durationMs / HOUR_MS} h from ${from} UTC`
      + ` (sunrise 06:00), seeds ${seedsOf(sweep).join(', ')}${sweep.plan.quick ? ' — **quick mode**: one seed, short window, few points' : ''}.`,
    `Every run of a seed shares one epoch (${p.learningMs / HOUR_MS} h before the window) and so the identical change times in the window.`
      + ` Fixed-rate and static-rate policies poll for ${p.baselineWarmupMs / 60_000} min before the window;`
      + ` the optimizer learns for **${p.learningMs / HOUR_MS} simulated hours** from a fresh start (a real install has days; shortened to fit the bench's time).`,
  ].join('\n');
}

export function sweepTable(sweep: SiteSweep): string {
  const rows = sweep.outcomes.map(({ job, setting, figures: f, overruns }) =>
    `| ${job.seed} | ${name(job.policy)} | ${setting.label} | ${pct(f.busUtilisation)} | ${f.busSecondsPerHour.toFixed(0)} | ${int(f.requestsPerHour)} | `
    + `${s1(f.meanStalenessMs)} | ${s1(f.meanDelayMs)} | ${s1(f.p95DelayMs)} | ${pct(f.changes > 0 ? f.missed / f.changes : 0)} | ${int(f.stateWritesPerHour)} | ${int(overruns)} |`);
  return [
    '| seed | policy | setting | bus utilisation | bus s/h | requests/h | mean staleness (s) | delay mean (s) | delay p95 (s) | missed changes | HA writes/h | overruns |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** Per policy, over seeds: bus time for HA-default's staleness (share of HA's), staleness at HA's bus time. */
export function comparisonTable(sweep: SiteSweep): string {
  const n = seedsOf(sweep).length;
  const ref = overSeeds(sweep, (o) => referenceOf(o)?.figures.meanStalenessMs);
  const refBus = overSeeds(sweep, (o) => referenceOf(o)?.figures.busUtilisation);
  const rows = policiesOf(sweep).map((p) => {
    const share = overSeeds(sweep, (o) => {
      const r = referenceOf(o)?.figures;
      const b = r && busAtStaleness(o, p, r.meanStalenessMs);
      return r && b !== undefined ? b / r.busUtilisation : undefined;
    });
    const stale = overSeeds(sweep, (o) => {
      const r = referenceOf(o)?.figures;
      return r && stalenessAtBus(o, p, r.busUtilisation);
    });
    return `| ${name(p)} | ${formatSpread(share, pct, n)} | ${formatSpread(stale, s1, n)} |`;
  });
  const floor = overSeeds(sweep, (o) => {
    const r = referenceOf(o);
    return r && r.floor.busUtilisation / r.figures.busUtilisation;
  });
  const boundBus = overSeeds(sweep, (o) => {
    const r = referenceOf(o);
    return r?.bound && busBoundAt(r.bound.curve, r.figures.meanStalenessMs) / r.figures.busUtilisation;
  });
  const boundStale = overSeeds(sweep, (o) => {
    const r = referenceOf(o);
    return r?.bound && stalenessBoundAt(r.bound.curve, r.figures.busUtilisation);
  });
  return [
    `At HA-default's operating point (15 s: ${formatSpread(refBus, pct, n)} bus, ${formatSpread(ref, s1, n)} s mean staleness; median (min–max) over seeds), interpolated along each policy's curve within each seed:`,
    '',
    '| policy | bus time for HA-default\'s staleness, share of HA-default\'s | mean staleness (s) at HA-default\'s bus time |',
    '|---|---:|---:|',
    ...rows,
    `| exact bound (proven lower bound for polling: no schedule does better; see Bounds) | ≥ ${formatSpread(boundBus, pct, n)} | ≥ ${formatSpread(boundStale, s1, n)} |`,
    `| clairvoyant floor (reference line: every change read alone the instant it happens) | ${formatSpread(floor, pct, n)} at zero staleness | 0 |`,
  ].join('\n');
}

/** Budgeted policies: budget asked, bus time used (median, range), overspend. */
export function boundsTable(sweep: SiteSweep): string {
  const n = seedsOf(sweep).length;
  const budgeted = sweep.outcomes.filter((o) => o.job.policy === 'static-rate' || o.job.policy === 'optimizer-freshest');
  const keys = [...new Set(budgeted.map((o) => `${o.job.policy}|${o.setting.value}`))];
  const rows = keys.map((key) => {
    const [policy, value] = key.split('|') as [string, string];
    const budget = Number(value);
    const runs = budgeted.filter((o) => o.job.policy === policy && o.setting.value === budget);
    const used = spread(runs.map((o) => o.figures.busUtilisation));
    const over = runs.filter((o) => o.figures.busUtilisation > budget * 1.001).length;
    const worst = used ? used.max / budget - 1 : 0;
    return `| ${name(policy)} | ${pct(budget)} | ${formatSpread(used, pct, n)} | ${over === 0 ? 'within budget on every seed' : `**over budget on ${over} of ${runs.length} seeds, by up to ${pct(worst)}**`} | ${int(spread(runs.map((o) => o.overruns))?.max ?? 0)} |`;
  });
  const floorBus = overSeeds(sweep, (o) => referenceOf(o)?.floor.busUtilisation);
  const boundMs = overSeeds(sweep, (o) => referenceOf(o)?.bound?.ms);
  const walkBack = overSeeds(sweep, (o) => referenceOf(o)?.bound?.walkReturnShare);
  const checked = seedsOf(sweep).flatMap((seed) => {
    const runs = sweep.outcomes.filter((o) => o.job.seed === seed);
    const curve = referenceOf(runs)?.bound?.curve;
    return curve ? runs.map((o) => o.figures.meanStalenessMs >= stalenessBoundAt(curve, o.figures.busUtilisation)) : [];
  });
  return [
    'Bounds, named for what they are:',
    '',
    '| policy | budget | bus time used, median (min–max) | against its budget | poller overruns (max) |',
    '|---|---:|---:|---|---:|',
    ...rows,
    '',
    `- **Static-rate allocator** (was "oracle"): true per-regime rates, Lagrange allocation per bus, the same power-of-two ladder and amortised block costs as the optimizer, no triggered reads. It is a strong baseline, not a bound: it can overspend (above) and a learning policy may beat it.`,
    `- **Clairvoyant floor**: bus time ${formatSpread(floorBus, pct, n)} at zero staleness = Σ true changes in the window × each entity's single-read cost (ground truth). A reference line: no poller knows change instants, and it is not a lower bound at non-zero staleness.`,
    `- **Exact bound** (bench/exactBound.ts, computed in ${formatSpread(boundMs, (x) => `${(x / 1000).toFixed(1)} s`, n)}): a proven lower bound on the expected mean staleness of any polling schedule at a given bus time on this window — true rates between the real context switches, continuous intervals, no request across a device's readable ranges, each request's fixed time paid once per read of its range's most-read value, registers at their own line time (gaps free), and a free read of every value at each switch (each step can only lower the bound). Linked machine channels and multi-state values are bounded by zero. Walks that step back to the value of two changes before (${formatSpread(walkBack, pct, n)} of walk changes) can be stale for less than the Poisson model says, so for them the bound is tight, not proven. Triggered reads are outside it (none was adopted). Measured staleness was at or above the bound in ${checked.filter(Boolean).length} of ${checked.length} runs (the bound is on the expectation; a run is one realisation).`,
  ].join('\n');
}

/** The curves of the first seed (one realisation; the tables give the spread). */
export function sweepPlot(sweep: SiteSweep): string {
  const seed = seedsOf(sweep)[0];
  return logLogChart({
    title: `${sweep.site}: mean staleness vs bus time (seed ${seed})`,
    xLabel: 'bus utilisation (%)', yLabel: 'mean staleness (s)',
    series: policiesOf(sweep).map((p) => ({
      name: name(p), color: COLORS[p] ?? '#7f7f7f',
      points: sweep.outcomes.filter((o) => o.job.policy === p && o.job.seed === seed).map((o) => ({ x: o.figures.busUtilisation * 100, y: o.figures.meanStalenessMs / 1000 })),
    })),
  });
}
