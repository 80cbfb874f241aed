import { describe, expect, it } from '@jest/globals';
import { readBusTimeMs, type BusTiming } from '../../src/modbus/costModel.js';
import { HoleSet } from '../../src/modbus/holes.js';
import { planCostMs, planReads, type BlockRequest, type PlanLimits, type ReadItem } from '../../src/modbus/planner.js';
import { isBitFunction, type ReadFunction } from '../../src/modbus/types.js';
import { seededRandom } from '../../src/core/random.js';

const RTU_9600: BusTiming = { baudrate: 9600, turnaroundMs: 20, roundTripMs: 0 };
const TCP: BusTiming = { baudrate: undefined, turnaroundMs: 2, roundTripMs: 1 };

function item(key: string, address: number, count = 1, unitId = 1, fn: ReadFunction = 3): ReadItem {
  return { key, unitId, fn, address, count };
}

function limits(timing: BusTiming, extra: Partial<PlanLimits> = {}): PlanLimits {
  return { maxRegisters: 125, maxBits: 2000, timing, ...extra };
}

type Row = [unitId: number, fn: ReadFunction, address: number, count: number, keys: string[]];

function table(blocks: readonly BlockRequest[]): Row[] {
  return blocks.map((b) => [b.unitId, b.fn, b.address, b.count, b.items.map((i) => i.key)]);
}

describe('planReads: gap bridging follows the cost model', () => {
  it('break-even gap at 9,600 baud / 20 ms is ~18.7 registers', () => {
    // Each extra register is 2 chars = 2 * 11/9600 s = 2.29 ms. A request's fixed overhead is
    // 13 chars (8 request + 5 response) + 2 * t3.5 + d = 14.90 + 8.02 + 20 = 42.92 ms.
    // Bridging a gap of g registers costs 2.29 g and saves 42.92, so it pays while g < 18.73.
    const perRegister = readBusTimeMs(3, 2, RTU_9600) - readBusTimeMs(3, 1, RTU_9600);
    const overhead = readBusTimeMs(3, 1, RTU_9600) - perRegister;
    expect(perRegister).toBeCloseTo(2.2917, 3);
    expect(overhead).toBeCloseTo(42.9167, 3);
    expect(overhead / perRegister).toBeCloseTo(18.727, 2);
  });

  it('rtu_9600_gap_18_is_bridged', () => {
    expect(table(planReads([item('a', 100), item('b', 119)], limits(RTU_9600))))
      .toEqual([[1, 3, 100, 20, ['a', 'b']]]);
  });

  it('rtu_9600_gap_19_is_not_bridged', () => {
    expect(table(planReads([item('a', 100), item('b', 120)], limits(RTU_9600))))
      .toEqual([[1, 3, 100, 1, ['a']], [1, 3, 120, 1, ['b']]]);
  });

  it('rtu_9600_gap_25_is_not_bridged', () => {
    expect(table(planReads([item('a', 100, 2), item('b', 127, 2)], limits(RTU_9600))))
      .toEqual([[1, 3, 100, 2, ['a']], [1, 3, 127, 2, ['b']]]);
  });

  it('tcp_merges_anything_within_the_cap', () => {
    expect(table(planReads([item('a', 0), item('b', 60, 4), item('c', 124)], limits(TCP))))
      .toEqual([[1, 3, 0, 125, ['a', 'b', 'c']]]);
  });

  it('zero_cost_timing_still_prefers_fewer_requests', () => {
    const free: BusTiming = { baudrate: undefined, turnaroundMs: 0, roundTripMs: 0 };
    expect(table(planReads([item('a', 0), item('b', 50), item('c', 100)], limits(free))))
      .toEqual([[1, 3, 0, 101, ['a', 'b', 'c']]]);
  });
});

