/**
 * One entity's freshness as the faces show it beside its value (MQTT's json_attributes_topic, the
 * dashboard's table): the interval it is polled at now, the change rate learned so far, the age the
 * model expects at that interval, and when it was last read and last changed. Computed here once so
 * every face shows the same figures; rounded so that noise in the estimate does not republish them.
 */
import { isoOrNull as iso } from '../core/clock.js';
import { expectedAgeMs } from '../metrics/ageModel.js';
import type { EntityStatus } from '../modbus/pollerTypes.js';
import type { RateEstimate } from '../stats/types.js';

export interface EntityFreshnessFigures {
  interval_s: number;
  /** Changes per hour learned so far; null until the statistics have an estimate. */
  change_rate_per_hour: number | null;
  /** Expected mean staleness at the current interval (s), from the learned rate; null without one. */
  expected_age_s: number | null;
  last_read: string | null;
  last_change: string | null;
}

/** Two significant digits: enough to read, coarse enough not to churn. */
function sig2(x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(2));
}

export function entityFreshness(status: EntityStatus, rate: RateEstimate | undefined): EntityFreshnessFigures {
  const perHour = rate?.ratePerHour;
  const known = perHour !== undefined && Number.isFinite(perHour);
  return {
    interval_s: status.intervalMs / 1000,
    change_rate_per_hour: known ? sig2(perHour) : null,
    expected_age_s: known ? sig2(expectedAgeMs(status.intervalMs, perHour / 3_600_000) / 1000) : null,
    last_read: iso(status.lastReadAt),
    last_change: iso(status.lastChangeAt),
  };
}
