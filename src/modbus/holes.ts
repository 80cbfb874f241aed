/**
 * Learned illegal-address holes. Many devices answer "illegal data address" (exception 2) when a block
 * read spans registers they do not implement, even though every register the user asked for exists.
 * Once the poller has learned such a range it records it here, and the planner never bridges a gap
 * across it again; a hole learned across a gap can be wider than the registers that are really
 * missing, so registers that later answer a read are taken out of it. Ranges are kept per (unit, function code), merged and sorted, so the planner's
 * questions are a binary search; the set round-trips through plain JSON for the store.
 */
import type { ReadFunction } from './types.js';

/** One hole: addresses [start, end) of one unit and function code. */
export interface HoleRange {
  unitId: number;
  fn: ReadFunction;
  start: number;
  /** Exclusive. */
  end: number;
}

interface Ranges {
  starts: number[];
  ends: number[];
}

function groupKey(unitId: number, fn: ReadFunction): number {
  return unitId * 8 + fn;
}

/** Index of the first range whose end is greater than `address` (ranges.length if none). */
function firstEndingAfter(r: Ranges, address: number): number {
  let lo = 0;
  let hi = r.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((r.ends[mid] ?? 0) > address) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function isValidRange(h: unknown): h is HoleRange {
  if (typeof h !== 'object' || h === null) return false;
  const r = h as Record<string, unknown>;
  return Number.isInteger(r.unitId) && (r.unitId as number) >= 0 && [1, 2, 3, 4].includes(r.fn as number)
    && Number.isInteger(r.start) && Number.isInteger(r.end) && (r.end as number) > (r.start as number);
}

export class HoleSet {
  private readonly groups = new Map<number, Ranges>();
  private count = 0;

  /** Number of disjoint (merged) ranges held. */
  get size(): number {
    return this.count;
  }

  /** Records [start, endExclusive) as illegal; overlapping or adjacent ranges are merged. */
  add(unitId: number, fn: ReadFunction, start: number, endExclusive: number): void {
    if (!(endExclusive > start)) return;
    const key = groupKey(unitId, fn);
    let r = this.groups.get(key);
    if (r === undefined) {
      r = { starts: [], ends: [] };
      this.groups.set(key, r);
    }
    // Ranges touching [start, end]: from the first ending at or after start to the last starting at or before end.
    const first = firstEndingAfter(r, start - 1);
    let last = first;
    while (last < r.starts.length && (r.starts[last] ?? 0) <= endExclusive) last++;
    const removed = last - first;
    const mergedStart = removed > 0 ? Math.min(start, r.starts[first] ?? start) : start;
    const mergedEnd = removed > 0 ? Math.max(endExclusive, r.ends[last - 1] ?? endExclusive) : endExclusive;
    r.starts.splice(first, removed, mergedStart);
    r.ends.splice(first, removed, mergedEnd);
    this.count += 1 - removed;
  }

  /** Forgets [start, endExclusive) (those registers answered a read); returns whether a hole shrank. */
  remove(unitId: number, fn: ReadFunction, start: number, endExclusive: number): boolean {
    const key = groupKey(unitId, fn);
    const r = this.groups.get(key);
    if (r === undefined || !this.intersects(unitId, fn, start, endExclusive)) return false;
    const kept: Ranges = { starts: [], ends: [] };
    const keep = (s: number, e: number) => { kept.starts.push(s); kept.ends.push(e); };
    r.starts.forEach((s, i) => {
      const e = r.ends[i] ?? s;
      if (e <= start || s >= endExclusive) return keep(s, e);
      if (s < start) keep(s, start);
      if (e > endExclusive) keep(endExclusive, e);
    });
    this.count += kept.starts.length - r.starts.length;
    if (kept.starts.length === 0) this.groups.delete(key);
    else this.groups.set(key, kept);
    return true;
  }

  /** True when any address in [start, endExclusive) is a known hole. */
  intersects(unitId: number, fn: ReadFunction, start: number, endExclusive: number): boolean {
    return endExclusive > start && this.firstHoleAtOrAfter(unitId, fn, start) < endExclusive;
  }

  /**
   * The lowest hole address that is >= `address` (`address` itself when it lies in a hole), or
   * Infinity. A range [a, e) is hole-free exactly when `firstHoleAtOrAfter(a) >= e`, which lets the
   * planner answer every range starting at `a` with one binary search.
   */
  firstHoleAtOrAfter(unitId: number, fn: ReadFunction, address: number): number {
    const r = this.groups.get(groupKey(unitId, fn));
    if (r === undefined) return Infinity;
    const i = firstEndingAfter(r, address);
    const holeStart = r.starts[i];
    return holeStart === undefined ? Infinity : Math.max(holeStart, address);
  }

  /** All ranges, ordered by unitId, fn, start: plain data for persistence. */
  list(): HoleRange[] {
    const out: HoleRange[] = [];
    const keys = [...this.groups.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      const r = this.groups.get(key);
      if (r === undefined) continue;
      const unitId = Math.floor(key / 8);
      const fn = (key % 8) as ReadFunction;
      r.starts.forEach((start, i) => out.push({ unitId, fn, start, end: r.ends[i] ?? start }));
    }
    return out;
  }

  /** Rebuilds a set from `list()` output; throws a TypeError naming the first malformed entry. */
  static fromList(list: readonly unknown[]): HoleSet {
    const set = new HoleSet();
    list.forEach((h, i) => {
      if (!isValidRange(h)) throw new TypeError(`hole #${i} is not {unitId, fn 1-4, start, end > start}: ${JSON.stringify(h)}`);
      set.add(h.unitId, h.fn, h.start, h.end);
    });
    return set;
  }
}
