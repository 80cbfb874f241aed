/**
 * Co-change detection: which entities change together more often than chance? A detected change
 * is only known to lie in its poll window, so two changes coincide when the partner's reads made in
 * that window (allowing a read up to a second late: a later block of the same cycle) see a change.
 * Chance is measured, not modelled: the same test on the same number of the partner's reads a few
 * reads earlier, counted only when those reads span as much time as the ones in the window — the
 * same read opportunities at the same time of day, which cancels fast values and shared day/night
 * rhythms alike. (A baseline window shifted in time instead catches one read more or less than the
 * window whenever cycles start late on a busy bus; a partner read in a later block of the same
 * cycle then showed up as a co-change of two independent fast values.)
 *
 * Bounded for 10,000 entities: each entity keeps at most `maxPartners` candidate pairs; new
 * candidates come from a fixed ring of recent changes (at most `scanLimit` looked at per change),
 * and a weak, well-observed pair gives its place to a new one. Each change is scored one poll later,
 * when the partners' detections from the same cycle have arrived.
 */
import { CandidateSketch, type SketchJSON } from './candidates.js';
import type { PollRing } from './pollRing.js';
import type { StatsOptions } from './types.js';

/** The co-change options (see StatsOptions) plus the replacement rule derived from the cluster threshold. */
export type CoChangeOptions = Pick<StatsOptions,
  'maxPartners' | 'scanLimit' | 'candidatesPerChange' | 'admitAfter' | 'sketchSlots' | 'recentCapacity' | 'baselineShift'> & {
  /** Pairs that could not plausibly score this much (with enough evidence) may be replaced. */
  evictBelow: number;
  /** Evidence (scored changes on both sides) before a pair may be replaced. */
  evictMinEvents: number;
};

/** Per side (a, b): scored changes, coinciding ones, baseline hits. */
export interface Pair {
  a: number;
  b: number;
  n: [number, number];
  c: [number, number];
  base: [number, number];
}

export interface CoChangeJSON {
  recent: Array<[number, number]>;
  pairs: Array<[number, number, number, number, number, number, number, number]>;
  /** Each entity's partner list as indexes into `pairs` (order kept: it decides eviction ties). */
  partners: Array<[number, number[]]>;
  pending: Array<[number, number, number]>;
  sketch: SketchJSON;
  fullUntil: Array<[number, number]>;
}

/** What the tracker needs to know about entities. */
export interface EntityLookup {
  polls(e: number): PollRing | undefined;
  intervalMs(e: number): number;
}

/** Coincidences must beat the baseline by this many standard deviations to count at all. */
export const MIN_EXCESS_Z = 4;

/** The baseline's reads must span the window's reads' time within this share (else the change is not scored). */
const SPAN_TOLERANCE = 0.1;

/**
 * The partner's reads in (from, to] against as many of its reads `shift` × that many (at least
 * `shift`) reads earlier: whether each saw a change, or undefined when the partner was not read in
 * the window, its ring does not reach back far enough, or the two sets of reads span different times
 * (an interval change, a skipped slot) and so had different chances to see a change.
 */
export function matchedReads(ring: PollRing, from: number, to: number, shift: number): { coincide: boolean; baseline: boolean } | undefined {
  const first = ring.countUpTo(from);
  const last = ring.countUpTo(to) - 1;
  const k = last - first + 1;
  const m = shift * Math.max(1, k);
  if (k <= 0 || first - m - 1 < 0) return undefined;
  const span = ring.timeAt(last) - ring.timeAt(first - 1);
  const baseSpan = ring.timeAt(last - m) - ring.timeAt(first - m - 1);
  if (Math.abs(span - baseSpan) > SPAN_TOLERANCE * Math.max(span, baseSpan)) return undefined;
  return { coincide: ring.changedIn(first - 1, last), baseline: ring.changedIn(first - m - 1, last - m) };
}

/**
 * Directional excess coincidence: the share of one side's changes that the other side accompanied
 * beyond chance, 0 unless the excess is significant (c vs baseline, a McNemar-style z).
 */
function excess(p: Pair, side: 0 | 1, f: number): number {
  const n = p.n[side] * f;
  const c = p.c[side] * f;
  const base = p.base[side] * f;
  if ((c - base) / Math.sqrt(c + base + 1) < MIN_EXCESS_Z) return 0;
  return (c - base) / (n - base + 2);
}

/**
 * Co-change score in [0, 1]: the larger directional excess. A compressor whose every switch moves
 * the power scores high with it even though power also moves on its own; a value that merely shares
 * a rhythm (day and night) has no excess over the baseline in either direction.
 */
