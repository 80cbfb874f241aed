/** The bench's loop-health arithmetic: convergence hour, re-proposals after a rollback, cluster precision/recall. */
import { describe, expect, it } from '@jest/globals';
import { clusterQuality } from '../../bench/clusterQuality.js';
import { convergenceHour, reproposals, sameHourConvergence } from '../../bench/loopHealth.js';
import type { OptimizationRecord } from '../../src/optimizer/types.js';

describe('convergence hour', () => {
  it.each([
    [[100, 80, 50, 41, 40, 39], 3],
    [[40, 40, 40, 40, 40, 40], 0],
    [[40, 80, 40, 40, 40, 40], 2],
    [[40, 40, 40, 40, 40], undefined], // under 2 × 3 hours: too short to tell
  ])('%j → %p', (hourly, expected) => {
    expect(convergenceHour(hourly)).toBe(expected);
  });
});

describe('convergence against the same hour a day later', () => {
  const day = (scale: number) => Array.from({ length: 24 }, (_, h) => (h >= 6 && h < 18 ? 100 : 40) * scale);
  it('settles from the hour whose day-later twin it matches on, despite the day/night swing', () => {
    const first = day(1).map((x, h) => (h < 3 ? x * 2 : x)); // the first 3 hours spend twice the steady day's
    expect(sameHourConvergence([...first, ...day(1)])).toBe(3);
    expect(convergenceHour([...first, ...day(1)])).toBe(42); // the final-hours rule sees only the last evening: 42 h
  });
  it('needs two days, and never settles when the days differ', () => {
    expect(sameHourConvergence(day(1))).toBeUndefined();
    expect(sameHourConvergence([...day(1), ...day(1.5)])).toBeUndefined();
  });
});

describe('moves re-proposed after a rollback', () => {
  const rec = (id: number, appliedAt: number, after: number, rolledBack: boolean, evaluatedAt?: number) => ({
    id, appliedAt, rolledBack, evaluatedAt, changes: [{ kind: 'interval', target: 'a', before: 15_000, after, entities: ['a'] }],
  }) as unknown as OptimizationRecord;

  it('counts a lost move proposed again after its rollback, not before it, nor a different move', () => {
    expect(reproposals([rec(1, 0, 5000, true, 10), rec(2, 5, 5000, false), rec(3, 20, 5000, false), rec(4, 30, 6000, false)])).toBe(1);
  });
});

describe('cluster quality against true groups', () => {
  const group = new Map([['a', 'g'], ['b', 'g'], ['c', 'g'], ['x', 'h'], ['y', 'h']]);
  const ids = ['a', 'b', 'c', 'x', 'y', 'z'];

  it('scores pairs: a right pair, a wrong pair and a missed group', () => {
    const q = clusterQuality((id) => group.get(id), ids, [{ members: ['a', 'b'] }, { members: ['c', 'z'] }]);
    expect(q).toEqual({ whole: 0, groups: 2, mixed: 1, clusters: 2, precision: 1 / 2, recall: 1 / 4 });
  });

  it('is exact when the clusters are the groups', () => {
    const q = clusterQuality((id) => group.get(id), ids, [{ members: ['a', 'b', 'c'] }, { members: ['x', 'y'] }]);
    expect(q).toMatchObject({ whole: 2, mixed: 0, precision: 1, recall: 1 });
  });
});
