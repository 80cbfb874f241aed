/**
 * Entity statistics as one long-running part: subscribes to the app's `sample` and `contextChanged`
 * events, keeps every entity's learned state up to date in O(1) per sample, closes prediction
 * windows on the clock, and answers the StatsView the optimizer strategies call. Everything learned
 * round-trips through plain JSON (`toJSON` / `restore`), which the store persists.
 */
import type { Clock } from '../core/clock.js';
import type { ContextChange, ContextSource } from '../core/context.js';
import { describeError } from '../core/errors.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import { createClockScheduler, type ScheduledJob, type Scheduler } from '../core/scheduler.js';
import type { Sample } from '../modbus/pollerTypes.js';
import { analyse, peekAnalysis, regimeInput, type Analysis, type AnalysisEnv, type EntityRecord } from './analysis.js';
import { CoChange, pairScore, type CoChangeOptions, type EntityLookup } from './coChange.js';
import { buildClusters } from './clusters.js';
import { ContextStates } from './contexts.js';
import { Decay } from './decay.js';
import { Evidence } from './evidence.js';
import { PredictionTracker, type FrozenModel } from './predictions.js';
import { recommendInterval, toEstimate } from './rateModel.js';
import { SETTLE_POLLS, ShiftWatch, type LongRun } from './rateShift.js';
import { currentFit, currentRegimeReport, predictionOf, regimeReport } from './reports.js';
import { restoreState, serialiseState, serialiseStateLazily, type StatsJSON } from './statsJson.js';
import { ChangeTracker } from './tracking.js';
import {
  DEFAULT_STATS_OPTIONS, type ChangeTrackingView, type Cluster, type ClusterParams, type CurrentRegime, type Prediction,
  type PredictionAccuracy, type RateEstimate, type RateShift, type RegimeReport, type StatsOptions, type StatsView,
} from './types.js';

/** The events stats listens to (the app's bus carries them; `contextChanged` once HA feeds it). */
export interface StatsEvents {
  sample: Sample;
  contextChanged: ContextChange;
}

export interface EntityStatsDeps {
  clock: Clock;
  logger: Logger;
  events: Pick<EventBus<StatsEvents>, 'on' | 'removeOwner'>;
  /** Watched context entities and their states at start. */
  context?: ContextSource;
  options?: Partial<StatsOptions>;
  /** Local hour of day (0 ≤ h < 24) of a time; default UTC. */
  hourOfDay?: (t: number) => number;
  /** Runs the prediction windows; default: timers on `clock`. */
  scheduler?: Scheduler;
}

const OWNER = 'stats';
/** What currentRate says while a shift settles: nothing known yet. */
const UNKNOWN_RATE: Omit<RateEstimate, 'model'> = {
  ratePerHour: 0, lower: 0, upper: Infinity, confidence: 0, saturated: false, samples: 0, kind: 'unknown',
};
const DAY = 86_400_000;
const utcHour = (t: number) => (((t % DAY) + DAY) % DAY) / 3_600_000;

export function createEntityStats(deps: EntityStatsDeps): EntityStatsService {
  return new EntityStatsService(deps);
}

export class EntityStatsService implements StatsView {
  readonly options: StatsOptions;
  private readonly contextIds: string[];
  private readonly coOptions: CoChangeOptions;
  private readonly lookup: EntityLookup;
  private readonly scheduler: Scheduler;
  private contexts: ContextStates;
  private decay: Decay;
  private records = new Map<string, EntityRecord>();
  private byIndex: EntityRecord[] = [];
  private coChange: CoChange;
  private predictionTracker: PredictionTracker;
  private job: ScheduledJob | undefined;
  private readonly buckets: number[] = [];

  constructor(private readonly deps: EntityStatsDeps) {
    const o = { ...DEFAULT_STATS_OPTIONS, ...deps.options };
    this.options = o;
    this.contextIds = o.contextEntities ?? deps.context?.watched() ?? [];
    this.contexts = new ContextStates(this.contextIds, o.maxContextStates, o.hourBuckets);
    this.decay = new Decay(o.halfLifeMs, deps.clock.now());
    this.lookup = {
      polls: (e) => this.byIndex[e]?.tracker.pollTimes,
      intervalMs: (e) => this.byIndex[e]?.tracker.lastIntervalMs ?? 0,
    };
    this.coOptions = { ...o, evictBelow: o.cluster.threshold / 2, evictMinEvents: 4 * o.minCoChanges };
    this.coChange = new CoChange(this.coOptions, this.lookup);
    this.predictionTracker = new PredictionTracker(o.accuracyWindows);
    this.scheduler = deps.scheduler
      ?? createClockScheduler(deps.clock, (name, err) => deps.logger.error(`${name} failed: ${describeError(err)}`));
  }

