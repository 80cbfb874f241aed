/**
 * Change-rate estimation from censored polls. A poll only tells "changed since the last poll or
 * not", and intervals vary, so the estimate is the maximum-likelihood rate of a Poisson change
 * process given observations (T_i, changed_i), found by safeguarded Newton steps on the score:
 *
 *   P(changed | T) = c · (1 − e^(−μT)),   λ = c · μ
 *
 * c = 1 for values that never return to an earlier value (DESIGN.md's classic case); c = 1 − 1/k for
 * a value that jumps among k states (two toggles in one interval look like none). Observations come
 * pooled in groups with one representative interval each (PollGroup), which keeps the state
 * O(1)-updatable. Everything here is pure math; callers pass decayed weights.
 */

/** Polls pooled by interval: weights and interval sums of the changed and the unchanged ones. */
export interface PollGroup {
  w1: number;
  t1: number;
  w0: number;
  t0: number;
}

export interface RateFit {
  /** λ in changes per ms (for a saturated fit: the lower bound). */
  ratePerMs: number;
  lowerPerMs: number;
  upperPerMs: number;
  /** Standard error of ln λ (Infinity when unknown). */
  relStdErr: number;
  /** Log-likelihood at the estimate (for split tests). */
  logLik: number;
  /** Weighted number of polls behind the estimate. */
  polls: number;
  /** "Changed or not" cannot tell fast from very fast: the rate is a lower bound. */
  saturated: boolean;
}

/** z for two-sided 95 % intervals; the likelihood-ratio drop for the same level is z²/2. */
export const Z95 = 1.96;
const LR_DROP = (Z95 * Z95) / 2;
/** Fewer expected polls with no change event than this, and the data cannot pin the rate down. */
export const SATURATION_ZERO_POLLS = 5;
/**
 * With k states a poll saturates long before every poll changes (two toggles look like none): a fit
 * this uncertain while most intervals hold a jump or more is saturated too.
 */
export const SATURATION_REL_STD_ERR = 0.5;
/** μ·T beyond this is numerically "every poll changed". */
const MAX_MU_T = 40;

interface Model {
  groups: readonly PollGroup[];
  c: number;
  /** Pseudo-observation: half an unchanged poll at the mean interval (DESIGN.md's +0.5). */
  priorT: number;
}

function logLik(m: Model, mu: number): number {
  let sum = 0;
  for (const g of m.groups) {
    if (g.w1 > 0) sum += g.w1 * Math.log(-Math.expm1(-mu * (g.t1 / g.w1)));
    sum += unchangedLogLik(m.c, mu, g.w0, g.t0);
  }
  return sum;
}

function unchangedLogLik(c: number, mu: number, w0: number, t0: number): number {
  if (w0 <= 0) return 0;
  if (c >= 1) return -mu * t0;
  return w0 * Math.log1p(c * Math.expm1(-mu * (t0 / w0)));
}

/** Score (dℓ/dμ) and Hessian (d²ℓ/dμ²), with the prior unless `withPrior` is false. */
function derivatives(m: Model, mu: number, withPrior = true): { score: number; hess: number } {
  let score = 0;
  let hess = 0;
  const add = (w: number, T: number, changed: boolean) => {
    if (w <= 0 || T <= 0) return;
    if (changed) {
      const em1 = Math.expm1(mu * T);
      score += (w * T) / em1;
      hess -= (w * T * T * (em1 + 1)) / (em1 * em1);
    } else if (m.c >= 1) {
      score -= w * T;
    } else {
      const q = Math.exp(-mu * T);
      const g = 1 - m.c + m.c * q;
      score -= (w * m.c * T * q) / g;
      hess += (w * m.c * T * T * q * (1 - m.c)) / (g * g);
    }
  };
  for (const g of m.groups) {
    if (g.w1 > 0) add(g.w1, g.t1 / g.w1, true);
    if (g.w0 > 0) add(g.w0, g.t0 / g.w0, false);
  }
  if (withPrior) add(0.5, m.priorT, false);
  return { score, hess };
}

/** Root of the score in [lo, hi] (score(lo) > 0 > score(hi)): Newton steps, bisection when they stray. */
function solveScore(m: Model, lo0: number, hi0: number, guess: number): number {
  let lo = lo0;
  let hi = hi0;
  let mu = Math.min(hi, Math.max(lo, guess));
  for (let i = 0; i < 60; i++) {
    const { score, hess } = derivatives(m, mu);
    if (score > 0) lo = mu;
    else hi = mu;
    let next = hess < 0 ? mu - score / hess : NaN;
    if (!(next > lo && next < hi)) next = Math.sqrt(lo * hi);
    if (Math.abs(next - mu) <= 1e-10 * mu || hi / lo - 1 < 1e-12) return next;
    mu = next;
  }
  return mu;
}

/**
 * Where ℓ falls to `target` between `inside` (ℓ above) and `outside` (ℓ below): Newton steps on
 * ℓ − target, bisection (in log space when it can) whenever a step leaves the bracket.
 */
function profileBound(m: Model, inside: number, outside: number, target: number): number {
  let a = inside;
  let b = outside;
  let x = (a + b) / 2;
  for (let i = 0; i < 60; i++) {
    const g = logLik(m, x) - target;
    if (g > 0) a = x;
    else b = x;
    const slope = derivatives(m, x, false).score;
    let next = slope !== 0 ? x - g / slope : NaN;
    if (!(next > Math.min(a, b) && next < Math.max(a, b))) next = a > 0 && b > 0 ? Math.sqrt(a * b) : (a + b) / 2;
    if (Math.abs(next - x) <= 1e-7 * Math.max(a, b)) return next;
    x = next;
  }
  return x;
}

