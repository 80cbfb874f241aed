/**
 * Picks the estimator an entity's behaviour calls for and turns fits into what the strategies read:
 * counters are counted from their deltas, k-state values use the k-state censored model, everything
 * else the plain censored model. Also the recommended interval, so there is one place that decides
 * what "too little data" and "saturated" mean for polling.
 */
import { Z95, fitCensored, fitCounter, type PollGroup, type RateFit } from './censoredRate.js';
import { poolGroups } from './evidence.js';
import type { Classification } from './tracking.js';
import type { RateEstimate, StatsOptions } from './types.js';

const HOUR = 3_600_000;

export interface ModelChoice {
  cls: Classification;
  /** Share of jumps that leave the value changed (1 − 1/k for k states, else 1). */
  c: number;
  model: RateEstimate['model'];
}

export function chooseModel(cls: Classification): ModelChoice {
  if (cls.kind === 'counter') return { cls, c: 1, model: 'counter' };
  if (cls.kind === 'states' && cls.states >= 2) return { cls, c: 1 - 1 / cls.states, model: 'states' };
  return { cls, c: 1, model: 'censored' };
}

/** Fits the model to poll groups (and, for counters, their increase and exposure). */
export function fitModel(m: ModelChoice, groups: readonly PollGroup[], counter: { inc: number; exposure: number }): RateFit {
  if (m.model === 'counter') {
    const polls = groups.reduce((s, g) => s + g.w1 + g.w0, 0);
    return fitCounter(counter.inc / m.cls.step, counter.exposure, polls);
  }
  return fitCensored(compactGroups(groups), m.c);
}

/**
 * Pools groups whose representative intervals are within 10 % of each other: identical fits for
 * entities polled at one interval, far fewer Newton terms, and exact groups where intervals differ.
 */
export function compactGroups(groups: readonly PollGroup[]): PollGroup[] {
  if (sameInterval(groups)) return [poolGroups(groups)];
  const live = groups.filter((g) => g.w1 + g.w0 > 0)
    .map((g) => ({ g, T: (g.t1 + g.t0) / (g.w1 + g.w0) }))
    .sort((a, b) => a.T - b.T);
  const out: PollGroup[] = [];
  let run: PollGroup[] = [];
  let runStart = 0;
  for (const { g, T } of live) {
    if (run.length > 0 && T > runStart * 1.1) {
      out.push(poolGroups(run));
      run = [];
    }
    if (run.length === 0) runStart = T;
    run.push(g);
  }
  if (run.length > 0) out.push(poolGroups(run));
  return out;
}

/** Fast path: every non-empty group within 10 % of the first one's interval. */
function sameInterval(groups: readonly PollGroup[]): boolean {
  let lo = Infinity;
  let hi = 0;
  for (const g of groups) {
    const w = g.w1 + g.w0;
    if (w <= 0) continue;
    const T = (g.t1 + g.t0) / w;
    lo = Math.min(lo, T);
    hi = Math.max(hi, T);
  }
  return hi <= lo * 1.1 || hi === 0;
}

export function toEstimate(fit: RateFit, m: ModelChoice): RateEstimate {
  const confidence = fit.saturated || !Number.isFinite(fit.relStdErr) ? 0 : Math.max(0, 1 - Z95 * fit.relStdErr);
  return {
    ratePerHour: fit.ratePerMs * HOUR,
    lower: fit.lowerPerMs * HOUR,
    upper: fit.upperPerMs * HOUR,
    confidence,
    saturated: fit.saturated,
    samples: fit.polls,
    kind: m.cls.kind,
    model: m.model,
  };
}

/**
 * The interval to move towards: the current one while data is scarce, half of it while saturated
 * (to learn how fast the value really is), the maximum for constants, and otherwise the interval
 * giving `targetChangesPerPoll` at the rate's upper bound (uncertain means poll faster).
 */
export function recommendInterval(est: RateEstimate, currentMs: number, o: StatsOptions): number {
  const clip = (ms: number) => Math.min(o.maxRecommendedMs, Math.max(o.minRecommendedMs, ms));
  if (est.kind === 'unknown') return currentMs;
  if (est.kind === 'constant') return o.maxRecommendedMs;
  if (est.saturated) return clip(currentMs / 2);
  const upperPerMs = est.upper / HOUR;
  if (!(upperPerMs > 0)) return o.maxRecommendedMs;
  return clip(o.targetChangesPerPoll / upperPerMs);
}
