/**
 * The optimizer as one long-running part: builds the metrics recorder, the cluster and pattern
 * controllers, the three strategies and the loop from one typed deps object; restores what was
 * learned (intervals, clusters, patterns, loop history) for entities that still exist; and exposes
 * what the store, the sensors, the commands and the dashboard need. start() takes timers and
 * listeners, stop() gives back exactly those.
 */
import type { Clock } from '../core/clock.js';
import type { ContextChange } from '../core/context.js';
import { describeError } from '../core/errors.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import type { Scheduler } from '../core/scheduler.js';
import type { BusWindow, PollerView, Sample } from '../modbus/pollerTypes.js';
import type { ConnectionDef, EntityDef } from '../modbus/types.js';
import type { StatsView } from '../stats/types.js';
import { ClusterController } from './clusterController.js';
import { ClusterStrategy } from './clusterStrategy.js';
import type { Random } from '../core/random.js';
import { applyInterval } from './intervalChanges.js';
import { IntervalStrategy } from './intervalStrategy.js';
import { LocalSteps } from './localSteps.js';
import { AuditReads } from './auditReads.js';
import { PerformanceOptimizationLoop, type OptimizerOptions, type ResourceAdapter } from './loop.js';
import { MetricsRecorder } from './metricsRecorder.js';
import { PatternController } from './patternController.js';
import { PatternStrategy } from './patternStrategy.js';
import type { OptimizerSaved, OptimizerSettings } from './optimizerState.js';
import { exceeds } from './loadCap.js';
import { experimentHost } from './measurements.js';
import type { BusPlan } from './objective.js';
import { computeTargets, type TargetInputs } from './targets.js';
import { expectedAgeMs } from '../metrics/ageModel.js';
import type { BusWindowSource, Change, Parameters } from './types.js';

/** Cost calibration compares modelled with measured bus time over at least this long. */
const CALIBRATION_WINDOW_MS = 10 * 60_000;

export interface OptimizerServiceDeps {
  clock: Clock;
  logger: Logger;
  scheduler: Scheduler;
  poller: PollerView;
  stats: StatsView;
  events: Pick<EventBus<{ sample: Sample; contextChanged: ContextChange }>, 'on' | 'removeOwner'>;
  entities: readonly EntityDef[];
  connections: readonly ConnectionDef[];
  options: OptimizerOptions;
  /** Splits proposals into treated and control arms. */
  random: Random;
  /** Strategy parameters from the options (interval, cluster, pattern). */
  parameters?: Record<string, Parameters>;
  resources: ResourceAdapter;
  /** Persists snapshot() (debounced unless immediate). */
  persist: (immediate: boolean) => Promise<void>;
  /** The app's bus-window recorder: counter totals for the metrics, per-bus windows for cost calibration. */
  busWindows: BusWindowSource;
  /** Estimated mean staleness now (ms), the same figure the sensors show. */
  stalenessMs: () => number;
  onChange?: () => void;
  /** Mean gap between audit reads (ms; default one a minute, 0 = none). */
  auditEveryMs?: number;
}

/** One audit read a minute: on a 9,600-baud line about 0.1 % of the bus. */
export const AUDIT_EVERY_MS = 60_000;

export class OptimizerService {
  readonly recorder: MetricsRecorder;
  readonly clusters: ClusterController;
  readonly patterns: PatternController;
  readonly loop: PerformanceOptimizationLoop;
  readonly localSteps: LocalSteps;
  readonly auditReads: AuditReads;
  private readonly connections: Map<string, ConnectionDef>;
  /** Configured scan interval per entity (ms). */
  private readonly configured: Map<string, number>;
  private readonly host: ReturnType<typeof experimentHost>;
  /** Per bus: the window since the last calibration (at least 10 minutes long), and the smoothed cost scale. */
  private readonly calibrationWindows = new Map<string, BusWindow>();
  private readonly costScales = new Map<string, number>();
  /** Per bus: the single read of its dearest entity (ms), what an audit is reserved at. */
  private readonly dearestRead = new Map<string, number>();
  /** The options as they are now: goal and enabled can change at run time (set_optimizer). */
  private readonly options: OptimizerOptions;

