/**
 * Regimes: does an entity's rate depend on the time of day or on a context entity's state (sun up,
 * heat pump running)? Each candidate split is tested against one rate by BIC on the same pooled
 * evidence. For the time of day the split is the best two-arc partition of the day (day/night,
 * working hours/rest), found in O(H²) with a Poisson approximation on prefix sums and then fitted
 * exactly. Pure functions over an entity's Evidence.
 */
import { quickRatePerMs, type PollGroup, type RateFit } from './censoredRate.js';
import type { Evidence } from './evidence.js';
import { fitModel, type ModelChoice } from './rateModel.js';

export interface ContextLayout {
  entityId: string;
  /** Bucket labels (states in order of first sight). */
  states: readonly string[];
  /** Index of the first bucket. */
  offset: number;
}

export interface RegimeInput {
  evidence: Evidence;
  /** Decay factor as of now. */
  f: number;
  model: ModelChoice;
  hourBuckets: number;
  contexts: readonly ContextLayout[];
  minDeltaBic: number;
  minRatio: number;
  minPolls: number;
}

export interface SegmentFit {
  label: string;
  buckets: number[];
  fromHour?: number;
  toHour?: number;
  state?: string;
  fit: RateFit;
}

export interface SplitFit {
  kind: 'timeOfDay' | 'context';
  key: string;
  segments: SegmentFit[];
  deltaBic: number;
  significant: boolean;
  confidence: number;
}

/** Fits the model to the union of some buckets. */
export function fitBuckets(input: RegimeInput, buckets: readonly number[]): RateFit {
  const groups: PollGroup[] = [];
  const counter = { inc: 0, exposure: 0 };
  for (const b of buckets) {
    groups.push(input.evidence.bucketGroup(b, input.f));
    if (input.model.model !== 'counter') continue;
    const c = input.evidence.bucketCounter(b, input.f);
    counter.inc += c.inc;
    counter.exposure += c.exposure;
  }
  return fitModel(input.model, groups, counter);
}

function polls(g: PollGroup): number {
  return g.w1 + g.w0;
}

interface Totals {
  E: number[];
  X: number[];
  n: number[];
}

/** Events (increments, or the closed-form rate times the exposure), exposure and polls per bucket, for the arc search. */
function bucketTotals(input: RegimeInput, buckets: readonly number[]): Totals {
  const t: Totals = { E: [], X: [], n: [] };
  const counter = input.model.model === 'counter';
  for (const b of buckets) {
    const g = input.evidence.bucketGroup(b, input.f);
    t.n.push(polls(g));
    if (counter) {
      const c = input.evidence.bucketCounter(b, input.f);
      t.E.push(c.inc / input.model.cls.step);
      t.X.push(c.exposure);
    } else {
      t.X.push(g.t1 + g.t0);
      t.E.push(quickRatePerMs(g, input.model.c) * (g.t1 + g.t0));
    }
  }
  return t;
}

const poissonTerm = (E: number, X: number) => (E > 0 && X > 0 ? E * Math.log(E / X) : 0);
/** x ln(x/n) + (n − x) ln((n − x)/n): a binomial log-likelihood at its maximum. */
const binomialTerm = (x: number, n: number) => poissonTerm(x, n) + poissonTerm(n - x, n);

/**
 * Cheap screen before any exact fit. Giving every bucket its own rate gains at least as much as any
 * coarser split (censored polls: the gain of one change probability per bucket, which is the rate
 * test when a bucket's intervals are alike; counters: Poisson on increments), so when even that
 * gain cannot pass the BIC threshold — less half of
 * it, and less the gain that the `noiseDof` extra degrees of freedom of the finer split pick up by
 * chance (mean minus two standard deviations) — there is nothing to search: most entities keep one
 * rate all day.
 */
