/**
 * Turns before/after window metrics into a score in [−1, 1]. The objective is the one the product
 * exists for: keep values fresh for little bus time, without errors. J = staleness/reference +
 * utilisation/budget + 10·errorRate (each term ≈ 1 at the target); score = (J_before − J_after) /
 * max(J_before, J_after), so halving J scores 0.5 and doubling it −0.5.
 */
import type { WindowMetrics } from './types.js';

export interface ScoringReference {
  /** Staleness that counts as "one unit" (ms), e.g. the HA default's half scan interval. */
  stalenessMs: number;
  /** Bus-time budget (fraction). */
  budget: number;
}

export function objective(m: WindowMetrics, ref: ScoringReference): number {
  return m.stalenessMs / Math.max(1, ref.stalenessMs) + m.busUtilisation / Math.max(1e-6, ref.budget) + 10 * m.errorRate;
}

export function objectiveScore(before: WindowMetrics, after: WindowMetrics, ref: ScoringReference): number {
  const jb = objective(before, ref);
  const ja = objective(after, ref);
  const denom = Math.max(jb, ja);
  return denom > 0 ? (jb - ja) / denom : 0;
}

/** Relative improvement of the objective (positive = better), for statistics. */
export function improvement(before: WindowMetrics, after: WindowMetrics, ref: ScoringReference): number {
  const jb = objective(before, ref);
  return jb > 0 ? (jb - objective(after, ref)) / jb : 0;
}

export function clampScore(x: number): number {
  return Math.max(-1, Math.min(1, Number.isFinite(x) ? x : 0));
}