  constructor(private readonly deps: OptimizerServiceDeps) {
    const { clock, logger, poller, stats, events } = deps;
    this.options = { ...deps.options };
    this.connections = new Map(deps.connections.map((c) => [c.name, c]));
    this.configured = new Map(deps.entities.map((e) => [e.id, e.scanIntervalMs]));
    this.recorder = new MetricsRecorder({ clock, read: () => this.snapshotMetrics() });
    this.clusters = new ClusterController({ poller, events, logger, now: () => clock.now() });
    this.patterns = new PatternController({
      clock, stats, events, retarget: (ids) => this.retarget(ids),
      audit: (what, before, after) => this.loop.auditAutomatic(what, before, after),
    });
    const strategies = [
      new IntervalStrategy({ clock, logger, poller, targetInputs: () => this.targetInputs() }),
      new ClusterStrategy({ stats, controller: this.clusters }),
      new PatternStrategy({ stats, controller: this.patterns, poller, targetsMs: (ids, follow) => this.targetsMs(ids, follow) }),
    ];
    const auditEveryMs = deps.auditEveryMs ?? AUDIT_EVERY_MS;
    const host = this.host = experimentHost({
      poller, clusters: this.clusters, entities: deps.entities, connections: deps.connections, plans: () => this.plans(),
      reserve: (bus) => this.auditReserve(bus, auditEveryMs),
      goal: () => this.options.goal, budget: () => this.options.budget,
      ratePerMs: (id) => {
        const rate = stats.currentRate(id);
        return rate && rate.kind !== 'unknown' ? rate.ratePerHour / 3_600_000 : 0;
      },
    });
    this.loop = new PerformanceOptimizationLoop({
      clock, logger, scheduler: deps.scheduler, strategies, recorder: this.recorder, resources: deps.resources, random: deps.random, host,
      persistence: { save: (immediate) => deps.persist(immediate) }, options: this.options, onChange: deps.onChange,
    });
    this.localSteps = new LocalSteps({
      clock, poller, locked: () => this.loop.lockedEntities(), release: (id) => this.loop.releaseForShift(id), bounds: () => this.bounds(),
      fresherWanted: (bus) => this.fresherWanted(bus),
      learned: (id) => {
        const rate = stats.currentRate(id);
        if (!rate || rate.kind === 'unknown') return { kind: 'unknown' };
        return rate.kind === 'constant' ? { kind: 'constant' } : { kind: 'rated', ratePerMs: rate.ratePerHour / 3_600_000 };
      },
      load: (bus, overrides) => host.load(bus, overrides),
      capOf: (bus) => host.capOf(bus),
      shiftOf: (id) => stats.shift(id),
      configuredMs: (id) => this.configured.get(id),
      makeRoom: (bus, overrides) => this.makeRoom(bus, overrides),
      audit: (what, before, after) => this.loop.auditAutomatic(what, before, after),
    });
    this.auditReads = new AuditReads({
      clock, random: deps.random, poller, everyMs: auditEveryMs,
      mayAudit: (id) => this.options.enabled && this.auditFits(id, auditEveryMs),
      ratePerMs: (id) => {
        const rate = stats.currentRate(id);
        if (!rate || rate.kind === 'unknown') return undefined;
        return rate.kind === 'constant' ? 0 : rate.ratePerHour / 3_600_000;
      },
    });
    this.applyConfiguredParameters(undefined);
  }

  /** Whether one more single read of `id` every `everyMs` keeps its bus within the goal's whole cap on bus time and requests. */
  private auditFits(id: string, everyMs: number): boolean {
    const bus = this.host.busOf(id);
    if (bus === undefined) return false;
    const load = this.host.load(bus, new Map());
    const cap = this.host.goalCapOf(bus);
    return load.busFraction + this.host.singleReadMs(id) / everyMs <= cap.busFraction && load.requestsPerMs + 1 / everyMs <= cap.requestsPerMs;
  }