describe('planReads: request caps', () => {
  it('cap_125_span_126_is_two_requests', () => {
    expect(table(planReads([item('a', 0), item('b', 124)], limits(TCP)))).toEqual([[1, 3, 0, 125, ['a', 'b']]]);
    expect(table(planReads([item('a', 0), item('b', 125)], limits(TCP))))
      .toEqual([[1, 3, 0, 1, ['a']], [1, 3, 125, 1, ['b']]]);
  });

  it('connection_cap_20_splits_at_the_cheapest_place', () => {
    // All gaps are < 18.7 so without a cap one block; with 20 the cheapest legal split is
    // [0,2) + [10,27) (19 registers read) rather than greedy [0,20) + [25,27) (22 registers).
    const items = [item('a', 0, 2), item('b', 10, 2), item('c', 18, 2), item('d', 25, 2)];
    expect(table(planReads(items, limits(RTU_9600)))).toEqual([[1, 3, 0, 27, ['a', 'b', 'c', 'd']]]);
    expect(table(planReads(items, limits(RTU_9600, { maxRegisters: 20 }))))
      .toEqual([[1, 3, 0, 2, ['a']], [1, 3, 10, 17, ['b', 'c', 'd']]]);
  });

  it('coils_2000_bit_limit', () => {
    const coil = (key: string, address: number): ReadItem => item(key, address, 1, 1, 1);
    expect(table(planReads([coil('a', 0), coil('b', 1999)], limits(TCP)))).toEqual([[1, 1, 0, 2000, ['a', 'b']]]);
    expect(table(planReads([coil('a', 0), coil('b', 2000)], limits(TCP))))
      .toEqual([[1, 1, 0, 1, ['a']], [1, 1, 2000, 1, ['b']]]);
  });

  it('rtu_coils_cost_one_char_per_8_bits_gap_310_bridged_311_not', () => {
    // Merged: ceil(s/8) extra chars; separate: one more request of 15 chars + 2 t3.5 + d = 45.21 ms
    // = 39.45 chars. So a span s <= 312 bits (gap 310) is bridged and s = 313 is not.
    const coil = (key: string, address: number): ReadItem => item(key, address, 1, 1, 2);
    expect(table(planReads([coil('a', 0), coil('b', 311)], limits(RTU_9600)))).toEqual([[1, 2, 0, 312, ['a', 'b']]]);
    expect(table(planReads([coil('a', 0), coil('b', 312)], limits(RTU_9600))))
      .toEqual([[1, 2, 0, 1, ['a']], [1, 2, 312, 1, ['b']]]);
  });

  it('item_larger_than_the_cap_is_planned_alone', () => {
    const items = [item('big', 0, 130), item('a', 10), item('b', 131)];
    expect(table(planReads(items, limits(TCP))))
      .toEqual([[1, 3, 0, 130, ['big']], [1, 3, 10, 122, ['a', 'b']]]);
  });
});

describe('planReads: grouping', () => {
  it('different_units_and_function_codes_never_mixed', () => {
    const items = [item('u2', 10, 1, 2, 3), item('in', 10, 1, 1, 4), item('hr', 10, 1, 1, 3),
      item('coil', 10, 1, 1, 1), item('di', 10, 1, 1, 2)];
    expect(table(planReads(items, limits(TCP)))).toEqual([
      [1, 1, 10, 1, ['coil']], [1, 2, 10, 1, ['di']], [1, 3, 10, 1, ['hr']], [1, 4, 10, 1, ['in']],
      [2, 3, 10, 1, ['u2']],
    ]);
  });

  it('duplicate_and_overlapping_items_share_a_block', () => {
    const items = [item('c', 200), item('b', 101, 2), item('a2', 100, 2), item('a', 100, 2)];
    expect(table(planReads(items, limits(RTU_9600))))
      .toEqual([[1, 3, 100, 3, ['a', 'a2', 'b']], [1, 3, 200, 1, ['c']]]);
  });

  it('overlap_beyond_the_cap_is_two_reads', () => {
    expect(table(planReads([item('x', 0, 100), item('y', 50, 100)], limits(TCP))))
      .toEqual([[1, 3, 0, 100, ['x']], [1, 3, 50, 100, ['y']]]);
  });

  it('output_order_does_not_depend_on_input_order', () => {
    const items = [item('a', 5), item('b', 300, 2, 2), item('c', 0, 1, 1, 4), item('d', 40), item('e', 7, 2)];
    const forward = planReads(items, limits(RTU_9600));
    expect(planReads([...items].reverse(), limits(RTU_9600))).toEqual(forward);
    expect(table(forward)).toEqual([[1, 3, 5, 4, ['a', 'e']], [1, 3, 40, 1, ['d']], [1, 4, 0, 1, ['c']],
      [2, 3, 300, 2, ['b']]]);
  });

  it('empty_input_is_an_empty_plan', () => {
    expect(planReads([], limits(RTU_9600))).toEqual([]);
    expect(planCostMs([], RTU_9600)).toBe(0);
  });

  it('invalid_span_is_rejected_naming_the_item', () => {
    expect(() => planReads([item('zero', 5, 0)], limits(TCP))).toThrow(/zero/);
    expect(() => planReads([item('neg', -1)], limits(TCP))).toThrow(RangeError);
  });
});

