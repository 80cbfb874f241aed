/**
 * What each optional strategy adds (issue 11 item 5): the shipped optimizer against the same optimizer
 * with that strategy switched off (optimizer.strategies without it), on the same seeds and so the same
 * change times. Each ratio is taken within a seed, then summarised as median and min–max over seeds:
 * above 1 the strategy, when on, makes values fresher (staleness) or saves bus time (bus).
 */
import type { SiteSweep } from './freshness.js';
import { pct, ratio, seedsOf } from './freshnessTables.js';
import { formatSpread, spread } from './seedStats.js';
import { withoutName } from '../src/sim/optimizerPolicy.js';
import { ABLATED } from './benchPlan.js';
import type { SweepOutcome } from './sweepJobs.js';

const shippedOf = (outcomes: readonly SweepOutcome[]) => outcomes.find((o) => o.job.policy === 'optimizer');

export function ablationTable(sweep: SiteSweep): string {
  const seeds = seedsOf(sweep);
  const rows = ABLATED.map((name) => {
    const policy = withoutName(name);
    const pairs = seeds.map((seed) => {
      const own = sweep.outcomes.filter((o) => o.job.seed === seed);
      return { shipped: shippedOf(own), off: own.find((o) => o.job.policy === policy) };
    }).filter((p): p is { shipped: SweepOutcome; off: SweepOutcome } => p.shipped !== undefined && p.off !== undefined);
    if (pairs.length === 0) return undefined;
    const staleness = spread(pairs.map((p) => (p.shipped.figures.meanStalenessMs > 0 ? p.off.figures.meanStalenessMs / p.shipped.figures.meanStalenessMs : undefined)));
    const bus = spread(pairs.map((p) => (p.shipped.figures.busUtilisation > 0 ? p.off.figures.busUtilisation / p.shipped.figures.busUtilisation : undefined)));
    const busOff = spread(pairs.map((p) => p.off.figures.busUtilisation));
    const n = seeds.length;
    return `| ${name} | ${formatSpread(staleness, ratio, n, '—')} | ${formatSpread(bus, ratio, n, '—')} | ${formatSpread(busOff, pct, n, '—')} |`;
  }).filter((r): r is string => r !== undefined);
  if (rows.length === 0) return `What each strategy adds: not measured on ${sweep.site} (the ablation runs are on solar-home only; see bench/benchPlan.ts).`;
  return [
    'What each strategy adds — the shipped default against the same run with that strategy switched off (`optimizer.strategies` without it), same seeds; above 1× the strategy makes values fresher or saves bus time:',
    '',
    '| strategy switched off | mean staleness without it ÷ shipped | bus time without it ÷ shipped | bus time without it (share of the bus) |',
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