  /**
   * What the audits may cost on a bus under save_bus, kept back from the optimizer's own schedule so the
   * two together never pass the configured load: every audit a single read of the bus's dearest entity.
   */
  private auditReserve(bus: string, everyMs: number): { busFraction: number; requestsPerMs: number } {
    if (everyMs <= 0 || !this.options.enabled) return { busFraction: 0, requestsPerMs: 0 };
    let dearest = this.dearestRead.get(bus);
    if (dearest === undefined) {
      dearest = 0;
      for (const e of this.deps.entities) if (this.host.busOf(e.id) === bus) dearest = Math.max(dearest, this.host.singleReadMs(e.id));
      this.dearestRead.set(bus, dearest);
    }
    return { busFraction: dearest / everyMs, requestsPerMs: 1 / everyMs };
  }

  start(): void {
    this.recorder.start();
    this.clusters.start();
    this.patterns.start();
    this.loop.start();
    this.auditReads.start();
    if (this.options.enabled && this.options.localSteps) this.localSteps.start();
  }

  /** The goal and whether the optimizer runs on its schedule, as they are now. */
  settings(): OptimizerSettings {
    return { goal: this.options.goal, enabled: this.options.enabled };
  }

  /** Changes goal and/or enabled, audited; answers once on disk (else undone, PersistError). */
  async setSettings(update: Partial<OptimizerSettings>, by: string): Promise<{ before: OptimizerSettings; after: OptimizerSettings }> {
    const before = this.settings();
    const after = { ...before, ...update };
    const what = Object.keys(update).map((k) => `optimizer ${k}`).join(' and ') || 'optimizer settings';
    await this.loop.changeSetting(by, what, before, after, () => this.applySettings(after), () => this.applySettings(before));
    return { before, after };
  }

  private applySettings(next: OptimizerSettings): void {
    const wasEnabled = this.options.enabled;
    this.options.goal = next.goal;
    this.options.enabled = next.enabled;
    if (wasEnabled === next.enabled) return;
    this.loop.schedule(next.enabled);
    if (next.enabled && this.options.localSteps) this.localSteps.start();
    else this.localSteps.stop();
  }

  async stop(): Promise<void> {
    this.auditReads.stop();
    this.localSteps.stop();
    await this.loop.stop();
    this.patterns.stop();
    this.clusters.stop();
    this.recorder.stop();
  }

  snapshot(): OptimizerSaved {
    const intervals: Record<string, number> = {};
    for (const e of this.deps.entities) {
      const ms = this.deps.poller.intervalMs(e.id);
      if (ms !== undefined && ms !== e.scanIntervalMs) intervals[e.id] = ms;
    }
    return {
      loop: this.loop.state, optionParameters: this.deps.parameters ?? {}, intervals,
      settings: this.settings(), optionSettings: { goal: this.deps.options.goal, enabled: this.deps.options.enabled },
      clusters: this.clusters.list(), patterns: this.patterns.list(),
    };
  }

  /** The inputs every interval decision uses (bounds come from the interval strategy's parameters). */
  targetInputs(): Omit<TargetInputs, 'minMs' | 'maxMs'> {
    return {
      entities: this.deps.entities, connections: this.connections, stats: this.deps.stats, budget: this.options.budget, goal: this.options.goal,
      currentIntervalMs: (id) => this.deps.poller.intervalMs(id), followsRegime: (id) => this.patterns.follows(id),
      costScale: (bus, predicted) => this.costScale(bus, predicted),
    };
  }

  /**
   * Measured / predicted bus time, smoothed (half weight per new measurement) and bounded, so one
   * noisy window cannot swing every interval. Kept between calls; 1 until the first measurement.
   */
  private costScale(bus: string, predicted: number): number {
    const measured = this.measuredUtilisation(bus);
    if (measured !== undefined && predicted > 0) {
      const ratio = Math.min(4, Math.max(0.5, measured / predicted));
      const previous = this.costScales.get(bus);
      this.costScales.set(bus, previous === undefined ? ratio : (previous + ratio) / 2);
    }
    return this.costScales.get(bus) ?? 1;
  }

