import { describe, expect, it } from '@jest/globals';
import { clientBlocksFirst, insideSpan, spanItem, takeoverDueMs } from '../../src/modbus/clientReads.js';
import type { BlockRequest, ReadItem } from '../../src/modbus/planner.js';

const item = (address: number, count: number, unitId = 1, fn: 3 | 4 = 4) => ({ key: `${address}`, unitId, fn, address, count });

describe('a client read taken into the poller', () => {
  it.each([
    ['wholly inside', item(16, 2), true],
    ['at the very end', item(28, 2), true],
    ['sticking out past the end', item(29, 2), false],
    ['starting before', item(15, 2), false],
    ['another unit', item(16, 1, 2), false],
    ['another table', item(16, 1, 1, 3), false],
  ])('an entity %s', (_what, entity, inside) => {
    expect(insideSpan(entity, item(16, 14))).toBe(inside);
  });

  it.each([
    ['about as often as the app', 15_010, false, 15_000 + 1.05 * 15_010],
    ['faster than the app', 5000, false, 15_000 + 1.05 * 15_000],
    ['a little slower, within the slack', 15_700, false, 15_000 + 1.05 * 15_700],
    ['much slower', 60_000, false, undefined],
    ['at an unknown pace', undefined, false, undefined],
    ['under a demand cap', 1000, true, undefined],
  ])('a client reading %s', (_what, period, capped, due) => {
    expect(takeoverDueMs(15_000, 15_000, period, capped)).toBe(due);
  });

  it('puts the blocks that carry a client\'s span first, the rest in plan order', () => {
    const block = (address: number, items: ReadItem[]): BlockRequest => ({ unitId: 1, fn: 4, address, count: 2, items });
    const blocks = [block(0, [item(0, 1)]), block(16, [item(16, 1), spanItem(1, item(16, 2))]), block(32, [item(32, 1)])];
    expect(clientBlocksFirst(blocks).map((b) => b.address)).toEqual([16, 0, 32]);
  });
});