describe('planReads: learned holes', () => {
  it('hole_blocks_a_bridge_that_would_otherwise_be_chosen', () => {
    const items = [item('a', 100), item('b', 110)];
    expect(table(planReads(items, limits(RTU_9600)))).toEqual([[1, 3, 100, 11, ['a', 'b']]]);
    const holes = new HoleSet();
    holes.add(1, 3, 105, 106);
    expect(table(planReads(items, limits(RTU_9600, { holes }))))
      .toEqual([[1, 3, 100, 1, ['a']], [1, 3, 110, 1, ['b']]]);
  });

  it('hole_of_another_unit_or_function_or_outside_the_span_does_not_block', () => {
    const holes = new HoleSet();
    holes.add(1, 4, 105, 106);
    holes.add(2, 3, 105, 106);
    holes.add(1, 3, 111, 112);
    expect(table(planReads([item('a', 100), item('b', 110)], limits(RTU_9600, { holes }))))
      .toEqual([[1, 3, 100, 11, ['a', 'b']]]);
  });

  it('item_inside_a_hole_is_planned_alone', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 105, 106);
    const items = [item('a', 100), item('h', 104, 3), item('h2', 104, 3), item('b', 110), item('c', 102)];
    expect(table(planReads(items, limits(RTU_9600, { holes })))).toEqual([
      [1, 3, 100, 3, ['a', 'c']], [1, 3, 104, 3, ['h', 'h2']], [1, 3, 110, 1, ['b']],
    ]);
  });
});

describe('planCostMs', () => {
  it('sums the modelled bus time per block', () => {
    const blocks = planReads([item('a', 0), item('b', 100), item('c', 0, 1, 1, 1)], limits(RTU_9600));
    const expected = readBusTimeMs(1, 1, RTU_9600) + readBusTimeMs(3, 1, RTU_9600) * 2;
    expect(planCostMs(blocks, RTU_9600)).toBeCloseTo(expected, 9);
  });
});

// ---- property test ------------------------------------------------------------------------------

function pick<T>(rng: () => number, options: readonly T[]): T {
  return options[Math.floor(rng() * options.length)] as T;
}

const TIMINGS: BusTiming[] = [RTU_9600, TCP, { baudrate: 19200, turnaroundMs: 5, roundTripMs: 0 },
  { baudrate: 38400, turnaroundMs: 10, roundTripMs: 4 }];

function randomCase(rng: () => number): { items: ReadItem[]; limits: PlanLimits } {
  const holes = new HoleSet();
  const holeCount = Math.floor(rng() * 4);
  for (let h = 0; h < holeCount; h++) {
    const start = Math.floor(rng() * 400);
    holes.add(1 + Math.floor(rng() * 2), pick(rng, [1, 3, 4] as const), start, start + 1 + Math.floor(rng() * 5));
  }
  const items: ReadItem[] = [];
  const n = Math.floor(rng() * 60);
  for (let i = 0; i < n; i++) {
    const count = rng() < 0.05 ? 1 + Math.floor(rng() * 150) : 1 + Math.floor(rng() * 4);
    items.push(item(`k${i}`, Math.floor(rng() * 400), count, 1 + Math.floor(rng() * 2), pick(rng, [1, 2, 3, 4] as const)));
  }
  const maxRegisters = pick(rng, [125, 60, 20, 8]);
  return { items, limits: { maxRegisters, maxBits: pick(rng, [2000, 100]), timing: pick(rng, TIMINGS), holes } };
}

