import { describe, expect, it } from '@jest/globals';
import { HoleSet, type HoleRange } from '../../src/modbus/holes.js';

describe('HoleSet', () => {
  it('starts empty and answers no', () => {
    const holes = new HoleSet();
    expect(holes.size).toBe(0);
    expect(holes.list()).toEqual([]);
    expect(holes.intersects(1, 3, 0, 65536)).toBe(false);
    expect(holes.firstHoleAtOrAfter(1, 3, 0)).toBe(Infinity);
  });

  it('intersects only the addresses of its own unit and function code', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 100, 110);
    expect(holes.intersects(1, 3, 90, 101)).toBe(true);
    expect(holes.intersects(1, 3, 109, 120)).toBe(true);
    expect(holes.intersects(1, 3, 102, 104)).toBe(true);
    expect(holes.intersects(1, 3, 90, 100)).toBe(false); // end is exclusive
    expect(holes.intersects(1, 3, 110, 120)).toBe(false);
    expect(holes.intersects(1, 4, 100, 110)).toBe(false);
    expect(holes.intersects(2, 3, 100, 110)).toBe(false);
    expect(holes.intersects(1, 3, 105, 105)).toBe(false); // empty range
  });

  it('merges overlapping and adjacent ranges, keeps disjoint ones apart', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 10, 20);
    holes.add(1, 3, 30, 40);
    holes.add(1, 3, 50, 60);
    expect(holes.size).toBe(3);
    holes.add(1, 3, 20, 25); // adjacent to [10, 20)
    holes.add(1, 3, 28, 30); // adjacent to [30, 40)
    expect(holes.list().map((h) => [h.start, h.end])).toEqual([[10, 25], [28, 40], [50, 60]]);
    holes.add(1, 3, 24, 55); // bridges all three
    expect(holes.list()).toEqual([{ unitId: 1, fn: 3, start: 10, end: 60 }]);
    expect(holes.size).toBe(1);
  });

  it('inserts before, between and after existing ranges; ignores empty ranges', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 50, 60);
    holes.add(1, 3, 0, 5);
    holes.add(1, 3, 20, 22);
    holes.add(1, 3, 90, 91);
    holes.add(1, 3, 70, 70);
    holes.add(1, 3, 60, 55);
    expect(holes.list().map((h) => [h.start, h.end])).toEqual([[0, 5], [20, 22], [50, 60], [90, 91]]);
  });

  it('a range inside an existing hole changes nothing', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 10, 40);
    holes.add(1, 3, 15, 20);
    expect(holes.list()).toEqual([{ unitId: 1, fn: 3, start: 10, end: 40 }]);
  });

  it('firstHoleAtOrAfter: the address itself inside a hole, else the next hole start', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 100, 110);
    holes.add(1, 3, 200, 201);
    expect(holes.firstHoleAtOrAfter(1, 3, 0)).toBe(100);
    expect(holes.firstHoleAtOrAfter(1, 3, 105)).toBe(105);
    expect(holes.firstHoleAtOrAfter(1, 3, 110)).toBe(200);
    expect(holes.firstHoleAtOrAfter(1, 3, 201)).toBe(Infinity);
  });

  it('list is ordered by unit, fn, start and round-trips through JSON', () => {
    const holes = new HoleSet();
    holes.add(2, 3, 5, 6);
    holes.add(1, 4, 7, 9);
    holes.add(1, 3, 300, 301);
    holes.add(1, 3, 3, 4);
    holes.add(1, 1, 0, 16);
    const list = holes.list();
    expect(list).toEqual([
      { unitId: 1, fn: 1, start: 0, end: 16 },
      { unitId: 1, fn: 3, start: 3, end: 4 },
      { unitId: 1, fn: 3, start: 300, end: 301 },
      { unitId: 1, fn: 4, start: 7, end: 9 },
      { unitId: 2, fn: 3, start: 5, end: 6 },
    ]);
    const restored = HoleSet.fromList(JSON.parse(JSON.stringify(list)) as HoleRange[]);
    expect(restored.list()).toEqual(list);
    expect(restored.size).toBe(5);
    expect(restored.intersects(1, 3, 299, 300)).toBe(false);
    expect(restored.intersects(1, 3, 299, 301)).toBe(true);
  });

  it('fromList merges overlapping persisted entries', () => {
    const restored = HoleSet.fromList([
      { unitId: 1, fn: 3, start: 10, end: 20 },
      { unitId: 1, fn: 3, start: 15, end: 30 },
    ]);
    expect(restored.list()).toEqual([{ unitId: 1, fn: 3, start: 10, end: 30 }]);
  });

  it('fromList rejects malformed entries, naming the index', () => {
    expect(() => HoleSet.fromList([{ unitId: 1, fn: 3, start: 1, end: 2 }, { unitId: 1, fn: 5, start: 1, end: 2 }]))
      .toThrow(/hole #1/);
    expect(() => HoleSet.fromList([{ unitId: 1, fn: 3, start: 5, end: 5 }])).toThrow(TypeError);
    expect(() => HoleSet.fromList([null])).toThrow(TypeError);
  });

  it('remove cuts registers that answered out of holes: trims, splits, drops, and leaves other units alone', () => {
    const holes = new HoleSet();
    holes.add(1, 4, 29, 32); // learned across the gap 29…31 where only 30 and 31 are missing
    holes.add(1, 4, 40, 50);
    holes.add(2, 4, 29, 32);
    expect(holes.remove(1, 4, 16, 30)).toBe(true);
    expect(holes.remove(1, 4, 44, 46)).toBe(true);
    expect(holes.list().filter((h) => h.unitId === 1).map((h) => [h.start, h.end])).toEqual([[30, 32], [40, 44], [46, 50]]);
    expect(holes.size).toBe(4);
    expect(holes.remove(1, 4, 0, 16)).toBe(false); // no hole there
    expect(holes.remove(1, 4, 30, 60)).toBe(true);
    expect(holes.list()).toEqual([{ unitId: 2, fn: 4, start: 29, end: 32 }]);
    expect(holes.size).toBe(1);
  });
});
