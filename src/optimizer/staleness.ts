/**
 * The app's estimate of mean staleness (DESIGN.md freshness metrics) without ground truth: for each
 * entity, the expected age of a Poisson value at its current interval, with the rate the stats
 * module learned for its current regime, or — until it has one — the censored estimate from the
 * poller's own counts. The optimizer's evaluation, the mean-staleness sensor and the dashboard all
 * use this one figure.
 */
import { expectedAgeMs } from '../metrics/ageModel.js';
import type { EntityStatus } from '../modbus/pollerTypes.js';
import type { StatsView } from '../stats/types.js';

const MS_PER_HOUR = 3_600_000;

/** Change rate per ms from "changed or not" polls at one interval (DESIGN.md's closed form). */
export function censoredRatePerMs(polls: number, changes: number, intervalMs: number): number {
  if (polls <= 0 || intervalMs <= 0) return 0;
  const x = Math.min(changes, polls);
  return Math.max(0, -Math.log((polls - x + 0.5) / (polls + 0.5)) / intervalMs);
}

export function entityStalenessMs(s: EntityStatus, stats: Pick<StatsView, 'currentRate'> | undefined): number | undefined {
  const learned = stats?.currentRate(s.id);
  if (learned && learned.kind !== 'unknown') return expectedAgeMs(s.intervalMs, learned.ratePerHour / MS_PER_HOUR);
  if (s.polls < 2) return undefined;
  return expectedAgeMs(s.intervalMs, censoredRatePerMs(s.polls - 1, s.changes, s.intervalMs));
}

/** Mean over entities with an estimate; undefined when none has one yet. */
export function meanStalenessMs(entities: readonly EntityStatus[], stats?: Pick<StatsView, 'currentRate'>): number | undefined {
  const ages = entities.map((e) => entityStalenessMs(e, stats)).filter((a): a is number => a !== undefined);
  return ages.length ? ages.reduce((a, b) => a + b, 0) / ages.length : undefined;
}
