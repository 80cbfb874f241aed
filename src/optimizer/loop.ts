/**
 * PerformanceOptimizationLoop: runs strategies on a schedule (quick cycle: interval strategy only;
 * full cycle: every strategy by priority, skipping those on cooldown; evaluation: judge and maybe roll
 * back what was applied), and serves the same operations as commands. One cycle runs at a time;
 * heavy cycles ask the resource adapter first and are deferred when it says no. Every application
 * is a history record (evaluated later, honestly) and an audit record naming who asked.
 */
import type { ResolvedOptimizerOptions } from '../config/optimizerOptions.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ScheduledJob, Scheduler } from '../core/scheduler.js';
import { evaluateDue, type Counterfactual, type EvaluationOutcome } from './evaluator.js';
import { shouldRun } from './learning.js';
import { AUDIT_LIMIT, HISTORY_LIMIT, checkLoopState, emptyLoopState, freshStrategyState, pushBounded, type LoopState } from './loopState.js';
import type { MetricsRecorder } from './metricsRecorder.js';
import type { ScoringReference } from './scoring.js';
import { mergeParameters, type Strategy } from './strategy.js';
import type { OptimizationRecord, Parameters, StrategyState, Trigger } from './types.js';

/** The loop's schedule and thresholds: the resolved `optimizer` options (parameters go to the strategies). */
export type OptimizerOptions = Omit<ResolvedOptimizerOptions, 'parameters'>;

export interface ResourceAdapter {
  /** Whether a heavy cycle may run now; `reason` says why not. */
  check(): { ok: boolean; reason?: string };
}

export interface LoopPersistence {
  save(immediate: boolean): Promise<void>;
}

export interface LoopDeps {
  clock: Clock;
  logger: Logger;
  scheduler: Scheduler;
  strategies: readonly Strategy[];
  recorder: MetricsRecorder;
  resources: ResourceAdapter;
  persistence: LoopPersistence;
  options: OptimizerOptions;
  reference: () => ScoringReference;
  counterfactual?: Counterfactual;
  /** Called after anything changed (sensors, dashboard). */
  onChange?: () => void;
}

export interface StrategyRun {
  strategy: string;
  status: 'applied' | 'no_change' | 'skipped_cooldown' | 'skipped_learning' | 'failed';
  record?: number;
  summary: string;
}

export interface CycleReport {
  cycle: Trigger | 'strategy';
  deferred?: string;
  runs: StrategyRun[];
}

const MIN_WINDOW_MS = 5 * 60_000;
const DEFER_RETRY_MS = 10 * 60_000;