export function pairScore(p: Pair, f = 1): number {
  return Math.max(0, excess(p, 0, f), excess(p, 1, f));
}

/**
 * The most the pair could plausibly score (excess plus two standard deviations, no significance
 * gate): a young pair that might still prove itself is not replaced, a well-observed chance pair is.
 */
function optimisticScore(p: Pair, f: number): number {
  return Math.max(0, optimisticSide(p, 0, f), optimisticSide(p, 1, f));
}

function optimisticSide(p: Pair, side: 0 | 1, f: number): number {
  const n = p.n[side] * f;
  const c = p.c[side] * f;
  const base = p.base[side] * f;
  return (c - base + 2 * Math.sqrt(c + base + 1)) / (n - base + 2);
}

export class CoChange {
  private readonly recentEntity: Int32Array;
  private readonly recentTime: Float64Array;
  private recentHead = 0;
  private recentCount = 0;
  private readonly partners = new Map<number, Pair[]>();
  private readonly allPairs = new Set<Pair>();
  /** A change waiting to be scored at the entity's next poll: [time, window]. */
  private readonly pending = new Map<number, [number, number]>();
  private readonly scratch: number[] = [];
  /** Entities whose full partner list had nothing replaceable, until when not to look again. */
  private readonly fullUntil = new Map<number, number>();
  private sketch: CandidateSketch;

  constructor(private readonly o: CoChangeOptions, private readonly lookup: EntityLookup) {
    this.recentEntity = new Int32Array(o.recentCapacity);
    this.recentTime = new Float64Array(o.recentCapacity);
    this.sketch = new CandidateSketch(o.sketchSlots);
  }

  /** Called for every sample of entity e (after its tracker recorded it). */
  onSample(e: number, t: number, changed: boolean, windowMs: number, w: number, f: number): void {
    const due = this.pending.get(e);
    if (due) {
      this.pending.delete(e);
      this.score(e, due[0], due[1], w);
    }
    if (!changed || !(windowMs > 0)) return;
    this.discover(e, t, windowMs, f);
    this.recentEntity[this.recentHead] = e;
    this.recentTime[this.recentHead] = t;
    this.recentHead = (this.recentHead + 1) % this.o.recentCapacity;
    this.recentCount = Math.min(this.recentCount + 1, this.o.recentCapacity);
    this.pending.set(e, [t, windowMs]);
  }

  /** Every candidate pair, in order of admission. */
  pairs(): Pair[] {
    return [...this.allPairs];
  }

  partnerCount(e: number): number {
    return this.partners.get(e)?.length ?? 0;
  }

  rescale(f: number): void {
    for (const p of this.pairs()) {
      for (const s of [0, 1] as const) {
        p.n[s] *= f;
        p.c[s] *= f;
        p.base[s] *= f;
      }
    }
  }

  /** Scores one change of e at t (window w) against every partner: coincidence and baseline. */
  private score(e: number, t: number, windowMs: number, w: number): void {
    const slack = Math.min(windowMs / 2, 1000);
    for (const p of this.partners.get(e) ?? []) {
      const ring = this.lookup.polls(p.a === e ? p.b : p.a);
      const reads = ring && matchedReads(ring, t - windowMs + slack, t + slack, this.o.baselineShift);
      if (!reads) continue;
      const side = p.a === e ? 0 : 1;
      p.n[side] += w;
      if (reads.coincide) p.c[side] += w;
      if (reads.baseline) p.base[side] += w;
    }
  }

  /**
   * New candidate partners: other entities whose recent detections fall in e's window, nearest
   * first; one that has coincided with e `admitAfter` times is given a partner slot if there is room.
   */
  private discover(e: number, t: number, windowMs: number, f: number): void {
    const candidates = this.scratch;
    candidates.length = 0;
    const steps = Math.min(this.o.scanLimit, this.recentCount);
    for (let i = 1; i <= steps && candidates.length < this.o.candidatesPerChange; i++) {
      const idx = (this.recentHead - i + this.o.recentCapacity) % this.o.recentCapacity;
      if ((this.recentTime[idx] ?? 0) <= t - windowMs) break;
      const other = this.recentEntity[idx] ?? -1;
      if (other !== e && !candidates.includes(other) && !this.isPartner(e, other)) candidates.push(other);
    }
    for (const other of candidates) {
      if (this.sketch.note(e, other) >= this.o.admitAfter && this.admit(e, other, f, t)) this.sketch.remove(e, other);
    }
  }