  /** Modelled utilisation of `bus` since the previous call (at least 10 minutes back), else undefined. */
  private measuredUtilisation(bus: string): number | undefined {
    const window = this.calibrationWindows.get(bus);
    if (!window) {
      this.calibrationWindows.set(bus, this.deps.busWindows.open(CALIBRATION_WINDOW_MS));
      return undefined;
    }
    return window.advance()?.buses.find((b) => b.key === bus)?.modelledUtilisation;
  }

  /** Per bus: the goal's price, the configured-interval reference and what the allocation reaches (modelled). */
  plans(): BusPlan[] {
    return computeTargets({ ...this.targetInputs(), ...this.bounds() }).buses;
  }

  /** The interval strategy's bounds (its parameters), in ms. */
  bounds(): { minMs: number; maxMs: number } {
    const interval = this.loop.strategy('interval');
    const p = interval ? this.loop.learned(interval).parameters : {};
    return { minMs: (p.min_interval ?? 5) * 1000, maxMs: (p.max_interval ?? 300) * 1000 };
  }

  /** Where the entities would go with (or without) following their regime. */
  private targetsMs(ids: string[], followRegime: boolean): Map<string, number> {
    const wanted = new Set(ids);
    const inputs = this.targetInputs();
    const follows = inputs.followsRegime;
    return new Map(computeTargets({ ...inputs, ...this.bounds(), followsRegime: (id) => (wanted.has(id) ? followRegime : (follows?.(id) ?? false)) })
      .targets.filter((t) => wanted.has(t.entityId)).map((t) => [t.entityId, t.targetMs]));
  }

  /**
   * Configured parameters win over learned/commanded ones only where the option changed since the
   * state was saved (or on a fresh start), so `update_strategy_parameters` survives a restart.
   */
  private applyConfiguredParameters(baseline: Record<string, Parameters> | undefined): void {
    for (const [name, configured] of Object.entries(this.deps.parameters ?? {})) {
      const strategy = this.loop.strategy(name);
      if (!strategy) continue;
      const learned = this.loop.learned(strategy);
      const changed = Object.entries(configured).filter(([k, v]) => baseline?.[name]?.[k] !== v && learned.parameters[k] !== v);
      if (changed.length === 0) continue;
      const before = { ...learned.parameters };
      for (const [k, v] of changed) learned.parameters[k] = v;
      if (baseline) this.loop.auditAutomatic(`options changed: parameters of ${name}`, before, { ...learned.parameters });
    }
  }

  /** A goal or enabled set at run time survives a restart unless the option itself changed since. */
  private restoreSettings(saved: OptimizerSaved): void {
    if (!saved.settings || !saved.optionSettings) return;
    // Restored before start(), which arms the schedule from these.
    if (saved.optionSettings.goal === this.deps.options.goal) this.options.goal = saved.settings.goal;
    if (saved.optionSettings.enabled === this.deps.options.enabled) this.options.enabled = saved.settings.enabled;
  }

  /**
   * Moves the entities to their targets in the current regime: slow-downs first, then each speed-up
   * only while the bus stays within the goal's cap (loadCap.ts) by the exact schedule model.
   */
  private retarget(ids: string[]): Change[] {
    const wanted = new Set(ids);
    const targets = computeTargets({ ...this.targetInputs(), ...this.bounds() }).targets
      .filter((t) => wanted.has(t.entityId))
      .sort((a, b) => b.targetMs / b.currentMs - a.targetMs / a.currentMs);
    const changes: Change[] = [];
    for (const t of targets) {
      if (t.targetMs < t.currentMs && exceeds(this.host.load(t.bus, new Map([[t.entityId, t.targetMs]])), this.host.capOf(t.bus))) continue;
      const change = applyInterval(this.deps.poller, t.entityId, t.targetMs);
      if (change) changes.push(change);
    }
    return changes;
  }

