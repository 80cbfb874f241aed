/**
 * The counterfactual for interval changes: the after window with the record's intervals put back.
 * Staleness moves by the age model's difference at the learned rates, bus utilisation by the
 * changed entities' shared cost per poll; errors and everything else stay as measured. Cluster
 * adoption (triggered reads) has no such model and is judged on the plain before/after windows.
 */
import { expectedAgeMs } from '../metrics/ageModel.js';
import { amortizedCosts, NO_HOLES } from '../modbus/readPlan.js';
import type { ConnectionDef, EntityDef } from '../modbus/types.js';
import type { StatsView } from '../stats/types.js';
import type { Counterfactual } from './evaluator.js';

const MS_PER_HOUR = 3_600_000;

export function intervalCounterfactual(deps: {
  entities: readonly EntityDef[];
  connections: readonly ConnectionDef[];
  stats: Pick<StatsView, 'currentRate'>;
}): Counterfactual {
  let costs: Map<string, number> | undefined;
  return (record, after) => {
    const moved = record.changes.filter((c) => c.kind === 'interval' && typeof c.before === 'number' && typeof c.after === 'number');
    if (moved.length === 0) return undefined;
    costs ??= amortizedCosts(deps, NO_HOLES); // the definitions' plan, as the targets charge it
    let staleness = 0;
    let utilisation = 0;
    for (const c of moved) {
      const rate = deps.stats.currentRate(c.target);
      const before = c.before as number;
      const now = c.after as number;
      if (rate && rate.kind !== 'unknown') staleness += expectedAgeMs(before, rate.ratePerHour / MS_PER_HOUR) - expectedAgeMs(now, rate.ratePerHour / MS_PER_HOUR);
      utilisation += (costs.get(c.target) ?? 0) * (1 / before - 1 / now);
    }
    const n = Math.max(1, deps.entities.length);
    return {
      ...after,
      stalenessMs: Math.max(0, after.stalenessMs + staleness / n),
      busUtilisation: Math.max(0, after.busUtilisation + utilisation),
    };
  };
}