function capOf(fn: ReadFunction, l: PlanLimits): number {
  return isBitFunction(fn) ? l.maxBits : l.maxRegisters;
}

function isLone(it: ReadItem, l: PlanLimits): boolean {
  return it.count > capOf(it.fn, l) || l.holes?.intersects(it.unitId, it.fn, it.address, it.address + it.count) === true;
}

/** Reference plan: walk items by address and extend the current block whenever that is legal and cheaper. */
function greedyPlan(items: readonly ReadItem[], l: PlanLimits): BlockRequest[] {
  const sorted = [...items].sort((a, b) => a.unitId - b.unitId || a.fn - b.fn || a.address - b.address || a.count - b.count);
  const cost = (fn: ReadFunction, n: number): number => readBusTimeMs(fn, n, l.timing);
  const blocks: BlockRequest[] = [];
  let cur: BlockRequest | undefined;
  for (const it of sorted) {
    const single = { unitId: it.unitId, fn: it.fn, address: it.address, count: it.count, items: [it] };
    if (isLone(it, l)) { blocks.push(single); continue; }
    if (cur !== undefined && cur.unitId === it.unitId && cur.fn === it.fn) {
      const end = Math.max(cur.address + cur.count, it.address + it.count);
      const legal = end - cur.address <= capOf(it.fn, l) && l.holes?.intersects(it.unitId, it.fn, cur.address, end) !== true;
      if (legal && cost(it.fn, end - cur.address) <= cost(it.fn, cur.count) + cost(it.fn, it.count)) {
        cur.count = end - cur.address;
        cur.items.push(it);
        continue;
      }
    }
    cur = single;
    blocks.push(cur);
  }
  return blocks;
}

function checkPlan(items: readonly ReadItem[], l: PlanLimits, blocks: readonly BlockRequest[]): void {
  const seen = new Map<string, number>();
  blocks.forEach((b, index) => {
    const prev = blocks[index - 1];
    if (prev !== undefined) expect(prev.unitId * 8 + prev.fn <= b.unitId * 8 + b.fn).toBe(true);
    if (prev !== undefined && prev.unitId === b.unitId && prev.fn === b.fn) expect(prev.address <= b.address).toBe(true);
    expect(b.items.length).toBeGreaterThan(0);
    expect(b.address).toBe(Math.min(...b.items.map((i) => i.address)));
    expect(b.address + b.count).toBe(Math.max(...b.items.map((i) => i.address + i.count)));
    for (const it of b.items) {
      expect([it.unitId, it.fn]).toEqual([b.unitId, b.fn]);
      seen.set(it.key, (seen.get(it.key) ?? 0) + 1);
    }
    const spans = new Set(b.items.map((i) => `${i.address}+${i.count}`));
    if (spans.size > 1) {
      expect(b.count).toBeLessThanOrEqual(capOf(b.fn, l));
      expect(l.holes?.intersects(b.unitId, b.fn, b.address, b.address + b.count)).toBe(false);
    }
  });
  expect(seen.size).toBe(items.length);
  for (const it of items) expect(seen.get(it.key)).toBe(1);
}

describe('planReads: property test (seeded)', () => {
  it('covers every item once, within limits, no dearer than naive or greedy plans', () => {
    const rng = seededRandom(0x5eed);
    for (let round = 0; round < 400; round++) {
      const { items, limits: l } = randomCase(rng);
      const blocks = planReads(items, l);
      checkPlan(items, l, blocks);
      const cost = planCostMs(blocks, l.timing);
      const naive = planCostMs(items.map((it) => ({ ...it, items: [it] })), l.timing);
      expect(cost).toBeLessThanOrEqual(naive + 1e-6);
      expect(cost).toBeLessThanOrEqual(planCostMs(greedyPlan(items, l), l.timing) + 1e-6);
    }
  });
});

