/**
 * Where each entity's interval should go: per physical bus, the budget-optimal allocation
 * (src/metrics/ageModel.ts) over the learned change rates. Entities the stats cannot rate yet keep
 * the stats module's recommendation and are charged against the budget first; constants go to their
 * maximum; a saturated rate (a lower bound) is doubled so the allocation errs toward polling faster
 * and learning more. Each entity is charged its share of the block it is read in (modbus/readPlan.ts),
 * and targets sit on the power-of-two ladder so neighbours stay due together and share that block.
 */
import { allocateIntervals, expectedAgeMs, type AllocationItem } from '../metrics/ageModel.js';
import { amortizedCosts, modelledUtilisation, NO_HOLES } from '../modbus/readPlan.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../modbus/types.js';
import { snapToLadder } from './intervalLadder.js';
import type { RateEstimate, StatsView } from '../stats/types.js';

export interface TargetInputs {
  entities: readonly EntityDef[];
  connections: ReadonlyMap<string, ConnectionDef>;
  stats: StatsView;
  /** Fraction of each bus's time the optimizer may spend. */
  budget: number;
  /** Strategy-wide bounds (each entity's own min/max also apply). */
  minMs: number;
  maxMs: number;
  currentIntervalMs: (entityId: string) => number | undefined;
  /** Entities whose regime was adopted use the current regime's rate instead of the overall one. */
  followsRegime?: (entityId: string) => boolean;
  /**
   * Calibration per bus: real bus time per unit of predicted bus time (`predicted` = Σ cost/interval
   * at the current intervals). Planned block sharing is never perfect (rungs split blocks, triggered
   * reads add requests), so costs are scaled by it and the budget holds in what the bus really does.
   */
  costScale?: (bus: string, predicted: number) => number;
}

export type RateSource = 'estimated' | 'saturated' | 'constant' | 'unrated';

export interface Target {
  entityId: string;
  bus: string;
  currentMs: number;
  targetMs: number;
  source: RateSource;
  ratePerMs: number;
  /** Expected age reduction (ms) of moving from current to target; negative = it gets staler. */
  ageGainMs: number;
}

const MS_PER_HOUR = 3_600_000;

export function computeTargets(inputs: TargetInputs): Target[] {
  const byBus = new Map<string, EntityDef[]>();
  for (const e of inputs.entities) {
    const conn = inputs.connections.get(e.connection);
    if (!conn) continue;
    const key = busKeyOf(conn);
    const list = byBus.get(key);
    if (list) list.push(e);
    else byBus.set(key, [e]);
  }
  // Planned from the definitions alone (the optimizer is not given the poller's learned holes); a block a
  // hole splits is charged as one until the measured calibration (costScale) catches up.
  const costs = amortizedCosts({ connections: [...inputs.connections.values()], entities: inputs.entities }, NO_HOLES);
  return [...byBus].flatMap(([bus, entities]) => busTargets(inputs, bus, entities, costs));
}

function busTargets(inputs: TargetInputs, bus: string, entities: EntityDef[], costs: ReadonlyMap<string, number>): Target[] {
  const predicted = modelledUtilisation(costs, entities.map((e) => [e.id, inputs.currentIntervalMs(e.id) ?? e.scanIntervalMs]));
  const scale = inputs.costScale?.(bus, predicted) ?? 1;
  const rows = entities.map((e) => rowOf(inputs, e, (costs.get(e.id) ?? 0) * scale));
  const rated = rows.filter((r) => r.source !== 'unrated');
  const reserved = rows.filter((r) => r.source === 'unrated').reduce((sum, r) => sum + r.item.costMs / r.targetMs, 0);
  const allocation = allocateIntervals(rated.map((r) => r.item), Math.max(0, inputs.budget - reserved));
  return rows.map((r) => {
    const allocated = r.source === 'unrated' ? r.targetMs : (allocation.intervalsMs.get(r.item.key) ?? r.item.maxMs);
    const targetMs = snapToLadder(allocated, r.item.minMs, r.item.maxMs);
    const gain = expectedAgeMs(r.currentMs, r.item.ratePerMs) - expectedAgeMs(targetMs, r.item.ratePerMs);
    return { entityId: r.item.key, bus, currentMs: r.currentMs, targetMs, source: r.source, ratePerMs: r.item.ratePerMs, ageGainMs: gain };
  });
}

interface Row {
  item: AllocationItem;
  source: RateSource;
  currentMs: number;
  targetMs: number;
}

function rowOf(inputs: TargetInputs, e: EntityDef, costMs: number): Row {
  const minMs = Math.max(inputs.minMs, e.minIntervalMs);
  const maxMs = Math.max(minMs, Math.min(inputs.maxMs, e.maxIntervalMs));
  const currentMs = inputs.currentIntervalMs(e.id) ?? e.scanIntervalMs;
  const estimate = inputs.followsRegime?.(e.id) ? inputs.stats.currentRate(e.id) : inputs.stats.rate(e.id);
  const source = sourceOf(estimate);
  const ratePerMs = source === 'unrated' || !estimate ? 0 : ((source === 'saturated' ? 2 : 1) * estimate.ratePerHour) / MS_PER_HOUR;
  const recommended = inputs.stats.recommendedIntervalMs(e.id) ?? currentMs;
  const item: AllocationItem = { key: e.id, ratePerMs, costMs, minMs, maxMs };
  return { item, source, currentMs, targetMs: Math.min(maxMs, Math.max(minMs, recommended)) };
}

function sourceOf(estimate: RateEstimate | undefined): RateSource {
  if (!estimate || estimate.kind === 'unknown') return 'unrated';
  if (estimate.kind === 'constant') return 'constant';
  return estimate.saturated ? 'saturated' : 'estimated';
}
