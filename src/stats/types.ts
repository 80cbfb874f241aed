/**
 * What the statistics module offers the optimizer strategies, the dashboard and the store: one
 * read-only view (StatsView) over rates, regimes, co-change clusters and predictions, plus the
 * options with their defaults. The strategies program against this file only.
 */
import type { EntityKind } from './tracking.js';

export type { EntityKind } from './tracking.js';

export interface RateEstimate {
  /** Changes per hour (for a saturated estimate: a lower bound). */
  ratePerHour: number;
  /** 95 % interval, per hour (upper is Infinity when saturated or unknown). */
  lower: number;
  upper: number;
  /** 0 … 1: one minus the relative half-width of the 95 % interval (0 when saturated or no changes seen). */
  confidence: number;
  /** Nearly every poll saw a change: the rate is only known to be at least `ratePerHour`. */
  saturated: boolean;
  /** Effective (decayed) number of polls behind the estimate. */
  samples: number;
  kind: EntityKind;
  /** censored: changed-or-not polls; states: k-state jumps; counter: increments counted from deltas. */
  model: 'censored' | 'states' | 'counter';
}

/** A value that started changing far faster than its learned rate says: since when, and its recent rate once settled. */
export interface RateShift {
  since: number;
  /** Seen in the polls (a change the learned rate cannot explain), not only a context state never polled in. */
  observed: boolean;
  /** The fit of the polls since the shift; undefined while too few exist (treat the rate as unknown). */
  rate: RateEstimate | undefined;
}

export interface RegimeSegment {
  /** e.g. "06:00–18:00" or "sun.sun=above_horizon". */
  label: string;
  /** Time-of-day segments: [fromHour, toHour) on the local clock (may wrap past midnight). */
  fromHour?: number;
  toHour?: number;
  /** Context segments: the context entity's state. */
  state?: string;
  rate: RateEstimate;
}

export interface RegimeSplit {
  kind: 'timeOfDay' | 'context';
  /** 'time_of_day' or the context entity id. */
  key: string;
  segments: RegimeSegment[];
  /** BIC(one rate) − BIC(split): > 0 favours the split. */
  deltaBic: number;
  /** Split beats one rate by the BIC threshold and its rates differ by at least the minimum ratio. */
  significant: boolean;
  /** Posterior probability of the split against one rate (from ΔBIC). */
  confidence: number;
}

export interface RegimeReport {
  entityId: string;
  overall: RateEstimate;
  hourly: Array<{ fromHour: number; toHour: number; ratePerHour: number; samples: number }>;
  timeOfDay: RegimeSplit | undefined;
  contexts: RegimeSplit[];
  /** The significant split with the largest ΔBIC, if any. */
  best: RegimeSplit | undefined;
}

export interface CurrentRegime {
  entityId: string;
  /** 'none' when no split is significant (then `rate` is the overall rate). */
  kind: 'none' | 'timeOfDay' | 'context';
  key: string | undefined;
  label: string;
  rate: RateEstimate;
  /** Confidence that the entity is in a distinct regime now (the split's confidence; 1 for 'none'). */
  confidence: number;
}

export interface ClusterParams {
  /** Minimum co-change score (0 … 1) for an edge and for the average within a cluster. */
  threshold: number;
  minSize: number;
  maxSize: number;
}

export interface Cluster {
  members: string[];
  /** Mean pairwise co-change score. */
  score: number;
  minPairScore: number;
  /** Mean number of (decayed) coinciding changes per member pair. */
  coChanges: number;
}

export interface Prediction {
  entityId: string;
  windowMs: number;
  /** Expected true changes in the window (λ·W with the current regime's rate). */
  expectedChanges: number;
  /** Expected polls that will see a change at the current interval. */
  expectedChangedPolls: number;
  /** Probability of at least one change in the window. */
  pAnyChange: number;
  saturated: boolean;
  regime: string;
}

export interface PredictionAccuracy {
  /** 1 − Σ|observed − predicted| / Σ max(observed, predicted) over scored windows; undefined before the first. */
  accuracy: number | undefined;
  /** Σ observed / Σ predicted (1 = unbiased). */
  calibration: number | undefined;
  windows: number;
  /** Entity-windows scored. */
  scored: number;
}

export interface ChangeTrackingView {
  entityId: string;
  polls: number;
  changedPolls: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
  /** Most recent observed change times (ascending, bounded). */
  recentChanges: number[];
  min: number | undefined;
  max: number | undefined;
  /** Distinct values of a state-like entity (undefined once there are too many). */
  distinctValues: string[] | undefined;
  kind: EntityKind;
  lastIntervalMs: number;
}

