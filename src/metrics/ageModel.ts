/**
 * The Poisson age model of DESIGN.md: the expected staleness of a value that changes at rate λ and is
 * polled every T, and the bus-time-constrained allocation of poll intervals that minimises the
 * weighted sum of those ages (Lagrange: equal marginal age reduction per unit of bus time, clipped to
 * each entity's bounds). The simulator's known-rate oracle uses it with true rates; the optimizer's
 * interval strategy and the dashboard use it with estimated ones.
 */

/** Expected age (ms) of a Poisson(λ per ms) value polled every T ms: T/2 − 1/λ + (1 − e^(−λT)) / (λ²T). */
export function expectedAgeMs(intervalMs: number, ratePerMs: number): number {
  if (!(ratePerMs > 0) || !(intervalMs > 0)) return 0;
  const x = ratePerMs * intervalMs;
  if (x < 1e-3) return intervalMs * (x / 6 - (x * x) / 24 + (x * x * x) / 120);
  return intervalMs * (0.5 - 1 / x + -Math.expm1(-x) / (x * x));
}

/**
 * T² · dA/dT — the quantity the Lagrange condition equalises: at the optimum
 * w · T² · A'(T) = μ · c for every entity not at a bound. Increasing in T from 0.
 */
export function lagrangeTerm(intervalMs: number, ratePerMs: number): number {
  const x = ratePerMs * intervalMs;
  if (!(x > 0)) return 0;
  const scaled = x < 1e-2 ? (x ** 3) / 3 - (x ** 4) / 8 + (x ** 5) / 30 : (x * x) / 2 - 1 + Math.exp(-x) * (1 + x);
  return scaled / (ratePerMs * ratePerMs);
}

export interface AllocationItem {
  key: string;
  /** True or estimated change rate, per ms. */
  ratePerMs: number;
  /** Bus time one poll of this entity costs (ms). */
  costMs: number;
  /** Importance (default 1). */
  weight?: number;
  minMs: number;
  maxMs: number;
}

export interface Allocation {
  intervalsMs: Map<string, number>;
  /** Modelled bus time per unit time of the allocation (Σ c/T). */
  busFraction: number;
  /** Expected weighted mean age of the allocation (ms). */
  meanAgeMs: number;
  /** False when even every entity at its max interval exceeds the budget. */
  feasible: boolean;
}

const ITERATIONS = 60;

/** The interval in [min, max] where w·lagrangeTerm(T) = μ·c (bisection in log T). */
function intervalFor(item: AllocationItem, mu: number): number {
  if (!(item.ratePerMs > 0)) return item.maxMs;
  const target = (mu * item.costMs) / (item.weight ?? 1);
  if (lagrangeTerm(item.minMs, item.ratePerMs) >= target) return item.minMs;
  if (lagrangeTerm(item.maxMs, item.ratePerMs) <= target) return item.maxMs;
  let lo = Math.log(item.minMs);
  let hi = Math.log(item.maxMs);
  for (let i = 0; i < ITERATIONS; i++) {
    const mid = (lo + hi) / 2;
    if (lagrangeTerm(Math.exp(mid), item.ratePerMs) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp(hi);
}

function busFractionOf(items: readonly AllocationItem[], mu: number): number {
  return items.reduce((s, it) => s + it.costMs / intervalFor(it, mu), 0);
}

function allocationAt(items: readonly AllocationItem[], mu: number, feasible: boolean): Allocation {
  const intervalsMs = new Map(items.map((it) => [it.key, intervalFor(it, mu)]));
  let weighted = 0;
  let weights = 0;
  for (const it of items) {
    const w = it.weight ?? 1;
    weighted += w * expectedAgeMs(intervalsMs.get(it.key) ?? it.maxMs, it.ratePerMs);
    weights += w;
  }
  return {
    intervalsMs, busFraction: busFractionOf(items, mu), meanAgeMs: weights > 0 ? weighted / weights : 0, feasible,
  };
}

/**
 * Poll intervals minimising Σ w·age under Σ c/T ≤ budget (a fraction of bus time). The multiplier μ
 * is found by bisection in log space; every entity's interval is clipped to its own bounds.
 */
export function allocateIntervals(items: readonly AllocationItem[], budgetFraction: number): Allocation {
  if (busFractionOf(items, Infinity) > budgetFraction) return allocationAt(items, Infinity, false);
  if (busFractionOf(items, 0) <= budgetFraction) return allocationAt(items, 0, true);
  let lo = -60;
  let hi = 60;
  for (let i = 0; i < ITERATIONS * 2; i++) {
    const mid = (lo + hi) / 2;
    if (busFractionOf(items, Math.exp(mid)) > budgetFraction) lo = mid;
    else hi = mid;
  }
  return allocationAt(items, Math.exp(hi), true);
}
