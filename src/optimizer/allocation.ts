/**
 * Budget-optimal poll intervals (DESIGN.md): for Poisson changes at rate λ polled every T, the
 * expected age is A(T) = T/2 − 1/λ + (1 − e^(−λT)) / (λ²T). Minimising Σ wᵢ·Aᵢ(Tᵢ) subject to the bus
 * budget Σ cᵢ/Tᵢ ≤ B (cᵢ = bus time per poll) gives the Lagrange condition wᵢ·A′(Tᵢ)·Tᵢ² = μ·cᵢ: equal
 * marginal age reduction per unit of bus time. With x = λT this reads ψ(x) = μ·cᵢ·λᵢ²/wᵢ where
 * ψ(x) = x²·A′ is a fixed increasing function, inverted once through a table, so one allocation for
 * 10,000 entities is a bisection on μ over O(1) lookups. Intervals are clipped to each entity's
 * bounds. The oracle baseline and the interval strategy both use this.
 */

export interface AllocationItem {
  /** Change rate, per ms (0 = never changes). */
  ratePerMs: number;
  /** Modelled bus time of one poll, ms. */
  costMs: number;
  /** Importance weight (default 1). */
  weight?: number;
  minMs: number;
  maxMs: number;
}

/** Expected age (ms) of a value with Poisson changes at `ratePerMs`, polled every `intervalMs`. */
export function expectedAgeMs(ratePerMs: number, intervalMs: number): number {
  if (ratePerMs <= 0 || intervalMs <= 0) return 0;
  const x = ratePerMs * intervalMs;
  if (x < 1e-2) return intervalMs * (x / 6 - (x * x) / 24 + (x * x * x) / 120); // series, avoids cancellation
  return intervalMs / 2 - 1 / ratePerMs + (1 - Math.exp(-x)) / (ratePerMs * ratePerMs * intervalMs);
}

/** ψ(x) = x²·φ(x) with φ(x) = 1/2 + e^(−x)/x − (1 − e^(−x))/x² (= A′(T) at x = λT). */
function psi(x: number): number {
  if (x < 1e-3) return (x * x * x) / 3 - (x * x * x * x) / 8;
  const e = Math.exp(-x);
  return (x * x) / 2 + x * e - (1 - e);
}

const LOG_X_MIN = Math.log(1e-5);
const LOG_X_MAX = Math.log(1e7);
const TABLE_SIZE = 4096;
const LOG_PSI = Array.from({ length: TABLE_SIZE }, (_, i) =>
  Math.log(psi(Math.exp(LOG_X_MIN + ((LOG_X_MAX - LOG_X_MIN) * i) / (TABLE_SIZE - 1)))));

/** The x with ψ(x) = k, by interpolation in log–log space (ψ is increasing). */
function psiInverse(k: number): number {
  const target = Math.log(k);
  const first = LOG_PSI[0] ?? -Infinity;
  const last = LOG_PSI[TABLE_SIZE - 1] ?? Infinity;
  if (target <= first) return Math.cbrt(3 * k); // ψ ≈ x³/3
  if (target >= last) return Math.exp(LOG_X_MAX);
  let lo = 0;
  let hi = TABLE_SIZE - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((LOG_PSI[mid] ?? 0) < target) lo = mid;
    else hi = mid;
  }
  const a = LOG_PSI[lo] ?? 0;
  const b = LOG_PSI[hi] ?? 0;
  const logX = LOG_X_MIN + ((LOG_X_MAX - LOG_X_MIN) * (lo + (target - a) / (b - a))) / (TABLE_SIZE - 1);
  return Math.exp(logX);
}

/** The interval that satisfies the Lagrange condition for multiplier μ, clipped to the bounds. */
export function intervalForMultiplier(item: AllocationItem, mu: number): number {
  const { ratePerMs: rate, costMs, minMs, maxMs } = item;
  if (rate <= 0) return maxMs;
  const k = (mu * costMs * rate * rate) / (item.weight ?? 1);
  const interval = psiInverse(Math.max(k, Number.MIN_VALUE)) / rate;
  return Math.min(maxMs, Math.max(minMs, interval));
}

/** Bus utilisation (fraction of time) the intervals would use. */
export function utilisationOf(items: readonly AllocationItem[], intervals: readonly number[]): number {
  return items.reduce((sum, item, i) => sum + item.costMs / (intervals[i] ?? Infinity), 0);
}

export interface Allocation {
  intervalsMs: number[];
  utilisation: number;
  /** The multiplier found (marginal age per unit of bus time), for diagnostics. */
  multiplier: number;
  /** True when even the longest intervals exceed the budget, or the shortest stay under it. */
  clipped: boolean;
}

/**
 * Intervals minimising weighted mean age under `budget` (fraction of bus time). When the budget is
 * more than the shortest intervals need, every entity gets its minimum; when even the maximum
 * intervals exceed it, every entity gets its maximum (`clipped` says so).
 */
export function allocateIntervals(items: readonly AllocationItem[], budget: number): Allocation {
  const at = (mu: number) => items.map((item) => intervalForMultiplier(item, mu));
  const fastest = items.map((i) => (i.ratePerMs > 0 ? i.minMs : i.maxMs));
  if (utilisationOf(items, fastest) <= budget) return { intervalsMs: fastest, utilisation: utilisationOf(items, fastest), multiplier: 0, clipped: true };
  const slowest = items.map((i) => i.maxMs);
  if (utilisationOf(items, slowest) >= budget) return { intervalsMs: slowest, utilisation: utilisationOf(items, slowest), multiplier: Infinity, clipped: true };
  let lo = -60;
  let hi = 60; // log μ
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (utilisationOf(items, at(Math.exp(mid))) > budget) lo = mid;
    else hi = mid;
  }
  const intervalsMs = at(Math.exp(hi));
  return { intervalsMs, utilisation: utilisationOf(items, intervalsMs), multiplier: Math.exp(hi), clipped: false };
}