  private isPartner(e: number, other: number): boolean {
    return (this.partners.get(e) ?? []).some((p) => p.a === other || p.b === other);
  }

  private admit(x: number, y: number, f: number, t: number): boolean {
    const roomX = this.room(x, f, t);
    const roomY = roomX === undefined ? undefined : this.room(y, f, t);
    if (roomX === undefined || roomY === undefined) return false;
    if (roomX !== 'free') this.drop(roomX);
    if (roomY !== 'free' && roomY !== roomX) this.drop(roomY);
    const [a, b] = x < y ? [x, y] : [y, x];
    const pair: Pair = { a, b, n: [0, 0], c: [0, 0], base: [0, 0] };
    for (const e of [x, y]) {
      const list = this.partners.get(e) ?? [];
      list.push(pair);
      this.partners.set(e, list);
    }
    this.allPairs.add(pair);
    return true;
  }

  /**
   * 'free', the weakest replaceable pair, or undefined when e's partners are all worth keeping. A
   * full list found with nothing to replace is not searched again before e's next poll.
   */
  private room(e: number, f: number, t: number): 'free' | Pair | undefined {
    const list = this.partners.get(e) ?? [];
    if (list.length < this.o.maxPartners) return 'free';
    if ((this.fullUntil.get(e) ?? -Infinity) > t) return undefined;
    const weakest = this.weakest(list, f);
    if (!weakest) this.fullUntil.set(e, t + this.lookup.intervalMs(e));
    return weakest;
  }

  private weakest(list: readonly Pair[], f: number): Pair | undefined {
    let weakest: Pair | undefined;
    let weakestScore = Infinity;
    for (const p of list) {
      if ((p.n[0] + p.n[1]) * f < this.o.evictMinEvents) continue;
      const s = optimisticScore(p, f);
      if (s < this.o.evictBelow && s < weakestScore) [weakest, weakestScore] = [p, s];
    }
    return weakest;
  }

  private drop(p: Pair): void {
    this.allPairs.delete(p);
    for (const e of [p.a, p.b]) {
      const list = (this.partners.get(e) ?? []).filter((q) => q !== p);
      if (list.length > 0) this.partners.set(e, list);
      else this.partners.delete(e);
    }
  }

  toJSON(): CoChangeJSON {
    const recent: Array<[number, number]> = [];
    for (let i = this.recentCount; i >= 1; i--) {
      const idx = (this.recentHead - i + this.o.recentCapacity) % this.o.recentCapacity;
      recent.push([this.recentEntity[idx] ?? 0, this.recentTime[idx] ?? 0]);
    }
    const pairs = this.pairs();
    const index = new Map(pairs.map((p, i) => [p, i]));
    return {
      recent,
      pairs: pairs.map((p) => [p.a, p.b, p.n[0], p.n[1], p.c[0], p.c[1], p.base[0], p.base[1]]),
      partners: [...this.partners].map(([e, list]) => [e, list.map((p) => index.get(p) ?? -1)]),
      pending: [...this.pending].map(([e, [t, w]]) => [e, t, w]),
      sketch: this.sketch.toJSON(),
      fullUntil: [...this.fullUntil],
    };
  }

  static fromJSON(json: CoChangeJSON, o: CoChangeOptions, lookup: EntityLookup): CoChange {
    const cc = new CoChange(o, lookup);
    for (const [e, t] of json.recent.slice(-o.recentCapacity)) {
      cc.recentEntity[cc.recentHead] = e;
      cc.recentTime[cc.recentHead] = t;
      cc.recentHead = (cc.recentHead + 1) % o.recentCapacity;
      cc.recentCount = Math.min(cc.recentCount + 1, o.recentCapacity);
    }
    const pairs = json.pairs.map(([a, b, n0, n1, c0, c1, b0, b1]): Pair => ({ a, b, n: [n0, n1], c: [c0, c1], base: [b0, b1] }));
    for (const p of pairs) cc.allPairs.add(p);
    for (const [e, list] of json.partners) {
      cc.partners.set(e, list.map((i) => pairs[i]).filter((p): p is Pair => p !== undefined));
    }
    for (const [e, t, w] of json.pending) cc.pending.set(e, [t, w]);
    cc.sketch = CandidateSketch.fromJSON(json.sketch, o.sketchSlots);
    for (const [e, t] of json.fullUntil) cc.fullUntil.set(e, t);
    return cc;
  }
}
