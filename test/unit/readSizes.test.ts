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
    expect(s.refused(1, 88)).toBe('size');
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

  it('a refused block no longer than a read that worked, with a longer gap than any that worked, teaches the gap', () => {
    const s = new ReadSizes();
    s.succeeded(1, 60, 0);
    s.succeeded(1, 20, 2);
    expect(s.refused(1, 40, 12)).toBe('gap');
    expect(s.capOf(1)).toBe(Infinity); // the size cap is left alone
    expect(s.gapCapOf(1)).toBe(7); // between 2 (worked) and 12 (refused)
    expect(s.refused(1, 30, 7)).toBe('gap');
    expect(s.gapCapOf(1)).toBe(4);
    s.succeeded(1, 30, 7); // a success at a refused gap: the gap was not the reason
    expect(s.gapCapOf(1)).toBe(Infinity);
    expect(s.refused(1, 90, 12)).toBe('size'); // longer than any success: the size is suspected first
    expect(s.capOf(1)).toBe(75);
  });

  it('keeps and restores a gap lesson, and checks it', () => {
    const s = new ReadSizes();
    s.succeeded(3, 50, 1);
    s.refused(3, 30, 9);
    const [record] = s.list();
    expect(record).toEqual({ unitId: 3, largestOk: 50, largestOkGap: 1, smallestRefusedGap: 9, maxGap: 5 });
    const again = new ReadSizes();
    again.restore(record as NonNullable<typeof record>);
    expect(again.gapCapOf(3)).toBe(5);
    expect(readSizeProblem({ bus: 'b', unitId: 3, largestOk: 50, largestOkGap: 1, smallestRefusedGap: 9 })).toBeUndefined();
    expect(readSizeProblem({ bus: 'b', unitId: 3, largestOk: 50, largestOkGap: 9, smallestRefusedGap: 9 })).toMatch(/smallestRefusedGap 9 is not above largestOkGap/);
    expect(readSizeProblem({ bus: 'b', unitId: 3, largestOk: 50, largestOkGap: -1 })).toMatch(/largestOkGap -1/);
  });
});
