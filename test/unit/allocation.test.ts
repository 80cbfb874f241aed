import { describe, expect, it } from '@jest/globals';
import { exponential, seededRandom } from '../../src/core/random.js';
import { allocateIntervals, expectedAgeMs, intervalForMultiplier, utilisationOf, type AllocationItem } from '../../src/optimizer/allocation.js';

/** Time-average age of a Poisson process polled every T, by simulation. */
function simulatedAge(rate: number, T: number, polls: number, seed: number): number {
  const random = seededRandom(seed);
  let ageArea = 0;
  let nextChange = exponential(random, rate);
  for (let p = 0; p < polls; p++) {
    const start = p * T;
    const end = start + T;
    let firstUnseen: number | undefined;
    while (nextChange < end) {
      firstUnseen ??= nextChange;
      nextChange += exponential(random, rate);
    }
    if (firstUnseen !== undefined) ageArea += ((end - firstUnseen) ** 2) / 2; // age grows linearly until the poll
  }
  return ageArea / (polls * T);
}

const weightedAge = (items: AllocationItem[], intervals: number[]) =>
  items.reduce((s, item, i) => s + (item.weight ?? 1) * expectedAgeMs(item.ratePerMs, intervals[i] ?? 0), 0);

describe('expected age (DESIGN.md closed form)', () => {
  it.each([
    [1 / 10_000, 5_000],
    [1 / 10_000, 30_000],
    [1 / 1_000, 15_000],
  ])('matches a simulation for rate %p per ms at T = %p ms', (rate, T) => {
    const sim = simulatedAge(rate, T, 2e9 / T, 11); // 2·10⁹ ms of simulated time
    expect(expectedAgeMs(rate, T) / sim).toBeGreaterThan(0.97);
    expect(expectedAgeMs(rate, T) / sim).toBeLessThan(1.03);
  });

  it('approaches λT²/6 for rare changes and T/2 − 1/λ for frequent ones', () => {
    expect(expectedAgeMs(1e-9, 1000) / ((1e-9 * 1000 * 1000) / 6)).toBeCloseTo(1, 4);
    expect(expectedAgeMs(1, 10_000)).toBeCloseTo(10_000 / 2 - 1, 3);
    expect(expectedAgeMs(0, 10_000)).toBe(0);
  });
});

describe('Lagrange-optimal intervals', () => {
  it('meets the condition w·A′(T)·T² = μ·c at the interval it returns', () => {
    const item: AllocationItem = { ratePerMs: 1 / 20_000, costMs: 45, minMs: 1, maxMs: 1e9 };
    for (const mu of [1e-3, 1, 1e3]) {
      const T = intervalForMultiplier(item, mu);
      const h = T * 1e-5;
      const derivative = (expectedAgeMs(item.ratePerMs, T + h) - expectedAgeMs(item.ratePerMs, T - h)) / (2 * h);
      expect((derivative * T * T) / (mu * item.costMs)).toBeCloseTo(1, 2);
    }
  });

  const random = seededRandom(3);
  const items: AllocationItem[] = Array.from({ length: 200 }, (_, i) => ({
    ratePerMs: i % 10 === 0 ? 0 : 1 / (1000 * 10 ** (random() * 3)), // mean time between changes 1 s … 1,000 s
    costMs: 40 + random() * 20,
    weight: 1,
    minMs: 1000,
    maxMs: 3_600_000,
  }));

  it('spends exactly the budget and beats uniform intervals at the same bus time', () => {
    const a = allocateIntervals(items, 0.2);
    expect(a.clipped).toBe(false);
    expect(a.utilisation).toBeCloseTo(0.2, 4);
    const uniformT = items.reduce((s, i) => s + i.costMs, 0) / 0.2; // Σc/T = 0.2
    const uniform = items.map(() => uniformT);
    expect(utilisationOf(items, uniform)).toBeCloseTo(0.2, 6);
    expect(weightedAge(items, a.intervalsMs)).toBeLessThan(0.8 * weightedAge(items, uniform));
  });

  it('cannot be improved by moving bus time between two entities inside their bounds', () => {
    const a = allocateIntervals(items, 0.2);
    const base = weightedAge(items, a.intervalsMs);
    const free = a.intervalsMs.map((t, i) => [t, i] as const).filter(([t]) => t > 1000 && t < 3_600_000).map(([, i]) => i);
    expect(free.length).toBeGreaterThan(100);
    const pairs = [[free[0], free[1]], [free[10], free[90]], [free[50], free[free.length - 1]]];
    for (const [i = 0, j = 0] of pairs) {
      const Ti = a.intervalsMs[i] ?? 0;
      const Tj = a.intervalsMs[j] ?? 0;
      const ci = items[i]?.costMs ?? 0;
      const cj = items[j]?.costMs ?? 0;
      for (const shift of [-0.05, 0.05]) {
        // give entity i a little more (or less) bus time and take the same from j
        const newTi = ci / (ci / Ti + shift * (ci / Ti));
        const newTj = cj / (cj / Tj - shift * (ci / Ti));
        const moved = [...a.intervalsMs];
        moved[i] = newTi;
        moved[j] = newTj;
        expect(weightedAge(items, moved)).toBeGreaterThanOrEqual(base - 1e-6);
      }
    }
  });

  it('gives constants their maximum interval and faster-changing values shorter ones', () => {
    const a = allocateIntervals(items, 0.2);
    expect(a.intervalsMs[0]).toBe(3_600_000);
    const byRate = items.map((item, i) => [item.ratePerMs, a.intervalsMs[i] ?? 0] as const).filter(([r]) => r > 0);
    const fast = byRate.filter(([r]) => r > 1 / 2000).map(([, T]) => T);
    const slow = byRate.filter(([r]) => r < 1 / 200_000).map(([, T]) => T);
    expect(Math.max(...fast)).toBeLessThan(Math.min(...slow));
  });

  it('clips to the bounds when the budget is too small or more than enough', () => {
    expect(allocateIntervals(items, 1e-6)).toMatchObject({ clipped: true });
    expect(allocateIntervals(items, 1e-6).intervalsMs.every((t) => t === 3_600_000)).toBe(true);
    const generous = allocateIntervals(items, 100);
    expect(generous.clipped).toBe(true);
    expect(generous.intervalsMs.filter((_, i) => (items[i]?.ratePerMs ?? 0) > 0).every((t) => t === 1000)).toBe(true);
  });
});
