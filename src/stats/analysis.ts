/**
 * One entity's learned state (tracker + evidence) and what is derived from it on demand: the model
 * choice, the headline rate fit, the regime splits and the segment the entity is in now. Derived
 * results are cached until the entity gets a new sample or the cache ages; the service and the
 * benchmark's "full recomputation" both go through `analyse`.
 */
import type { RateFit } from './censoredRate.js';
import type { ContextStates } from './contexts.js';
import type { Evidence } from './evidence.js';
import type { ShiftWatch } from './rateShift.js';
import { chooseModel, fitModel, type ModelChoice } from './rateModel.js';
import { analyseRegimes, type RegimeInput, type SegmentFit, type SplitFit } from './regimes.js';
import type { ChangeTracker, KindRules } from './tracking.js';
import type { StatsOptions } from './types.js';

export interface EntityRecord {
  id: string;
  index: number;
  tracker: ChangeTracker;
  evidence: Evidence;
  /** Regime shifts in the last polls (not persisted: a restart relearns them from new polls). */
  shift: ShiftWatch;
  /** Bumped on every sample (invalidates the cache). */
  version: number;
  cache: Analysis | undefined;
}

export interface Analysis {
  version: number;
  at: number;
  model: ModelChoice;
  overall: RateFit;
  timeOfDay: SplitFit | undefined;
  contexts: SplitFit[];
  best: SplitFit | undefined;
}

export interface AnalysisEnv {
  now: number;
  /** Decay factor as of now. */
  f: number;
  options: StatsOptions;
  contexts: ContextStates;
}

export function kindRules(o: StatsOptions): KindRules {
  return {
    minPolls: o.minPolls, constantMinPolls: o.constantMinPolls, constantMinSpanMs: o.constantMinSpanMs,
    changesPerState: o.changesPerState, counterMinRises: o.counterMinRises,
  };
}

/** The inputs of the regime tests for one entity. */
export function regimeInput(rec: EntityRecord, model: ModelChoice, env: AnalysisEnv): RegimeInput {
  const o = env.options;
  return {
    evidence: rec.evidence, f: env.f, model, hourBuckets: o.hourBuckets, contexts: env.contexts.layouts(),
    minDeltaBic: o.regimeMinDeltaBic, minRatio: o.regimeMinRatio, minPolls: o.regimeMinPolls,
  };
}

/** Share of new samples a cached analysis may miss while it is younger than `cacheMs`. */
const CACHE_NEW_SAMPLES = 0.05;

/**
 * The entity's analysis, from the cache while it is current: no new sample since, or younger than
 * `cacheMs` with at most 5 % more samples (so a view queried every few seconds does not refit every
 * entity on every poll); `force` recomputes regardless.
 */
export function analyse(rec: EntityRecord, env: AnalysisEnv, force = false): Analysis {
  if (!force && isFresh(rec, env)) return rec.cache as Analysis;
  rec.cache = compute(rec, env);
  return rec.cache;
}

/**
 * The same analysis without storing it: for the shift test inside a sample's ingest, so what is
 * cached (and so every later figure) depends only on the queries made, never on the samples' path.
 */
export function peekAnalysis(rec: EntityRecord, env: AnalysisEnv): Analysis {
  return isFresh(rec, env) ? (rec.cache as Analysis) : compute(rec, env);
}

function isFresh(rec: EntityRecord, env: AnalysisEnv): boolean {
  const c = rec.cache;
  return c !== undefined && env.now >= c.at && (c.version === rec.version
    || (env.now - c.at < env.options.cacheMs && rec.version - c.version <= CACHE_NEW_SAMPLES * rec.version));
}

function compute(rec: EntityRecord, env: AnalysisEnv): Analysis {
  const model = chooseModel(rec.tracker.classify(kindRules(env.options)));
  const overall = fitModel(model, rec.evidence.groups(env.f), rec.evidence.counter(env.f));
  const regimes = analyseRegimes(regimeInput(rec, model, env));
  return { version: rec.version, at: env.now, model, overall, ...regimes };
}

/** The segment of the best split the entity is in now (undefined when no split is significant). */
export function currentSegment(a: Analysis, hourBucket: number, contexts: ContextStates): SegmentFit | undefined {
  const best = a.best;
  if (!best) return undefined;
  if (best.kind === 'timeOfDay') return best.segments.find((s) => s.buckets.includes(hourBucket));
  const bucket = contexts.bucketFor(best.key, contexts.current(best.key));
  return bucket === undefined ? undefined : best.segments.find((s) => s.buckets.includes(bucket));
}