  /**
   * `save_bus`: whether `bus` is modelled staler at its current intervals than at its configured ones
   * (mean expected age of its rated entities at the learned rates: the reference the allocation holds).
   * With nothing rated yet there is no reference, and fresher is wanted (a fresh install learns).
   */
  private fresherWanted(bus: string): boolean {
    if (this.options.goal !== 'save_bus') return true;
    const { targets, buses } = computeTargets({ ...this.targetInputs(), ...this.bounds() });
    const plan = buses.find((b) => b.bus === bus);
    const rated = targets.filter((t) => t.bus === bus && t.source !== 'unrated');
    if (!plan || rated.length === 0) return true;
    const age = rated.reduce((sum, t) => sum + expectedAgeMs(t.currentMs, t.ratePerMs), 0) / rated.length;
    return age > plan.reference.meanAgeMs;
  }

  /**
   * Room on `bus` for a regime shift: a fresh allocation with `overrides` as the current intervals (the
   * shifted entities, unrated, are charged at theirs) slows every other unlocked entity whose target
   * is slower than now. Slow-downs only, so the bus asks less of the device, never more.
   */
  private makeRoom(bus: string, overrides: ReadonlyMap<string, number>): Map<string, [number, number]> {
    const inputs = this.targetInputs();
    const locked = this.loop.lockedEntities();
    const current = (id: string) => overrides.get(id) ?? inputs.currentIntervalMs(id);
    const moved = new Map<string, [number, number]>();
    for (const t of computeTargets({ ...inputs, ...this.bounds(), currentIntervalMs: current }).targets) {
      if (t.bus !== bus || overrides.has(t.entityId) || locked.has(t.entityId) || t.targetMs <= t.currentMs) continue;
      const applied = this.deps.poller.setIntervalMs(t.entityId, t.targetMs);
      if (applied !== t.currentMs) moved.set(t.entityId, [t.currentMs, applied]);
    }
    return moved;
  }

  private snapshotMetrics() {
    let accuracy: number | undefined;
    try {
      accuracy = this.deps.stats.predictionAccuracy().accuracy;
    } catch (err) {
      this.deps.logger.debug(`Could not get all statistics managers: ${describeError(err)}`);
    }
    return {
      ...this.deps.busWindows.totals(),
      stalenessMs: this.deps.stalenessMs(),
      clusterCoverage: this.clusters.coverage(this.deps.entities.length),
      clusterQuality: this.clusters.quality(),
      patternConfidence: this.patterns.confidence(),
      predictionAccuracy: accuracy,
    };
  }

  /** Restores learned state for entities that still exist; what refers to removed entities is dropped. */
  restore(saved: OptimizerSaved | undefined, warn: (problem: string) => void = (p) => this.deps.logger.warn(p)): void {
    if (!saved) return;
    this.loop.restore(saved.loop);
    this.applyConfiguredParameters(saved.optionParameters);
    this.restoreSettings(saved);
    const known = new Set(this.deps.entities.map((e) => e.id));
    let dropped = 0;
    for (const [id, ms] of Object.entries(saved.intervals ?? {})) {
      if (!known.has(id)) {
        dropped++;
        continue;
      }
      const applied = this.deps.poller.setIntervalMs(id, ms);
      if (applied !== ms) warn(`optimizer.intervals.${id}: saved ${ms} ms is outside the entity's bounds; using ${applied} ms`);
    }
    for (const c of saved.clusters ?? []) {
      if (c.members.every((m) => known.has(m))) this.clusters.adopt(c);
      else dropped++;
    }
    for (const p of saved.patterns ?? []) {
      if (known.has(p.entityId)) this.patterns.adopt(p);
      else dropped++;
    }
    if (dropped > 0) {
      this.loop.auditAutomatic(`options changed: learned state of ${dropped} removed entities or clusters dropped`, null, null);
    }
  }
}
