// The arithmetic behind the Home Assistant fault rows, on tables: the most REST attempts the
// publisher's back-off allows in an outage, p50/max with timings that never happened, and a row
// that is met only when every check is, naming the one that missed.
import { describe, expect, it } from '@jest/globals';
import { allWithin, rowOf, spread, spreadText } from '../reliability/figures.js';
import { maxAttempts } from '../reliability/haRestErrors.js';

describe('maxAttempts: the shortest back-off steps are 0.5, 1, 2, 4, 8, 16, 30, 30 … s', () => {
  it.each([
    [0, 1], [499, 1], [500, 2], [1_499, 2], [1_500, 3], [15_000, 5], [15_500, 6], [31_500, 7], [61_500, 8], [271_500, 15], [300_000, 15], [301_500, 16],
  ])('an outage of %i ms allows at most %i attempts', (ms, attempts) => {
    expect(maxAttempts(ms)).toBe(attempts);
  });
});

describe('spread and allWithin', () => {
  it('takes the lower median and the max', () => {
    expect(spread([3, 1, 2, 4])).toEqual({ p50: 2, max: 4 });
    expect(spreadText([1_000, 2_500])).toBe('p50 1.0 s, max 2.5 s');
  });

  it('has no max when one timing never happened, so the bound is missed', () => {
    expect(spread([1, undefined])).toEqual({ p50: 1, max: undefined });
    expect(spreadText([undefined])).toBe('p50 never, max never');
    expect(allWithin([1, undefined], 10)).toBe(false);
    expect(allWithin([], 10)).toBe(false);
    expect(allWithin([4, 10], 10)).toBe(true);
    expect(allWithin([4, 11], 10)).toBe(false);
  });
});

describe('rowOf', () => {
  it('is met only when every check is, and marks the one that missed', () => {
    expect(rowOf('f', 'b', [{ ok: true, figure: 'x 1' }, { ok: true, figure: 'y 2' }])).toEqual({ fault: 'f', figure: 'x 1; y 2', bound: 'b', met: true });
    expect(rowOf('f', 'b', [{ ok: true, figure: 'x 1' }, { ok: false, figure: 'y 9' }])).toEqual({ fault: 'f', figure: 'x 1; y 9 [NOT MET]', bound: 'b', met: false });
  });
});