export class PerformanceOptimizationLoop {
  state: LoopState;
  private readonly byName: Map<string, Strategy>;
  private jobs: ScheduledJob[] = [];
  private deferTimer: TimerHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: LoopDeps, saved?: unknown) {
    this.byName = new Map(deps.strategies.map((s) => [s.name, s]));
    this.state = this.restored(saved);
    deps.logger.info(`Performance optimization loop initialized with ${deps.strategies.length} strategies`);
  }

  /** Replaces the state with one loaded from storage (a malformed one is reported and ignored). */
  restore(saved: unknown): void {
    this.state = this.restored(saved);
  }

  start(): void {
    if (!this.deps.options.enabled) return;
    const { scheduler, options: o } = this.deps;
    try {
      this.jobs = [
        scheduler.every('quick optimization', o.quickEveryMs, () => this.runQuickOptimization('scheduler').then(() => undefined)),
        scheduler.every('full optimization', o.fullEveryMs, () => this.runFullOptimization('scheduler').then(() => undefined)),
        scheduler.every('optimization evaluation', o.evaluateEveryMs, () => this.evaluateOptimizations('scheduler').then(() => undefined)),
      ];
    } catch (err) {
      this.deps.logger.error(`Failed to register optimization tasks: ${describeError(err)}`);
    }
  }

  async stop(): Promise<void> {
    this.jobs.forEach((j) => j.cancel());
    this.jobs = [];
    this.deps.clock.clearTimer(this.deferTimer);
    await this.queue.catch(() => undefined);
  }

  runQuickOptimization(by: string): Promise<CycleReport> {
    return this.exclusive(async () => {
      this.deps.logger.info('Running quick optimization cycle');
      const interval = this.byName.get('interval');
      const runs = interval ? [await this.runOne(interval, 'quick', by, false)] : [];
      this.state.lastQuickAt = this.deps.clock.now();
      await this.saved(false);
      return { cycle: 'quick', runs };
    });
  }

  runFullOptimization(by: string): Promise<CycleReport> {
    return this.exclusive(async () => {
      const verdict = this.deps.resources.check();
      if (!verdict.ok) return this.defer(verdict.reason ?? 'resources busy', by);
      this.deps.logger.info('Running full optimization cycle');
      const runs: StrategyRun[] = [];
      for (const strategy of [...this.deps.strategies].sort((a, b) => b.priority - a.priority)) {
        runs.push(await this.runOne(strategy, 'full', by, true));
      }
      this.state.lastFullAt = this.deps.clock.now();
      await this.saved(false);
      return { cycle: 'full', runs };
    });
  }

  runStrategy(name: string, by: string): Promise<CycleReport> {
    const strategy = this.mustGet(name);
    return this.exclusive(async () => {
      const run = await this.runOne(strategy, 'manual', by, false);
      await this.saved(false);
      return { cycle: 'strategy', runs: [run] };
    });
  }

  evaluateOptimizations(by: string): Promise<EvaluationOutcome[]> {
    return this.exclusive(async () => {
      const now = this.deps.clock.now();
      this.deps.recorder.record();
      const outcomes = evaluateDue({
        logger: this.deps.logger, recorder: this.deps.recorder, strategies: this.byName, reference: this.deps.reference,
        counterfactual: this.deps.counterfactual,
        rollbackThreshold: this.deps.options.rollbackThreshold, learningRate: this.deps.options.learningRate,
      }, this.state, now, by);
      this.state.lastEvaluationAt = now;
      await this.saved(false);
      return outcomes;
    });
  }

  /** Validates and applies new parameters (all or nothing); persists at once. */
  async updateStrategyParameters(name: string, update: unknown, by: string): Promise<{ before: Parameters; after: Parameters }> {
    const strategy = this.mustGet(name);
    const learned = this.learned(strategy);
    const before = { ...learned.parameters };
    const after = mergeParameters(strategy, before, update);
    learned.parameters = after;
    this.audit(by, `parameters of ${name}`, before, after);
    await this.saved(true);
    return { before, after };
  }

  /** An audit record for a change the app made by itself (regime switches, restored state). */
  auditAutomatic(what: string, before: unknown, after: unknown): void {
    this.audit('scheduler', what, before, after);
    this.deps.onChange?.();
  }

  strategyNames(): string[] {
    return this.deps.strategies.map((s) => s.name);
  }

  strategy(name: string): Strategy | undefined {
    return this.byName.get(name);
  }

  learned(strategy: Strategy): StrategyState {
    const existing = this.state.strategies[strategy.name];
    if (existing) return existing;
    const fresh = freshStrategyState(strategy.defaults);
    this.state.strategies[strategy.name] = fresh;
    return fresh;
  }

  private mustGet(name: string): Strategy {
    const s = this.byName.get(name);
    if (!s) throw new Error(`unknown strategy "${name}" (known: ${this.strategyNames().join(', ')})`);
    return s;
  }

  private async runOne(strategy: Strategy, trigger: Trigger, by: string, honourCooldown: boolean): Promise<StrategyRun> {
    const learned = this.learned(strategy);
    const now = this.deps.clock.now();
    if (honourCooldown && learned.lastRunAt !== undefined && now < learned.lastRunAt + strategy.cooldownMs) {
      this.deps.logger.debug(`Skipping strategy ${strategy.name} (on cooldown)`);
      return { strategy: strategy.name, status: 'skipped_cooldown', summary: `on cooldown until ${new Date(learned.lastRunAt + strategy.cooldownMs).toISOString()}` };
    }
    if (honourCooldown && !shouldRun(learned.successRate, learned.evaluations, learned.runs)) {
      learned.runs++;
      return { strategy: strategy.name, status: 'skipped_learning', summary: `success rate ${learned.successRate.toFixed(2)} too low; explored every 3rd cycle` };
    }
    const snapshotAt = this.deps.recorder.record().at;
    try {
      const result = await strategy.apply({ now, by, parameters: learned.parameters, successRate: learned.successRate });
      learned.runs++;
      learned.lastRunAt = now;
      if (result.changes.length === 0) return { strategy: strategy.name, status: 'no_change', summary: result.summary };
      const record = this.record(strategy.name, trigger, by, snapshotAt, result);
      this.audit(by, `${strategy.name}: ${result.summary}`,
        Object.fromEntries(result.changes.slice(0, 200).map((c) => [c.target, c.before])),
        Object.fromEntries(result.changes.slice(0, 200).map((c) => [c.target, c.after])));
      return { strategy: strategy.name, status: 'applied', record: record.id, summary: result.summary };
    } catch (err) {
      this.deps.logger.error(`Error in ${strategy.name} optimization: ${describeError(err)}`);
      return { strategy: strategy.name, status: 'failed', summary: describeError(err) };
    }
  }

  /** A history record with the "before" window ending now, as long as the options say or as much as exists. */
  private record(strategy: string, trigger: Trigger, by: string, at: number, result: { changes: OptimizationRecord['changes']; summary: string }): OptimizationRecord {
    const { recorder, options } = this.deps;
    const from = Math.max(at - options.windowMs, recorder.earliest() ?? at);
    const before = at - from >= MIN_WINDOW_MS ? recorder.window(from, at) : undefined;
    const record: OptimizationRecord = {
      id: this.state.nextRecordId++, strategy, trigger, by, appliedAt: at, settleMs: options.settleMs, windowMs: at - from,
      before: before ?? emptyMetrics(from, at), after: undefined, score: undefined, evaluatedAt: before ? undefined : at,
      rolledBack: false, changes: result.changes,
      summary: before ? result.summary : `${result.summary} (not evaluated: less than ${MIN_WINDOW_MS / 60_000} min of metrics before it)`,
    };
    pushBounded(this.state.history, record, HISTORY_LIMIT);
    return record;
  }

  private audit(by: string, what: string, before: unknown, after: unknown): void {
    pushBounded(this.state.audit, { at: this.deps.clock.now(), by, what, before, after }, AUDIT_LIMIT);
  }

  private defer(reason: string, by: string): CycleReport {
    this.deps.logger.info(`Deferring full optimization cycle: ${reason}; retrying in ${DEFER_RETRY_MS / 60_000} min`);
    this.deps.clock.clearTimer(this.deferTimer);
    this.deferTimer = this.deps.clock.setTimer(() => {
      this.runFullOptimization(by).catch((err: unknown) => this.deps.logger.error(`Deferred full cycle failed: ${describeError(err)}`));
    }, DEFER_RETRY_MS);
    return { cycle: 'full', deferred: reason, runs: [] };
  }

  private async saved(immediate: boolean): Promise<void> {
    this.deps.onChange?.();
    try {
      await this.deps.persistence.save(immediate);
    } catch (err) {
      this.deps.logger.warn(`Failed to save optimization history: ${describeError(err)}`);
    }
  }

  /** Runs `work` after whatever cycle is running; errors reach the caller, not the queue. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private restored(saved: unknown): LoopState {
    const fresh = emptyLoopState();
    if (saved === undefined) return fresh;
    try {
      checkLoopState(saved);
      this.deps.logger.debug(`Loaded ${saved.history.length} optimization records from storage`);
      return saved;
    } catch (err) {
      this.deps.logger.warn(`Failed to load optimization history: ${describeError(err)}`);
      return fresh;
    }
  }
}

function emptyMetrics(fromMs: number, toMs: number): OptimizationRecord['before'] {
  return {
    fromMs, toMs, requestsPerMin: 0, busUtilisation: 0, errorRate: 0, stalenessMs: 0, clusterCoverage: 0,
    clusterQuality: 0, patternConfidence: 0, predictionAccuracy: undefined,
  };
}
