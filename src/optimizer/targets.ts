/**
 * Where each entity's interval should go: per physical bus, the allocation the goal asks for
 * (src/optimizer/objective.ts, src/metrics/ageModel.ts) over the learned change rates — the cheapest
 * that is as fresh as the configured intervals (`save_bus`) or the freshest within the budget
 * (`freshest`) — with the price the judge later scores it by. Entities the stats cannot rate yet keep
 * their interval (`save_bus`) or the stats module's recommendation and are charged first (so does one whose
 * rate just shifted up, until its recent polls give a rate); constants go to their
 * maximum; a saturated rate (a lower bound) is doubled so the allocation errs toward polling faster
 * and learning more. Each entity is charged its share of the block it is read in (modbus/readPlan.ts),
 * and targets sit on the power-of-two ladder so neighbours stay due together and share that block.
 */
import { MinHeap } from '../core/minHeap.js';
import { allocateForAge, allocateIntervals, expectedAgeMs, type Allocation, type AllocationItem } from '../metrics/ageModel.js';
import { amortizedCosts, modelledUtilisation, NO_HOLES } from '../modbus/readPlan.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../modbus/types.js';
import { snapToLadder } from './intervalLadder.js';
import type { BusPlan, Goal } from './objective.js';
import type { Evidence } from './types.js';
import type { RateEstimate, StatsView } from '../stats/types.js';

export interface TargetInputs {
  entities: readonly EntityDef[];
  connections: ReadonlyMap<string, ConnectionDef>;
  stats: StatsView;
  /** What the allocation aims at (src/optimizer/objective.ts); default `freshest`. */
  goal?: Goal;
  /** Fraction of each bus's time the optimizer may spend (goal `freshest`). */
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
  /** The rate the target rests on (changes per hour, 95 % interval), for the loop's memory. */
  evidence: Evidence | undefined;
}

/** Stands in for an unbounded upper limit in persisted evidence (JSON has no Infinity). */
const UNBOUNDED_PER_HOUR = 1e12;

const MS_PER_HOUR = 3_600_000;

export interface TargetPlan {
  targets: Target[];
  buses: BusPlan[];
}

export function computeTargets(inputs: TargetInputs): TargetPlan {
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
  const plans = [...byBus].map(([bus, entities]) => busTargets(inputs, bus, entities, costs));
  return { targets: plans.flatMap((p) => p.targets), buses: plans.map((p) => p.plan) };
}

function busTargets(inputs: TargetInputs, bus: string, entities: EntityDef[], costs: ReadonlyMap<string, number>): { targets: Target[]; plan: BusPlan } {
  const goal = inputs.goal ?? 'freshest';
  const predicted = modelledUtilisation(costs, entities.map((e) => [e.id, inputs.currentIntervalMs(e.id) ?? e.scanIntervalMs]));
  const scale = inputs.costScale?.(bus, predicted) ?? 1;
  const rows = entities.map((e) => rowOf(inputs, e, (costs.get(e.id) ?? 0) * scale, goal));
  const rated = rows.filter((r) => r.source !== 'unrated');
  const reserved = rows.filter((r) => r.source === 'unrated').reduce((sum, r) => sum + r.item.costMs / r.targetMs, 0);
  const reference = {
    meanAgeMs: meanOf(rated.map((r) => expectedAgeMs(r.referenceMs, r.item.ratePerMs))),
    busFraction: rows.reduce((sum, r) => sum + r.item.costMs / r.referenceMs, 0),
  };
  const cap = Math.max(0, (goal === 'save_bus' ? reference.busFraction : inputs.budget) - reserved);
  const allocation = allocate(goal, rated.map((r) => r.item), reference.meanAgeMs, cap);
  for (const r of rated) r.targetMs = snapToLadder(allocation.intervalsMs.get(r.item.key) ?? r.item.maxMs, r.item.minMs, r.item.maxMs);
  holdCap(rated, cap, allocation.price);
  if (goal === 'save_bus') holdAge(rated, cap, reference.meanAgeMs);
  const targets = rows.map((r) => ({
    entityId: r.item.key, bus, currentMs: r.currentMs, targetMs: r.targetMs, source: r.source, ratePerMs: r.item.ratePerMs,
    ageGainMs: expectedAgeMs(r.currentMs, r.item.ratePerMs) - expectedAgeMs(r.targetMs, r.item.ratePerMs),
    evidence: r.estimate && r.source !== 'unrated'
      ? { value: r.estimate.ratePerHour, lower: r.estimate.lower, upper: Math.min(UNBOUNDED_PER_HOUR, r.estimate.upper) } : undefined,
  }));
  const plan: BusPlan = {
    bus, goal, price: snappedPrice(rated, allocation.price), reference, ratedEntities: rated.length, feasible: allocation.feasible,
    planned: {
      meanAgeMs: meanOf(rated.map((r) => expectedAgeMs(r.targetMs, r.item.ratePerMs))),
      busFraction: reserved + rated.reduce((sum, r) => sum + r.item.costMs / r.targetMs, 0),
    },
  };
  return { targets, plan };
}