/** Cheapest legal cut of the address-sorted items into contiguous blocks, by trying every cut. */
function bruteForceCost(sorted: readonly ReadItem[], l: PlanLimits): number {
  let best = Infinity;
  for (let mask = 0; mask < 1 << Math.max(sorted.length - 1, 0); mask++) {
    let total = 0;
    let first = 0;
    for (let i = 0; i < sorted.length && total < Infinity; i++) {
      if (i < sorted.length - 1 && (mask & (1 << i)) === 0) continue;
      const seg = sorted.slice(first, i + 1);
      const start = seg[0]?.address ?? 0;
      const end = Math.max(...seg.map((s) => s.address + s.count));
      const legal = end - start <= l.maxRegisters && l.holes?.intersects(1, 3, start, end) !== true;
      total += legal ? readBusTimeMs(3, end - start, l.timing) : Infinity;
      first = i + 1;
    }
    best = Math.min(best, total);
  }
  return best;
}

describe('planReads: exact against brute force (seeded)', () => {
  it('matches the cheapest contiguous partition on small groups', () => {
    const rng = seededRandom(42);
    for (let round = 0; round < 300; round++) {
      const { items, limits: l } = randomCase(rng);
      const group = items.slice(0, 10).map((it) => ({ ...it, unitId: 1, fn: 3 as const }))
        .filter((it) => !isLone(it, l))
        .sort((a, b) => a.address - b.address || a.count - b.count);
      expect(planCostMs(planReads(group, l), l.timing)).toBeCloseTo(bruteForceCost(group, l), 6);
    }
  });
});

describe('planReads: a unit\'s own limits (declared by its template or learned)', () => {
  const caps = (byUnit: Record<number, { maxRegisters?: number; maxGap?: number }>): PlanLimits['unitCaps'] =>
    (unitId) => ({ maxRegisters: byUnit[unitId]?.maxRegisters ?? Infinity, maxGap: byUnit[unitId]?.maxGap ?? Infinity });

  it('sdm630_88_registers_split_at_80: a unit cap below the connection\'s splits the block, other units keep 125', () => {
    const pairs = (unitId: number) => Array.from({ length: 44 }, (_, i) => item(`u${unitId}_${i}`, 2 * i, 2, unitId, 4));
    const blocks = planReads([...pairs(1), ...pairs(2)], limits(TCP, { unitCaps: caps({ 2: { maxRegisters: 80 } }) }));
    expect(blocks.filter((b) => b.unitId === 1).map((b) => b.count)).toEqual([88]);
    const unit2 = blocks.filter((b) => b.unitId === 2);
    expect(Math.max(...unit2.map((b) => b.count))).toBeLessThanOrEqual(80);
    expect(unit2.flatMap((b) => b.items).length).toBe(44);
  });

  it('sun2000_gap_16_not_bridged: a gap wider than the unit takes is never read, even where the cost model would', () => {
    const items = [item('a', 0), item('b', 17), item('c', 30)];
    expect(table(planReads(items, limits(RTU_9600)))).toEqual([[1, 3, 0, 31, ['a', 'b', 'c']]]);
    expect(table(planReads(items, limits(RTU_9600, { unitCaps: caps({ 1: { maxGap: 15 } }) }))))
      .toEqual([[1, 3, 0, 1, ['a']], [1, 3, 17, 14, ['b', 'c']]]);
  });

  it('gap_limit_and_overlap: an item spanning the gap lets a block bridge it', () => {
    const items = [item('a', 0), item('wide', 0, 20), item('b', 20)];
    expect(table(planReads(items, limits(RTU_9600, { unitCaps: caps({ 1: { maxGap: 0 } }) }))))
      .toEqual([[1, 3, 0, 21, ['a', 'wide', 'b']]]);
  });

  it('bits are not capped by a register limit', () => {
    const coils = Array.from({ length: 100 }, (_, i) => item(`c${i}`, i, 1, 1, 1));
    expect(planReads(coils, limits(TCP, { unitCaps: caps({ 1: { maxRegisters: 10, maxGap: 0 } }) })).length).toBe(1);
  });
});
