import { describe, expect, it } from '@jest/globals';
import { allocateForAge, allocateIntervals, expectedAgeMs, lagrangeTerm, staleShare, type AllocationItem } from '../../src/metrics/ageModel.js';

const S = 1000;

describe('expected age of a Poisson value polled every T', () => {
  it('is 0 without changes and tends to T/2 − 1/λ when changes are frequent', () => {
    expect(expectedAgeMs(15 * S, 0)).toBe(0);
    expect(expectedAgeMs(100 * S, 1 / S)).toBeCloseTo(50 * S - S + (S * S) / (100 * S), 3); // e^(−100) ≈ 0
  });

  it('is continuous where the small-λT series takes over', () => {
    const T = 10 * S;
    const below = expectedAgeMs(T, 0.999e-3 / T);
    const above = expectedAgeMs(T, 1.001e-3 / T);
    expect(above / below).toBeCloseTo(1, 2);
    expect(expectedAgeMs(T, 1e-9) / ((1e-9 * T * T) / 6)).toBeCloseTo(1, 5); // ≈ λT²/6 for rare changes
  });

  it('lagrangeTerm is T²·dA/dT (numerical derivative)', () => {
    const rate = 1 / (20 * S);
    for (const T of [1 * S, 10 * S, 100 * S]) {
      const h = T * 1e-5;
      const derivative = (expectedAgeMs(T + h, rate) - expectedAgeMs(T - h, rate)) / (2 * h);
      expect(lagrangeTerm(T, rate) / (T * T * derivative)).toBeCloseTo(1, 5);
    }
  });
});

describe('Lagrange-optimal intervals under a bus-time budget', () => {
  const items: AllocationItem[] = [
    { key: 'fast', ratePerMs: 1 / (5 * S), costMs: 45, minMs: S, maxMs: 3600 * S },
    { key: 'medium', ratePerMs: 1 / (60 * S), costMs: 45, minMs: S, maxMs: 3600 * S },
    { key: 'slow', ratePerMs: 1 / (3600 * S), costMs: 45, minMs: S, maxMs: 3600 * S },
    { key: 'dear', ratePerMs: 1 / (5 * S), costMs: 90, minMs: S, maxMs: 3600 * S },
    { key: 'constant', ratePerMs: 0, costMs: 45, minMs: S, maxMs: 3600 * S },
  ];

  it('spends the budget and equalises marginal age per unit of bus time', () => {
    const a = allocateIntervals(items, 0.02);
    expect(a.feasible).toBe(true);
    expect(a.busFraction).toBeCloseTo(0.02, 6);
    expect(a.intervalsMs.get('constant')).toBe(3600 * S);
    const ratio = (key: string) => {
      const it = items.find((i) => i.key === key) as AllocationItem;
      return lagrangeTerm(a.intervalsMs.get(key) ?? 0, it.ratePerMs) / it.costMs;
    };
    for (const key of ['medium', 'slow', 'dear']) expect(ratio(key) / ratio('fast')).toBeCloseTo(1, 4);
    expect(a.intervalsMs.get('fast')).toBeLessThan(a.intervalsMs.get('dear') ?? 0);
  });

  it('beats the uniform interval with the same bus time', () => {
    const a = allocateIntervals(items, 0.02);
    const uniformT = items.reduce((s, it) => s + it.costMs, 0) / 0.02;
    const uniformAge = items.reduce((s, it) => s + expectedAgeMs(uniformT, it.ratePerMs), 0) / items.length;
    expect(a.meanAgeMs).toBeLessThan(uniformAge * 0.8);
  });

  it('clips to the bounds: all at min when the budget is generous, infeasible when even max is too much', () => {
    expect([...allocateIntervals(items, 10).intervalsMs.entries()].filter(([k]) => k !== 'constant').every(([, t]) => t === S)).toBe(true);
    const tight = allocateIntervals(items, 1e-6);
    expect(tight.feasible).toBe(false);
    expect([...tight.intervalsMs.values()].every((t) => t === 3600 * S)).toBe(true);
  });
});

describe('the cheapest allocation that keeps a mean age (goal save_bus)', () => {
  const S2 = 1000;
  const items: AllocationItem[] = [
    { key: 'fast', ratePerMs: 1 / (5 * S2), costMs: 45, minMs: S2, maxMs: 3600 * S2 },
    { key: 'slow', ratePerMs: 1 / (3600 * S2), costMs: 45, minMs: S2, maxMs: 3600 * S2 },
    { key: 'constant', ratePerMs: 0, costMs: 45, minMs: S2, maxMs: 3600 * S2 },
  ];
  const configuredAge = items.reduce((s, it) => s + expectedAgeMs(15 * S2, it.ratePerMs), 0) / items.length;
  const configuredBus = items.reduce((s, it) => s + it.costMs / (15 * S2), 0);

  it('is as fresh as the configured intervals for far less bus time, and is the Lagrange optimum at its price', () => {
    const a = allocateForAge(items, configuredAge);
    expect(a.feasible).toBe(true);
    expect(a.meanAgeMs).toBeLessThanOrEqual(configuredAge * (1 + 1e-6));
    expect(a.meanAgeMs).toBeGreaterThan(configuredAge * 0.999); // the constraint binds
    expect(a.busFraction).toBeLessThan(configuredBus * 0.5);
    // the freshest allocation with that bus time is the same one (duality), at the same price
    const dual = allocateIntervals(items, a.busFraction);
    expect(dual.meanAgeMs).toBeCloseTo(a.meanAgeMs, 0);
    expect(dual.price / a.price).toBeCloseTo(1, 3);
    // no single-entity deviation lowers bus + price · mean age
    const value = (intervals: Map<string, number>) => items.reduce((s, it) => {
      const t = intervals.get(it.key) ?? it.maxMs;
      return s + it.costMs / t + (a.price * expectedAgeMs(t, it.ratePerMs)) / items.length;
    }, 0);
    for (const it of items) {
      for (const factor of [0.8, 1.25]) {
        const moved = new Map(a.intervalsMs);
        moved.set(it.key, Math.min(it.maxMs, Math.max(it.minMs, (a.intervalsMs.get(it.key) ?? 0) * factor)));
        expect(value(moved)).toBeGreaterThanOrEqual(value(a.intervalsMs) - 1e-12);
      }
    }
  });

  it('reports infeasible when even every entity at its minimum is too stale, and price 0 when age is free', () => {
    expect(allocateForAge(items, 1).feasible).toBe(false);
    const free = allocateForAge(items, 3600 * S2);
    expect([...free.intervalsMs.values()]).toEqual([3600 * S2, 3600 * S2, 3600 * S2]);
    expect(free.price).toBe(0);
  });

  it('knows the share of time a value is stale', () => {
    expect(staleShare(10 * S2, 0)).toBe(0);
    expect(staleShare(10 * S2, 1 / S2)).toBeCloseTo(1 - (1 - Math.exp(-10)) / 10, 12);
    expect(staleShare(10 * S2, 1e-12)).toBeCloseTo(5e-9, 15); // ≈ λT/2 for rare changes
  });
});