/**
 * `save_bus`: the cheapest allocation as fresh as the configured intervals, unless that needs more than
 * their bus time (then the freshest within it); `freshest`: the freshest within the budget.
 */
function allocate(goal: Goal, items: AllocationItem[], referenceAgeMs: number, cap: number): Allocation {
  if (goal === 'save_bus') {
    const cheapest = allocateForAge(items, referenceAgeMs);
    if (cheapest.feasible && cheapest.busFraction <= cap) return cheapest;
  }
  return allocateIntervals(items, cap);
}

/**
 * Snapping to the ladder can round an interval down and overspend; slows entities one rung at a time,
 * least objective lost per bus time saved first, until the plan fits `cap` again (or nothing can move).
 */
function holdCap(rows: Row[], cap: number, price: number): void {
  let spent = rows.reduce((sum, r) => sum + r.item.costMs / r.targetMs, 0);
  const weight = Number.isFinite(price) ? price / Math.max(1, rows.length) : 1;
  while (spent > cap * (1 + 1e-9)) {
    let best: { row: Row; next: number; loss: number } | undefined;
    for (const r of rows) {
      const next = Math.min(r.item.maxMs, r.targetMs * 2);
      if (next <= r.targetMs || r.item.costMs <= 0) continue;
      const saved = r.item.costMs / r.targetMs - r.item.costMs / next;
      const loss = (weight * (expectedAgeMs(next, r.item.ratePerMs) - expectedAgeMs(r.targetMs, r.item.ratePerMs))) / saved;
      if (!best || loss < best.loss) best = { row: r, next, loss };
    }
    if (!best) return;
    spent -= best.row.item.costMs / best.row.targetMs - best.row.item.costMs / best.next;
    best.row.targetMs = best.next;
  }
}

/**
 * Snapping can also round an interval up and leave the bus staler than configured; speeds entities up
 * one rung at a time, most age per bus time first, while the plan stays within `cap`.
 */
