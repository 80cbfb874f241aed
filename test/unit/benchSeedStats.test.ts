/** The bench's arithmetic over seeds and the clairvoyant floor: pure helpers, exact table tests. */
import { describe, expect, it } from '@jest/globals';
import { clairvoyantFloor } from '../../bench/clairvoyant.js';
import { formatSpread, spread } from '../../bench/seedStats.js';

describe('spread over seeds', () => {
  it.each([
    [[3, 1, 2], { median: 2, min: 1, max: 3, n: 3 }],
    [[4, 1, 3, 2], { median: 2.5, min: 1, max: 4, n: 4 }],
    [[5], { median: 5, min: 5, max: 5, n: 1 }],
    [[undefined, 2, Number.NaN, 6], { median: 4, min: 2, max: 6, n: 2 }],
  ])('%j → %j', (values, expected) => {
    expect(spread(values)).toEqual(expected);
  });

  it('is undefined without a value', () => {
    expect(spread([undefined])).toBeUndefined();
  });

  it('formats median (min–max) and says when seeds are missing', () => {
    const f = (x: number) => x.toFixed(1);
    expect(formatSpread(spread([1, 2, 3]), f, 3)).toBe('2.0 (1.0–3.0)');
    expect(formatSpread(spread([2]), f, 1)).toBe('2.0');
    expect(formatSpread(spread([1, 3]), f, 3, 'n/a')).toBe('2.0 (1.0–3.0) [2 of 3 seeds; the rest n/a]');
    expect(formatSpread(undefined, f, 3, 'n/a')).toBe('n/a');
  });
});

describe('clairvoyant floor', () => {
  it('charges every true change one single read, averaged over the buses', () => {
    const floor = clairvoyantFloor([
      { changes: 10, singleReadMs: 45, bus: 'a' },
      { changes: 0, singleReadMs: 50, bus: 'a' },
      { changes: 4, singleReadMs: 2, bus: 'b' },
    ], 1000);
    expect(floor).toEqual({ busMs: 458, busUtilisation: 458 / 2000, requests: 14, meanStalenessMs: 0 });
  });

  it('is zero for an empty window', () => {
    expect(clairvoyantFloor([], 0).busUtilisation).toBe(0);
  });
});