function totals(groups: readonly PollGroup[]): { w1: number; w: number; exposure: number; minT: number } {
  let w1 = 0;
  let w = 0;
  let exposure = 0;
  let minT = Infinity;
  for (const g of groups) {
    w1 += g.w1;
    w += g.w1 + g.w0;
    exposure += g.t1 + g.t0;
    if (g.w1 > 0) minT = Math.min(minT, g.t1 / g.w1);
    if (g.w0 > 0) minT = Math.min(minT, g.t0 / g.w0);
  }
  return { w1, w, exposure, minT };
}

const NO_DATA: RateFit = {
  ratePerMs: 0, lowerPerMs: 0, upperPerMs: Infinity, relStdErr: Infinity, logLik: 0, polls: 0, saturated: false,
};

/**
 * Maximum-likelihood rate from censored polls; `c` is the share of jumps that leave the value
 * changed for good (1 for continuous values, 1 − 1/k for k states).
 */
export function fitCensored(groups: readonly PollGroup[], c = 1): RateFit {
  const t = totals(groups);
  if (t.w <= 0 || t.exposure <= 0) return NO_DATA;
  const meanT = t.exposure / t.w;
  const m: Model = { groups, c, priorT: meanT };
  if (t.w1 <= 0) return noChangeFit(m, t.w);
  const p = Math.min(t.w1 / (t.w + 0.5) / c, 0.999);
  const guess = -Math.log1p(-p) / meanT;
  const cap = MAX_MU_T / t.minT;
  let lo = guess;
  for (let i = 0; i < 40 && derivatives(m, lo).score <= 0; i++) lo /= 4;
  const atCap = derivatives(m, cap).score >= 0;
  const mu = atCap ? cap : solveScore(m, lo, cap, guess);
  const { hess } = derivatives(m, mu);
  const relStdErr = hess < 0 ? 1 / (mu * Math.sqrt(-hess)) : Infinity;
  const zeroPolls = groups.reduce((s, g) => s + zeroEventPolls(g, mu), 0) + 0.5 * Math.exp(-mu * meanT);
  const ll = logLik(m, mu);
  const uninformative = relStdErr > SATURATION_REL_STD_ERR && mu * meanT > 1;
  const unbounded = logLik(m, cap) > ll - LR_DROP;
  if (atCap || unbounded || zeroPolls < SATURATION_ZERO_POLLS || uninformative || !Number.isFinite(relStdErr)) {
    const lower = profileBound(m, mu, mu / 1e6, ll - LR_DROP);
    return { ratePerMs: c * lower, lowerPerMs: c * lower, upperPerMs: Infinity, relStdErr: Infinity, logLik: ll, polls: t.w, saturated: true };
  }
  const spread = Math.exp(Z95 * relStdErr);
  return {
    ratePerMs: c * mu, lowerPerMs: (c * mu) / spread, upperPerMs: c * mu * spread, relStdErr, logLik: ll, polls: t.w,
    saturated: false,
  };
}

function zeroEventPolls(g: PollGroup, mu: number): number {
  const a = g.w1 > 0 ? g.w1 * Math.exp(-mu * (g.t1 / g.w1)) : 0;
  const b = g.w0 > 0 ? g.w0 * Math.exp(-mu * (g.t0 / g.w0)) : 0;
  return a + b;
}

/** No change seen: the estimate is 0 and the upper bound is where the likelihood has dropped enough. */
function noChangeFit(m: Model, polls: number): RateFit {
  let hi = 1 / m.priorT;
  for (let i = 0; i < 60 && logLik(m, hi) > -LR_DROP; i++) hi *= 4;
  const upper = profileBound(m, 0, hi, -LR_DROP);
  return { ratePerMs: 0, lowerPerMs: 0, upperPerMs: m.c * upper, relStdErr: Infinity, logLik: 0, polls, saturated: false };
}

/**
 * Uncensored: a counter's deltas count its increments, so the rate is increments over exposure
 * (Poisson), never saturated.
 */
export function fitCounter(increments: number, exposureMs: number, polls: number): RateFit {
  if (exposureMs <= 0) return NO_DATA;
  if (increments <= 0) {
    return { ratePerMs: 0, lowerPerMs: 0, upperPerMs: LR_DROP / exposureMs, relStdErr: Infinity, logLik: 0, polls, saturated: false };
  }
  const rate = increments / exposureMs;
  const relStdErr = 1 / Math.sqrt(increments);
  const spread = Math.exp(Z95 * relStdErr);
  return {
    ratePerMs: rate, lowerPerMs: rate / spread, upperPerMs: rate * spread, relStdErr,
    logLik: increments * Math.log(rate) - rate * exposureMs, polls, saturated: false,
  };
}

/** Closed-form rate for one pooled group (DESIGN.md formula, generalised to c): cheap, for searches. */
export function quickRatePerMs(g: PollGroup, c = 1): number {
  const w = g.w1 + g.w0;
  const exposure = g.t1 + g.t0;
  if (w <= 0 || exposure <= 0 || g.w1 <= 0) return 0;
  const p = Math.min(g.w1 / (w + 0.5) / c, 0.999);
  return (-c * Math.log1p(-p)) / (exposure / w);
}

/** P(a poll after T ms sees a change) under rate λ (per ms) and state share c. */
export function changeProbability(ratePerMs: number, T: number, c = 1): number {
  return c * -Math.expm1((-ratePerMs / c) * T);
}