function worthSearching(input: RegimeInput, buckets: readonly number[], penaltyParams: number, noiseDof: number): boolean {
  const ev = input.evidence;
  const counter = input.model.model === 'counter';
  let gain = 0;
  let events = 0;
  let base = 0;
  let polls = 0;
  for (const b of buckets) { // raw weights: every term scales with the decay factor, applied once below
    const e = counter ? ev.bucketIncrease(b) / input.model.cls.step : ev.bucketChanged(b);
    const x = counter ? ev.bucketExposure(b) : ev.bucketPolls(b);
    gain += counter ? poissonTerm(e, x) : binomialTerm(e, x);
    events += e;
    base += x;
    polls += ev.bucketPolls(b);
  }
  gain = input.f * (gain - (counter ? poissonTerm(events, base) : binomialTerm(events, base)));
  const chance = Math.max(0, noiseDof - 2 * Math.sqrt(2 * noiseDof));
  return 2 * gain > input.minDeltaBic / 2 + penaltyParams * Math.log(Math.max(2, input.f * polls)) + chance;
}

const allBuckets = new Map<number, number[]>();
const everyBucket = (H: number) => {
  let all = allBuckets.get(H);
  if (!all) {
    all = Array.from({ length: H }, (_, i) => i);
    allBuckets.set(H, all);
  }
  return all;
};

/** Circular prefix sums of per-bucket totals, so any arc's totals cost O(1). */
class ArcSums {
  private readonly p: number[][];
  readonly all: [number, number, number];

  constructor(readonly H: number, t: Totals) {
    this.p = [t.E, t.X, t.n].map((v) => {
      const p = [0];
      for (let i = 0; i < 2 * H; i++) p.push((p[i] ?? 0) + (v[i % H] ?? 0));
      return p;
    });
    this.all = this.arc(0, H);
  }

  arc(a: number, len: number): [number, number, number] {
    const at = (k: number, i: number) => this.p[k]?.[i] ?? 0;
    return [at(0, a + len) - at(0, a), at(1, a + len) - at(1, a), at(2, a + len) - at(2, a)];
  }
}

/** Approximate gain of the arc [a, a+len) against the rest; -Infinity when a side is too thin. */
function arcGain(s: ArcSums, a: number, len: number, minPolls: number): number {
  const [Ei, Xi, Ni] = s.arc(a, len);
  const [Et, Xt, Nt] = s.all;
  if (Ni < minPolls || Nt - Ni < minPolls) return -Infinity;
  return poissonTerm(Ei, Xi) + poissonTerm(Et - Ei, Xt - Xi);
}

/**
 * The arc [a, a+len) of hour buckets that best separates rates (approximate gain): boundaries on a
 * grid of every `step` buckets first, then every arc within a step of the best — a quarter of the
 * full search, and exact for boundaries on the grid.
 */
function bestArc(input: RegimeInput, t: Totals): { a: number; len: number } | undefined {
  const H = input.hourBuckets;
  const sums = new ArcSums(H, t);
  const step = H >= 12 ? 2 : 1;
  let best = { a: 0, len: 0, gain: -Infinity };
  const consider = (a: number, len: number) => {
    const gain = len >= 1 && len < H ? arcGain(sums, ((a % H) + H) % H, len, input.minPolls) : -Infinity;
    if (gain > best.gain) best = { a: ((a % H) + H) % H, len, gain };
  };
  for (let a = 0; a < H; a += step) for (let len = step; len <= H / 2; len += step) consider(a, len);
  const coarse = best;
  for (let da = -step + 1; da < step; da++) {
    for (let dl = -step + 1; dl < step; dl++) consider(coarse.a + da, coarse.len + dl - da);
  }
  return Number.isFinite(best.gain) ? best : undefined;
}