function holdAge(rows: Row[], cap: number, referenceAgeMs: number): void {
  const n = Math.max(1, rows.length);
  let spent = rows.reduce((sum, r) => sum + r.item.costMs / r.targetMs, 0);
  let age = rows.reduce((sum, r) => sum + expectedAgeMs(r.targetMs, r.item.ratePerMs), 0) / n;
  // Each row's next rung only changes when that row moves, and the room under the cap only shrinks:
  // a heap of next rungs by gain replaces a scan of every row per step (10,000 entities in ms, not s).
  const steps = new MinHeap<{ row: Row; next: number; cost: number; aged: number }>();
  const offer = (r: Row) => {
    const next = Math.max(r.item.minMs, r.targetMs / 2);
    if (next >= r.targetMs) return;
    const cost = r.item.costMs / next - r.item.costMs / r.targetMs;
    const aged = (expectedAgeMs(r.targetMs, r.item.ratePerMs) - expectedAgeMs(next, r.item.ratePerMs)) / n;
    if (aged > 0) steps.push(-aged / Math.max(cost, 1e-12), { row: r, next, cost, aged });
  };
  rows.forEach(offer);
  while (age > referenceAgeMs * (1 + 1e-9)) {
    const best = steps.pop()?.value;
    if (!best) return;
    if (spent + best.cost > cap * (1 + 1e-9)) continue; // never fits: spending only grows
    best.row.targetMs = best.next;
    spent += best.cost;
    age -= best.aged;
    offer(best.row);
  }
}

/**
 * The price at which every snapped target is worth its bus time: the allocation's own price is the
 * continuous optimum's, and a target that snapping or holdAge put a rung faster would look not worth
 * it to the judge at that price. Raised to the least price at which no rated target is beaten by the
 * rung above it (one slower), so the judge agrees with every planned move.
 */
function snappedPrice(rows: readonly Row[], price: number): number {
  if (!Number.isFinite(price)) return price;
  const n = Math.max(1, rows.length);
  let needed = price;
  for (const r of rows) {
    const slower = Math.min(r.item.maxMs, r.targetMs * 2);
    if (slower <= r.targetMs || r.item.costMs <= 0 || r.targetMs >= r.currentMs) continue;
    const aged = expectedAgeMs(slower, r.item.ratePerMs) - expectedAgeMs(r.targetMs, r.item.ratePerMs);
    if (aged > 0) needed = Math.max(needed, (n * (r.item.costMs / r.targetMs - r.item.costMs / slower)) / aged);
  }
  return needed;
}

function meanOf(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

interface Row {
  item: AllocationItem;
  source: RateSource;
  currentMs: number;
  /** The configured scan interval (what `save_bus` must be at least as fresh as). */
  referenceMs: number;
  targetMs: number;
  estimate: RateEstimate | undefined;
}

function rowOf(inputs: TargetInputs, e: EntityDef, costMs: number, goal: Goal): Row {
  const minMs = Math.max(inputs.minMs, e.minIntervalMs);
  const maxMs = Math.max(minMs, Math.min(inputs.maxMs, e.maxIntervalMs));
  const currentMs = inputs.currentIntervalMs(e.id) ?? e.scanIntervalMs;
  // A regime shift (stats/rateShift.ts) overrides the long-run rate: unknown while it settles, then the recent one.
  const shift = inputs.stats.shift(e.id);
  const estimate = shift ? shift.rate : inputs.followsRegime?.(e.id) ? inputs.stats.currentRate(e.id) : inputs.stats.rate(e.id);
  const source = sourceOf(estimate);
  const ratePerMs = source === 'unrated' || !estimate ? 0 : ((source === 'saturated' ? 2 : 1) * estimate.ratePerHour) / MS_PER_HOUR;
  // Without a rate, `save_bus` leaves the interval alone (the local steps move it on evidence);
  // `freshest` takes the stats module's cautious recommendation.
  const recommended = goal === 'save_bus' ? currentMs : (inputs.stats.recommendedIntervalMs(e.id) ?? currentMs);
  const item: AllocationItem = { key: e.id, ratePerMs, costMs, minMs, maxMs };
  const targetMs = goal === 'save_bus' ? currentMs : snapToLadder(recommended, minMs, maxMs);
  return { item, source, currentMs, referenceMs: e.scanIntervalMs, targetMs, estimate };
}

function sourceOf(estimate: RateEstimate | undefined): RateSource {
  if (!estimate || estimate.kind === 'unknown') return 'unrated';
  if (estimate.kind === 'constant') return 'constant';
  return estimate.saturated ? 'saturated' : 'estimated';
}
