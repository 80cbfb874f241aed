/**
 * The Poisson age model of DESIGN.md: the expected staleness of a value that changes at rate λ and is
 * polled every T, and the bus-time-constrained allocation of poll intervals that minimises the
 * weighted sum of those ages (Lagrange: equal marginal age reduction per unit of bus time, clipped to
 * each entity's bounds), in both directions the optimizer's goals need: the freshest allocation within a
 * bus-time budget, and the cheapest allocation that keeps a mean age. Each answer carries its price:
 * the bus fraction one millisecond of mean age is worth at that optimum, so that
 * `bus + price · meanAge` is the one objective the allocation minimises (src/optimizer/objective.ts).
 * The simulator's known-rate oracle uses it with true rates; the optimizer uses it with estimated ones.
 */

/**
 * Share of the time a Poisson(λ per ms) value polled every T ms is stale (the value shown differs
 * from the device's): 1 − (1 − e^(−λT)) / (λT). What audit reads at random times estimate.
 */
export function staleShare(intervalMs: number, ratePerMs: number): number {
  if (!(ratePerMs > 0) || !(intervalMs > 0)) return 0;
  const x = ratePerMs * intervalMs;
  if (x < 1e-6) return x / 2;
  return 1 + Math.expm1(-x) / x;
}

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
  /** False when the constraint cannot be met within the entities' bounds. */
  feasible: boolean;
  /**
   * Bus fraction per ms of mean age at this optimum (0: age is worth nothing, every entity at its
   * max; Infinity: every entity at its min). The allocation minimises busFraction + price · meanAgeMs.
   */
  price: number;
}

const ITERATIONS = 60;

/**
 * T²·A′(T) as a function of x = λT only: ψ(x) = x²/2 + x·e^(−x) − (1 − e^(−x)), so the Lagrange
 * condition w·T²·A′(T) = μ·c reads ψ(λT) = μ·c·λ²/w. ψ is increasing; it is inverted once through a
 * log–log table, which makes one interval an O(log table) lookup instead of a bisection.
 */
function psi(x: number): number {
  if (x < 1e-2) return (x ** 3) / 3 - (x ** 4) / 8 + (x ** 5) / 30;
  return (x * x) / 2 - 1 + Math.exp(-x) * (1 + x);
}

const LOG_X_MIN = Math.log(1e-5);
const LOG_X_MAX = Math.log(1e7);
const TABLE_SIZE = 4096;
const LOG_PSI = Array.from({ length: TABLE_SIZE }, (_, i) =>
  Math.log(psi(Math.exp(LOG_X_MIN + ((LOG_X_MAX - LOG_X_MIN) * i) / (TABLE_SIZE - 1)))));

/** The x with ψ(x) = k (linear interpolation of log ψ against log x). */
function psiInverse(k: number): number {
  const target = Math.log(k);
  if (target <= (LOG_PSI[0] ?? -Infinity)) return Math.cbrt(3 * k); // ψ ≈ x³/3
  if (target >= (LOG_PSI[TABLE_SIZE - 1] ?? Infinity)) return Math.exp(LOG_X_MAX);
  let lo = 0;
  let hi = TABLE_SIZE - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((LOG_PSI[mid] ?? 0) < target) lo = mid;
    else hi = mid;
  }
  const a = LOG_PSI[lo] ?? 0;
  const b = LOG_PSI[hi] ?? 0;
  return Math.exp(LOG_X_MIN + ((LOG_X_MAX - LOG_X_MIN) * (lo + (target - a) / (b - a))) / (TABLE_SIZE - 1));
}

/** The interval in [min, max] where w·lagrangeTerm(T) = μ·c. */
function intervalFor(item: AllocationItem, mu: number): number {
  if (!(item.ratePerMs > 0)) return item.maxMs;
  if (mu === Infinity) return item.maxMs;
  const k = (mu * item.costMs * item.ratePerMs * item.ratePerMs) / (item.weight ?? 1);
  if (!(k > 0)) return item.minMs;
  return Math.min(item.maxMs, Math.max(item.minMs, psiInverse(k) / item.ratePerMs));
}

function busFractionOf(items: readonly AllocationItem[], mu: number): number {
  return items.reduce((s, it) => s + it.costMs / intervalFor(it, mu), 0);
}

function allocationAt(items: readonly AllocationItem[], mu: number, feasible: boolean): Allocation {
  const totalWeight = items.reduce((s, it) => s + (it.weight ?? 1), 0);
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
    price: mu === 0 ? Infinity : totalWeight / mu,
  };
}

function meanAgeOf(items: readonly AllocationItem[], mu: number): number {
  let weighted = 0;
  let weights = 0;
  for (const it of items) {
    weighted += (it.weight ?? 1) * expectedAgeMs(intervalFor(it, mu), it.ratePerMs);
    weights += it.weight ?? 1;
  }
  return weights > 0 ? weighted / weights : 0;
}

/**
 * Poll intervals minimising Σ w·age under Σ c/T ≤ budget (a fraction of bus time). The multiplier μ
 * is found by bisection in log space; every entity's interval is clipped to its own bounds.
 */
export function allocateIntervals(items: readonly AllocationItem[], budgetFraction: number): Allocation {
  if (busFractionOf(items, Infinity) > budgetFraction) return allocationAt(items, Infinity, false);
  if (busFractionOf(items, 0) <= budgetFraction) return allocationAt(items, 0, true);
  return allocationAt(items, smallestMu((mu) => busFractionOf(items, mu) <= budgetFraction), true);
}

/**
 * Log-space bisection over μ in e^−60 … e^60 for a `holds` that is false below some μ and true above:
 * the smallest μ where it holds, or (`below`) the largest where it does not.
 */
function smallestMu(holds: (mu: number) => boolean, below = false): number {
  let lo = -60;
  let hi = 60;
  for (let i = 0; i < ITERATIONS; i++) {
    const mid = (lo + hi) / 2;
    if (holds(Math.exp(mid))) hi = mid;
    else lo = mid;
  }
  return Math.exp(below ? lo : hi);
}

/**
 * The least bus time that keeps the weighted mean age at or below `meanAgeMs` (the `save_bus` goal):
 * the same Lagrange family, with the multiplier found by bisection on the age instead of the bus.
 * Infeasible (every entity at its min, still too stale) is reported with `feasible: false`.
 */
export function allocateForAge(items: readonly AllocationItem[], meanAgeMs: number): Allocation {
  if (meanAgeOf(items, Infinity) <= meanAgeMs) return allocationAt(items, Infinity, true);
  if (meanAgeOf(items, 0) > meanAgeMs) return allocationAt(items, 0, false);
  // the largest μ that still keeps the age: bisect on "too stale" and take the lower end
  return allocationAt(items, smallestMu((mu) => meanAgeOf(items, mu) > meanAgeMs, true), true);
}