const hh = (h: number) => `${String(Math.floor(h)).padStart(2, '0')}:${String(Math.round((h % 1) * 60)).padStart(2, '0')}`;
/** "HH:MM" of every bucket boundary, built once per bucket count. */
const labelTables = new Map<number, string[]>();
function boundaryLabel(H: number, b: number): string {
  let table = labelTables.get(H);
  if (!table) {
    table = Array.from({ length: H }, (_, i) => hh((i * 24) / H));
    labelTables.set(H, table);
  }
  return table[b % H] ?? '';
}

/** The best two-arc split of the day, or undefined when the screen finds nothing worth a test. */
export function timeOfDaySplit(input: RegimeInput): SplitFit | undefined {
  const H = input.hourBuckets;
  const all = everyBucket(H);
  if (!worthSearching(input, all, 3, H - 2)) return undefined;
  const arc = bestArc(input, bucketTotals(input, all));
  if (!arc) return undefined;
  const span = 24 / H;
  const inside = Array.from({ length: arc.len }, (_, i) => (arc.a + i) % H);
  const outside = Array.from({ length: H - arc.len }, (_, i) => (arc.a + arc.len + i) % H);
  const segment = (buckets: number[]): SegmentFit => {
    const from = buckets[0] ?? 0;
    const to = ((buckets[buckets.length - 1] ?? 0) + 1) % H;
    const label = `${boundaryLabel(H, from)}–${boundaryLabel(H, to)}`;
    return { label, buckets, fromHour: from * span, toHour: to * span, fit: fitBuckets(input, buckets) };
  };
  return judge(input, 'timeOfDay', 'time_of_day', [segment(inside), segment(outside)], fitBuckets(input, all), 3);
}

/** Rates by the state of one context entity, or undefined when the screen finds nothing worth a test. */
export function contextSplit(input: RegimeInput, ctx: ContextLayout): SplitFit | undefined {
  const states = ctx.states.map((state, i) => ({ state, b: ctx.offset + i }))
    .filter(({ b }) => input.f * input.evidence.bucketPolls(b) >= input.minPolls);
  if (states.length < 2 || !worthSearching(input, states.map((x) => x.b), states.length - 1, 0)) return undefined;
  const segments: SegmentFit[] = states.map(({ state, b }) => ({
    label: `${ctx.entityId}=${state}`, buckets: [b], state, fit: fitBuckets(input, [b]),
  }));
  const pooled = fitBuckets(input, segments.flatMap((s) => s.buckets));
  return judge(input, 'context', ctx.entityId, segments, pooled, segments.length - 1);
}

/** ΔBIC of the split against one rate, and whether the split is worth acting on. */
function judge(
  input: RegimeInput, kind: SplitFit['kind'], key: string, segments: SegmentFit[], pooled: RateFit, extraParams: number,
): SplitFit {
  const llSplit = segments.reduce((s, seg) => s + seg.fit.logLik, 0);
  const n = Math.max(2, pooled.polls);
  const deltaBic = 2 * (llSplit - pooled.logLik) - extraParams * Math.log(n);
  const rates = segments.map((s) => s.fit.ratePerMs);
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  const ratio = lo > 0 ? hi / lo : hi > 0 ? Infinity : 1;
  const significant = deltaBic > input.minDeltaBic && ratio >= input.minRatio;
  const confidence = 1 / (1 + Math.exp(-Math.min(deltaBic, 700) / 2));
  return { kind, key, segments, deltaBic, significant, confidence };
}

/** Time-of-day and context splits, and the most convincing significant one. */
export function analyseRegimes(input: RegimeInput): { timeOfDay: SplitFit | undefined; contexts: SplitFit[]; best: SplitFit | undefined } {
  const timeOfDay = timeOfDaySplit(input);
  const contexts = input.contexts.map((c) => contextSplit(input, c)).filter((s): s is SplitFit => s !== undefined);
  const best = [timeOfDay, ...contexts]
    .filter((s): s is SplitFit => s !== undefined && s.significant)
    .sort((a, b) => b.deltaBic - a.deltaBic)[0];
  return { timeOfDay, contexts, best };
}