  start(): void {
    if (this.deps.context) this.contexts.load(this.deps.context);
    this.deps.events.on(OWNER, 'sample', (s) => this.ingest(s));
    this.deps.events.on(OWNER, 'contextChanged', (c) => this.contextChanged(c));
    this.job = this.scheduler.every('stats prediction window', this.options.predictionWindowMs, () => this.closePredictionWindow());
  }

  stop(): void {
    this.deps.events.removeOwner(OWNER);
    this.job?.cancel();
    this.job = undefined;
  }

  /** Learns from one sample: O(1) (a few slots, one bucket per regime dimension, bounded partners). */
  ingest(s: Sample): void {
    const rec = this.records.get(s.entityId) ?? this.addRecord(s.entityId);
    const delta = rec.tracker.record(s);
    rec.version++;
    const T = s.sincePreviousMs;
    if (T === undefined || !(T > 0)) return;
    this.maybeRebase(s.at);
    this.buckets.length = 0;
    this.buckets.push(this.hourBucket(s.at));
    this.contexts.currentBuckets(this.buckets);
    const w = this.decay.weight(s.at);
    rec.evidence.observe({ T, changed: s.changed, w, delta }, this.buckets);
    rec.shift.observe(s.at, T, s.changed, () => this.longRun(rec));
    this.coChange.onSample(rec.index, s.at, s.changed, T, w, this.decay.scaleAt(s.at));
    this.predictionTracker.onSample(rec.index, T, s.changed, delta);
  }

  /**
   * Applies a context change. A state an entity has (almost) never been polled in — the first sunrise
   * after install, a heat pump's first start — makes its learned rate a guess from other states: its
   * rate counts as unknown until polls in the new state exist (ShiftWatch.unseen), so the optimizer puts
   * what it slowed back to the configured interval instead of waiting for a change at the slow one.
   * "Hardly ever" is fewer polls there than a shift needs to settle (SETTLE_POLLS): with a few polls in
   * the state the entity's own evidence speaks, so a constant is not reset at every heat-pump start.
   */
  contextChanged(change: ContextChange): void {
    this.contexts.apply(change);
    const bucket = this.contexts.bucketFor(change.entityId, change.state);
    if (bucket === undefined || change.previous === undefined || change.previous === change.state) return;
    const f = this.decay.scaleAt(change.at);
    for (const rec of this.byIndex) {
      if (rec.tracker.polls >= this.options.minPolls && rec.evidence.bucketPolls(bucket) * f < SETTLE_POLLS) rec.shift.unseen(change.at);
    }
  }

  /** Full recomputation: every entity's rate and regime analysis, and the clusters; returns the entity count. */
  recompute(): number {
    const env = this.env();
    for (const rec of this.byIndex) analyse(rec, env, true);
    this.clusters();
    return this.byIndex.length;
  }

  /** Scores the running prediction window and freezes the models for the next (the scheduler calls this). */
  closePredictionWindow(): void {
    const env = this.env();
    const hb = this.hourBucket(env.now);
    this.predictionTracker.closeWindow(this.byIndex.map((r) => r.index), (i) => this.frozenModel(i, env, hb));
  }

  entityIds(): string[] {
    return this.byIndex.map((r) => r.id);
  }

  tracking(id: string): ChangeTrackingView | undefined {
    const x = this.analysed(id);
    if (!x) return undefined;
    const t = x[0].tracker;
    return {
      entityId: id, polls: t.polls, changedPolls: t.changes, firstAt: t.firstAt, lastAt: t.lastAt,
      recentChanges: t.changeTimes.toArray(), min: t.min, max: t.max, distinctValues: t.distinctValues(),
      kind: x[1].model.cls.kind, lastIntervalMs: t.lastIntervalMs,
    };
  }

  rate(id: string): RateEstimate | undefined {
    const x = this.analysed(id);
    return x && toEstimate(x[1].overall, x[1].model);
  }

  /** The rate in force: a shift's recent rate (unknown while it settles), else the current regime's. */
  currentRate(id: string): RateEstimate | undefined {
    const x = this.analysed(id);
    if (!x) return undefined;
    if (x[0].shift.since !== undefined) return this.shift(id)?.rate ?? { ...UNKNOWN_RATE, model: x[1].model.model };
    return toEstimate(currentFit(x[1], this.hourBucket(this.deps.clock.now()), this.contexts).fit, x[1].model);
  }

  shift(id: string): RateShift | undefined {
    const x = this.analysed(id);
    if (!x || x[0].shift.since === undefined) return undefined;
    const fit = x[0].shift.recentFit(x[1].model.c);
    return { since: x[0].shift.since, observed: x[0].shift.observed, rate: fit && toEstimate(fit, x[1].model) };
  }

  /** What a shift is tested against: the rate the entity's current regime has (none while it is unclassified). */
  private longRun(rec: EntityRecord): LongRun | undefined {
    const a = peekAnalysis(rec, this.env());
    if (a.model.cls.kind === 'unknown') return undefined;
    return { ratePerMs: currentFit(a, this.hourBucket(this.deps.clock.now()), this.contexts).fit.ratePerMs, c: a.model.c };
  }

