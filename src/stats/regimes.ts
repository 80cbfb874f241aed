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
    const c = input.evidence.bucketCounter(b, input.f);
    counter.inc += c.inc;
    counter.exposure += c.exposure;
  }
  return fitModel(input.model, groups, counter);
}

function polls(g: PollGroup): number {
  return g.w1 + g.w0;
}

/** Changes ("events") and exposure per hour bucket, for the quick search. */
function hourTotals(input: RegimeInput): { E: number[]; X: number[]; n: number[] } {
  const E: number[] = [];
  const X: number[] = [];
  const n: number[] = [];
  for (let h = 0; h < input.hourBuckets; h++) {
    const g = input.evidence.bucketGroup(h, input.f);
    n.push(polls(g));
    if (input.model.model === 'counter') {
      const c = input.evidence.bucketCounter(h, input.f);
      E.push(c.inc / input.model.cls.step);
      X.push(c.exposure);
    } else {
      X.push(g.t1 + g.t0);
      E.push(quickRatePerMs(g, input.model.c) * (g.t1 + g.t0));
    }
  }
  return { E, X, n };
}

const poissonTerm = (E: number, X: number) => (E > 0 && X > 0 ? E * Math.log(E / X) : 0);

/** The arc [a, a+len) of hour buckets that best separates rates (approximate gain), or undefined. */
function bestArc(input: RegimeInput): { a: number; len: number } | undefined {
  const H = input.hourBuckets;
  const { E, X, n } = hourTotals(input);
  const pre = (v: number[]) => {
    const p = [0];
    for (let i = 0; i < 2 * H; i++) p.push((p[i] ?? 0) + (v[i % H] ?? 0));
    return p;
  };
  const [pE, pX, pN] = [pre(E), pre(X), pre(n)];
  const sum = (p: number[], a: number, len: number) => (p[a + len] ?? 0) - (p[a] ?? 0);
  const [Et, Xt, Nt] = [sum(pE, 0, H), sum(pX, 0, H), sum(pN, 0, H)];
  let best: { a: number; len: number; gain: number } | undefined;
  for (let a = 0; a < H; a++) {
    for (let len = 1; len <= H / 2; len++) { // longer arcs are the complements of shorter ones
      const [Ei, Xi, Ni] = [sum(pE, a, len), sum(pX, a, len), sum(pN, a, len)];
      if (Ni < input.minPolls || Nt - Ni < input.minPolls) continue;
      const gain = poissonTerm(Ei, Xi) + poissonTerm(Et - Ei, Xt - Xi) - poissonTerm(Et, Xt);
      if (!best || gain > best.gain) best = { a, len, gain };
    }
  }
  return best;
}

const hh = (h: number) => `${String(Math.floor(h)).padStart(2, '0')}:${String(Math.round((h % 1) * 60)).padStart(2, '0')}`;

export function timeOfDaySplit(input: RegimeInput): SplitFit | undefined {
  const H = input.hourBuckets;
  const arc = bestArc(input);
  if (!arc) return undefined;
  const span = 24 / H;
  const inside = Array.from({ length: arc.len }, (_, i) => (arc.a + i) % H);
  const outside = Array.from({ length: H - arc.len }, (_, i) => (arc.a + arc.len + i) % H);
  const segment = (buckets: number[]): SegmentFit => {
    const fromHour = (buckets[0] ?? 0) * span;
    const toHour = (((buckets[buckets.length - 1] ?? 0) + 1) % H) * span;
    return { label: `${hh(fromHour)}–${hh(toHour)}`, buckets, fromHour, toHour, fit: fitBuckets(input, buckets) };
  };
  const all = Array.from({ length: H }, (_, i) => i);
  return judge(input, 'timeOfDay', 'time_of_day', [segment(inside), segment(outside)], fitBuckets(input, all), 3);
}

export function contextSplit(input: RegimeInput, ctx: ContextLayout): SplitFit | undefined {
  const segments: SegmentFit[] = [];
  ctx.states.forEach((state, i) => {
    const b = ctx.offset + i;
    if (polls(input.evidence.bucketGroup(b, input.f)) < input.minPolls) return;
    segments.push({ label: `${ctx.entityId}=${state}`, buckets: [b], state, fit: fitBuckets(input, [b]) });
  });
  if (segments.length < 2) return undefined;
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
