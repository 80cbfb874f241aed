/**
 * The optimizer's one objective (issue 15, DESIGN.md "the optimization loop"). Per physical bus the
 * allocator and the judge both use `bus + price · meanAge`: bus is the fraction of the bus's time
 * spent polling, meanAge the mean expected staleness of its entities (ms), and price the bus fraction
 * one millisecond of mean age is worth at the allocator's optimum. The goal says where the price
 * comes from:
 *
 * - `save_bus` (default): the least bus time that keeps the bus at least as fresh as its configured
 *   scan intervals would (mean age at or below theirs), never more bus time than those intervals use;
 * - `freshest`: the least mean age that `bus_budget` allows.
 *
 * Because the judge scores a change with the price the allocator used, "better" means one thing for
 * both: a move toward the allocation lowers the objective of every entity it moves (the objective
 * separates per entity once the price is fixed). "Improvement" is always (before − after) / the
 * objective at the configured intervals, so positive is better everywhere it is shown.
 */
import { GOALS, type Goal } from '../config/vocabulary.js';

export { GOALS, type Goal };

/** What one bus's allocation aimed at and reached (modelled), for the judge, sensors and the dashboard. */
export interface BusPlan {
  bus: string;
  goal: Goal;
  /** Bus fraction per ms of mean age (see above); 0 when age is worth nothing. */
  price: number;
  /** At the configured scan intervals: mean age of the rated entities and bus fraction of all. */
  reference: { meanAgeMs: number; busFraction: number };
  /** At the targets (after snapping to the ladder). */
  planned: { meanAgeMs: number; busFraction: number };
  /** Rated entities in the mean age (unrated ones keep their interval and only count as bus time). */
  ratedEntities: number;
  /** False when the goal could not be met within the entities' bounds (the nearest feasible plan is used). */
  feasible: boolean;
}

export function objectiveValue(busFraction: number, meanAgeMs: number, price: number): number {
  return busFraction + (Number.isFinite(price) ? price * meanAgeMs : 0);
}

/** The objective at the configured intervals: the unit improvements are expressed in. */
export function referenceValue(plan: Pick<BusPlan, 'price' | 'reference'>): number {
  return objectiveValue(plan.reference.busFraction, plan.reference.meanAgeMs, plan.price);
}

/** (before − after) / reference: positive means better, 0.1 means "10 % of the configured objective saved". */
export function improvementOf(before: number, after: number, reference: number): number {
  if (!(reference > 0) || !Number.isFinite(before) || !Number.isFinite(after)) return 0;
  return (before - after) / reference;
}

export function isGoal(x: unknown): x is Goal {
  return typeof x === 'string' && (GOALS as readonly string[]).includes(x);
}