/** The interface the optimizer strategies call. */
export interface StatsView {
  entityIds(): string[];
  tracking(entityId: string): ChangeTrackingView | undefined;
  /** Overall (all-regime) rate. */
  rate(entityId: string): RateEstimate | undefined;
  /** Rate in the entity's current regime (the overall rate when no split is significant). */
  currentRate(entityId: string): RateEstimate | undefined;
  recommendedIntervalMs(entityId: string): number | undefined;
  /** An upward regime shift in the last polls (rateShift.ts), or undefined when none is in force. */
  shift(entityId: string): RateShift | undefined;
  regimes(entityId: string): RegimeReport | undefined;
  currentRegime(entityId: string): CurrentRegime | undefined;
  clusters(params?: Partial<ClusterParams>): Cluster[];
  predictions(windowMs?: number): Prediction[];
  predictionAccuracy(): PredictionAccuracy;
}

export interface StatsOptions {
  /** Evidence loses half its weight after this long. */
  halfLifeMs: number;
  /** Time-of-day buckets per day (a divisor of 24). */
  hourBuckets: number;
  /** Context entities whose states split rates (default: everything the ContextSource watches). */
  contextEntities: string[] | undefined;
  /** States tracked per context entity; later ones share the last bucket. */
  maxContextStates: number;
  /** Interval slots per entity for the headline rate. */
  intervalSlots: number;
  /** Change times kept per entity. */
  ringSize: number;
  /** More distinct values than this: not a state-like entity. */
  maxStates: number;
  minPolls: number;
  constantMinPolls: number;
  constantMinSpanMs: number;
  changesPerState: number;
  counterMinRises: number;
  /** Recommended interval: aim for this many changes per poll at the rate's upper bound. */
  targetChangesPerPoll: number;
  minRecommendedMs: number;
  maxRecommendedMs: number;
  /** A regime split must beat one rate by this much BIC … */
  regimeMinDeltaBic: number;
  /** … and its rates must differ by this factor … */
  regimeMinRatio: number;
  /** … with at least this many effective polls in every segment. */
  regimeMinPolls: number;
  /** Co-change partners kept per entity (bounds the candidate pairs). */
  maxPartners: number;
  /** Recent changes scanned per change when looking for new partners … */
  scanLimit: number;
  /** … looking at most at this many new candidates … */
  candidatesPerChange: number;
  /** … and giving one a partner slot once it coincided this often … */
  admitAfter: number;
  /** … counted in a sketch of this many candidates per entity. */
  sketchSlots: number;
  /** Global ring of recent changes (for discovery). */
  recentCapacity: number;
  /** The chance baseline looks this many times as many of the partner's reads back as the window holds (at least this many). */
  baselineShift: number;
  /** Minimum coinciding changes for a cluster edge. */
  minCoChanges: number;
  cluster: ClusterParams;
  predictionWindowMs: number;
  /** Scored prediction windows remembered for the accuracy figure. */
  accuracyWindows: number;
  /** Cached estimates are reused for this long (and until the entity gets a new sample). */
  cacheMs: number;
}

const HOUR = 3_600_000;

export const DEFAULT_STATS_OPTIONS: StatsOptions = {
  halfLifeMs: 3 * 24 * HOUR,
  hourBuckets: 24,
  contextEntities: undefined,
  maxContextStates: 6,
  intervalSlots: 6,
  ringSize: 64,
  maxStates: 8,
  minPolls: 20,
  constantMinPolls: 20,
  constantMinSpanMs: HOUR / 2,
  changesPerState: 10,
  counterMinRises: 20,
  targetChangesPerPoll: 0.5,
  minRecommendedMs: 1000,
  maxRecommendedMs: HOUR,
  regimeMinDeltaBic: 10,
  regimeMinRatio: 1.5,
  regimeMinPolls: 20,
  maxPartners: 16,
  scanLimit: 256,
  candidatesPerChange: 16,
  admitAfter: 3,
  sketchSlots: 16,
  recentCapacity: 4096,
  baselineShift: 3,
  minCoChanges: 5,
  cluster: { threshold: 0.5, minSize: 2, maxSize: 8 },
  predictionWindowMs: HOUR,
  accuracyWindows: 48,
  cacheMs: 300_000,
};