  recommendedIntervalMs(id: string): number | undefined {
    const est = this.currentRate(id);
    const rec = this.records.get(id);
    return est && rec && recommendInterval(est, rec.tracker.lastIntervalMs, this.options);
  }

  regimes(id: string): RegimeReport | undefined {
    const x = this.analysed(id);
    return x && regimeReport(x[0], x[1], regimeInput(x[0], x[1].model, this.env()));
  }

  currentRegime(id: string): CurrentRegime | undefined {
    const x = this.analysed(id);
    return x && currentRegimeReport(x[0], x[1], this.hourBucket(this.deps.clock.now()), this.contexts);
  }

  clusters(params?: Partial<ClusterParams>): Cluster[] {
    const p = { ...this.options.cluster, ...params };
    const f = this.decay.scaleAt(this.deps.clock.now());
    const edges = [];
    for (const pair of this.coChange.pairs()) {
      const coChanges = Math.min(pair.c[0], pair.c[1]) * f;
      if (coChanges >= this.options.minCoChanges) edges.push({ a: pair.a, b: pair.b, score: pairScore(pair, f), coChanges });
    }
    return buildClusters(edges, p, this.options.minCoChanges)
      .map((c) => ({ ...c, members: c.members.map((i) => this.byIndex[i]?.id ?? String(i)) }));
  }

  predictions(windowMs = this.options.predictionWindowMs): Prediction[] {
    const env = this.env();
    const hb = this.hourBucket(env.now);
    return this.byIndex.map((rec) => predictionOf(rec, analyse(rec, env), hb, this.contexts, windowMs, this.options));
  }

  predictionAccuracy(): PredictionAccuracy {
    return this.predictionTracker.accuracy();
  }

  /** Candidate co-change pairs currently held (bounded by maxPartners per entity). */
  pairCount(): number {
    return this.coChange.pairs().length;
  }

  toJSON(): StatsJSON {
    return serialiseState(this.live());
  }

  /** The same JSON with each entity row made as the store's writer reaches it (statsJson.ts). */
  toLazyJSON(): unknown {
    return serialiseStateLazily(this.live());
  }

  private live(): Parameters<typeof serialiseState>[0] {
    return {
      options: this.options, decay: this.decay, contexts: this.contexts, records: this.byIndex,
      coChange: this.coChange, predictions: this.predictionTracker,
    };
  }

  restore(json: StatsJSON): void {
    const state = restoreState(json, { options: this.options, contextIds: this.contextIds, lookup: this.lookup, coOptions: this.coOptions });
    this.decay = state.decay;
    this.contexts = state.contexts;
    this.coChange = state.coChange;
    this.predictionTracker = state.predictions;
    this.records = new Map();
    this.byIndex = [];
    state.entities.forEach((e, i) => this.setRecord(e.id, i, e.tracker, e.evidence));
  }

  private addRecord(id: string): EntityRecord {
    const o = this.options;
    const evidence = new Evidence(o.intervalSlots, o.hourBuckets + this.contexts.bucketCount);
    return this.setRecord(id, this.byIndex.length, new ChangeTracker(o.ringSize, o.maxStates), evidence);
  }

  private setRecord(id: string, index: number, tracker: ChangeTracker, evidence: Evidence): EntityRecord {
    const rec: EntityRecord = { id, index, tracker, evidence, shift: new ShiftWatch(), version: 0, cache: undefined };
    this.records.set(id, rec);
    this.byIndex[index] = rec;
    return rec;
  }

  private maybeRebase(t: number): void {
    const factor = this.decay.rebaseFactor(t);
    if (factor === undefined) return;
    for (const r of this.byIndex) r.evidence.rescale(factor);
    this.coChange.rescale(factor);
  }

  private frozenModel(i: number, env: AnalysisEnv, hourBucket: number): FrozenModel | undefined {
    const rec = this.byIndex[i];
    if (!rec) return undefined;
    const a = analyse(rec, env);
    const { fit } = currentFit(a, hourBucket, this.contexts);
    if (a.model.cls.kind === 'unknown' || fit.saturated) return undefined;
    return { ratePerMs: fit.ratePerMs, c: a.model.c, step: a.model.model === 'counter' ? a.model.cls.step : 0 };
  }

  private hourBucket(t: number): number {
    const hour = (this.deps.hourOfDay ?? utcHour)(t);
    return Math.min(this.options.hourBuckets - 1, Math.floor((hour * this.options.hourBuckets) / 24));
  }

  private env(): AnalysisEnv {
    const now = this.deps.clock.now();
    return { now, f: this.decay.scaleAt(now), options: this.options, contexts: this.contexts };
  }

  private analysed(id: string): [EntityRecord, Analysis] | undefined {
    const rec = this.records.get(id);
    return rec ? [rec, analyse(rec, this.env())] : undefined;
  }
}
