import { describe, expect, it } from '@jest/globals';
import { exponential, seededRandom, type Random } from '../../src/core/random.js';
import { changeProbability, fitCensored, fitCounter, type PollGroup } from '../../src/stats/censoredRate.js';
import { Evidence } from '../../src/stats/evidence.js';
import { compactGroups } from '../../src/stats/rateModel.js';
import { refineStep } from '../../src/stats/tracking.js';

/** Polls of a Poisson process (rate 1 per time unit) at the given intervals, seen through k states. */
function simulate(random: Random, intervals: readonly number[], polls: number, k = Infinity): PollGroup[] {
  const groups = new Map<number, PollGroup>();
  for (let i = 0; i < polls; i++) {
    const T = intervals[i % intervals.length] ?? 1;
    let jumps = 0;
    for (let t = exponential(random, 1); t < T; t += exponential(random, 1)) jumps++;
    let state = 0;
    for (let j = 0; j < jumps && k < Infinity; j++) state = (state + 1 + Math.floor(random() * (k - 1))) % k;
    const changed = k === Infinity ? jumps > 0 : state !== 0;
    const g = groups.get(T) ?? { w1: 0, t1: 0, w0: 0, t0: 0 };
    if (changed) [g.w1, g.t1] = [g.w1 + 1, g.t1 + T];
    else [g.w0, g.t0] = [g.w0 + 1, g.t0 + T];
    groups.set(T, g);
  }
  return [...groups.values()];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

describe('fitCensored', () => {
  it('at one interval is DESIGN.md\'s closed form −ln((n − X + 0.5)/(n + 0.5))/T', () => {
    for (const [n, X, T] of [[100, 30, 5], [400, 390, 2], [50, 1, 60]] as const) {
      const fit = fitCensored([{ w1: X, t1: X * T, w0: n - X, t0: (n - X) * T }]);
      expect(fit.ratePerMs).toBeCloseTo(-Math.log((n - X + 0.5) / (n + 0.5)) / T, 10);
    }
  });

  it('is unbiased with mixed intervals (0.1× to 2× the mean time between changes)', () => {
    const random = seededRandom(11);
    for (const intervals of [[0.1, 1], [0.2, 2], [0.5, 1, 2], [0.1, 0.3, 1, 2]]) {
      const estimates = Array.from({ length: 40 }, () => fitCensored(simulate(random, intervals, 2000)).ratePerMs);
      expect(Math.abs(median(estimates) - 1)).toBeLessThan(0.03);
    }
  });

  it('with k states accounts for jumps that return (naively 2 states look much slower)', () => {
    const random = seededRandom(5);
    const groups = simulate(random, [1], 5000, 2);
    const states = fitCensored(groups, 0.5);
    expect(Math.abs(states.ratePerMs - 1)).toBeLessThan(2 * 1.96 * states.relStdErr); // relStdErr ≈ 5 %
    expect(fitCensored(groups, 1).ratePerMs).toBeLessThan(0.7);
  });

  it('gives a 95 % interval that holds the true rate about 95 % of the time', () => {
    const random = seededRandom(3);
    const fits = Array.from({ length: 400 }, () => fitCensored(simulate(random, [0.5, 1], 300)));
    const covered = fits.filter((f) => f.lowerPerMs <= 1 && f.upperPerMs >= 1).length / fits.length;
    expect(covered).toBeGreaterThan(0.9);
    expect(covered).toBeLessThan(0.99);
  });

  it('says saturated, with an honest lower bound, when nearly every poll changed', () => {
    const random = seededRandom(9);
    const fit = fitCensored(simulate(random, [8], 500));
    expect(fit).toMatchObject({ saturated: true, upperPerMs: Infinity, relStdErr: Infinity });
    expect(fit.ratePerMs).toBe(fit.lowerPerMs);
    expect(fit.lowerPerMs).toBeLessThan(1);
    const all = fitCensored([{ w1: 100, t1: 100, w0: 0, t0: 0 }]);
    expect(all.saturated).toBe(true);
    expect(all.lowerPerMs).toBeGreaterThan(2); // 100 of 100 polls changed: at least ~ln(100/1.92)
  });

  it('with two states saturates long before every poll changes', () => {
    const random = seededRandom(4);
    expect(fitCensored(simulate(random, [3], 1000, 2), 0.5).saturated).toBe(true);
  });

  it('with no change seen estimates 0 with an upper bound from the exposure', () => {
    const fit = fitCensored([{ w1: 0, t1: 0, w0: 100, t0: 1000 }]);
    expect(fit).toMatchObject({ ratePerMs: 0, lowerPerMs: 0, saturated: false });
    expect(fit.upperPerMs).toBeCloseTo(1.92 / 1005, 4); // likelihood drop of z²/2 over the exposure (+ prior)
  });

  it('gives nothing without data', () => {
    expect(fitCensored([])).toMatchObject({ ratePerMs: 0, upperPerMs: Infinity, polls: 0 });
  });
});

describe('fitCounter', () => {
  it('counts increments over exposure, with a Poisson interval, never saturated', () => {
    const fit = fitCounter(400, 100, 50);
    expect(fit.ratePerMs).toBe(4);
    expect(fit.lowerPerMs).toBeCloseTo(4 / Math.exp(1.96 / 20), 10);
    expect(fit.saturated).toBe(false);
    expect(fitCounter(0, 100, 10).upperPerMs).toBeCloseTo(0.0192, 4);
  });
});

describe('changeProbability', () => {
  it('is c(1 − e^(−λT/c))', () => {
    expect(changeProbability(1, 1)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(changeProbability(1, 1, 0.5)).toBeCloseTo(0.5 * (1 - Math.exp(-2)), 12);
  });
});

describe('refineStep (counter step as a tolerant gcd)', () => {
  it.each([
    [1, 3, 1], [2, 1, 1], [0.1, 0.30000000000000004, 0.1], [0.3, 0.2, 0.1], [5, 7.5, 2.5],
  ])('step %p with delta %p → %p', (step, delta, expected) => {
    expect(refineStep(step, delta)).toBeCloseTo(expected, 6);
  });

  it('tolerates 1 % of float noise and gives up (NaN) when the gcd collapses', () => {
    expect(refineStep(1, 1.0001)).toBe(1);
    expect(refineStep(1, 1.37)).toBeNaN();
  });
});

describe('Evidence', () => {
  it('merges the closest interval slots when full, keeping every weight', () => {
    const e = new Evidence(2, 1);
    for (const T of [1000, 1100, 8000]) e.observe({ T, changed: true, w: 1, delta: NaN }, [0]);
    const groups = e.groups();
    expect(groups).toHaveLength(2);
    expect(groups.reduce((s, g) => s + g.w1, 0)).toBe(3);
    expect(groups.reduce((s, g) => s + g.t1, 0)).toBe(10_100);
    expect(e.bucketGroup(0)).toEqual({ w1: 3, t1: 10_100, w0: 0, t0: 0 });
  });

  it('round-trips through JSON exactly', () => {
    const e = new Evidence(4, 3);
    e.observe({ T: 1234.5, changed: false, w: 0.1 + 0.2, delta: 3 }, [0, 2]);
    e.observe({ T: 99, changed: true, w: Math.PI, delta: NaN }, [1]);
    const copy = Evidence.fromJSON(JSON.parse(JSON.stringify(e.toJSON())), 4, 3);
    expect(copy.toJSON()).toEqual(e.toJSON());
  });

  it('pools groups of nearly equal interval for the fit, and keeps different ones apart', () => {
    const g = (T: number) => ({ w1: 1, t1: T, w0: 1, t0: T });
    expect(compactGroups([g(1000), g(1050), g(5000)])).toEqual([{ w1: 2, t1: 2050, w0: 2, t0: 2050 }, g(5000)]);
  });
});
