import { describe, expect, it } from '@jest/globals';
import { readSizeProblem, ReadSizes } from '../../src/modbus/readSizes.js';

describe('learned read sizes', () => {
  it('nothing refused: no cap', () => {
    const s = new ReadSizes();
    s.succeeded(1, 120);
    expect(s.capOf(1)).toBe(Infinity);
    expect(s.capOf(2)).toBe(Infinity);
  });

  it('a refusal caps between the largest success and the refused size, and converges on the real limit', () => {
    const s = new ReadSizes();
    const limit = 50;
    let refused = 0;
    // a plan that always wants 120: every round reads a block at the cap (or refused at it)
    for (let round = 0; round < 20; round++) {
      const size = Math.min(120, s.capOf(1));
      if (size > limit) { s.refused(1, size); refused++; } else s.succeeded(1, size);
    }
    expect(s.capOf(1)).toBe(limit);
    expect(refused).toBeLessThanOrEqual(8); // log2(120) steps, not one per round
    expect(s.list()).toEqual([{ unitId: 1, largestOk: 50, smallestRefused: 51, maxRegisters: 50 }]);
  });

  it('a success at a refused size clears the refusal (the size was not the reason)', () => {
    const s = new ReadSizes();
    s.succeeded(1, 10);
    expect(s.refused(1, 88)).toBe(true);
    expect(s.capOf(1)).toBe(49);
    s.succeeded(1, 88);
    expect(s.capOf(1)).toBe(Infinity);
  });

  it('one timeout is not evidence; a second above any success is; a timeout at a size that worked never is', () => {
    const s = new ReadSizes();
    s.succeeded(1, 40);
    expect(s.timedOut(1, 30)).toBe(false);
    expect(s.timedOut(1, 88)).toBe(false);
    expect(s.capOf(1)).toBe(Infinity);
    expect(s.timedOut(1, 70)).toBe(true);
    expect(s.capOf(1)).toBe(55);
  });

  it('saved records are checked', () => {
    expect(readSizeProblem({ bus: 'rtu://gw:502', unitId: 2, largestOk: 72, smallestRefused: 88 })).toBeUndefined();
    expect(readSizeProblem({ bus: 'rtu://gw:502', unitId: 2, largestOk: 72, smallestRefused: 50 })).toMatch(/smallestRefused 50 is not above largestOk/);
    expect(readSizeProblem({ bus: '', unitId: 2, largestOk: 1 })).toMatch(/bus/);
    expect(readSizeProblem({ bus: 'b', unitId: 300, largestOk: 1 })).toMatch(/unitId 300/);
  });
});
