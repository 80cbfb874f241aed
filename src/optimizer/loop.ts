/**
 * PerformanceOptimizationLoop: runs strategies on a schedule (quick cycle: interval strategy only;
 * full cycle: every strategy by priority, skipping those on cooldown; evaluation: judge finished
 * experiments), and serves the same operations as commands. One cycle runs at a time; heavy cycles
 * ask the resource adapter first and are deferred when it says no. Every proposal becomes a
 * controlled experiment (experiments.ts) on entities not already in one, a history record and an
 * audit record naming who asked; moves that lost are not proposed again without new evidence
 * (memory.ts). What a command is told succeeded has been written to disk first.
 */
import type { TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { ScheduledJob } from '../core/scheduler.js';
import { Experiments, type EvaluationOutcome } from './experiments.js';
import { PersistError, type CycleReport, type LoopDeps, type ResourceVerdict, type StrategyRun } from './loopTypes.js';
import { withdrawEntity } from './experimentWithdraw.js';
import { shouldRun } from './learning.js';
import { reservations, reservedFor } from './reservations.js';
import { AUDIT_LIMIT, HISTORY_LIMIT, checkLoopState, emptyLoopState, freshStrategyState, pushBounded, type LoopState } from './loopState.js';
import { blockedBy } from './memory.js';
import { mergeParameters, type Strategy } from './strategy.js';
import type { Change, OptimizationRecord, Parameters, StrategyState, Trigger } from './types.js';

export type { EvaluationOutcome } from './experiments.js';

export { DEFERRAL_KINDS, PersistError } from './loopTypes.js';
export type { CycleReport, DeferralKind, LoopDeps, LoopPersistence, OptimizerOptions, ResourceAdapter, ResourceVerdict, StrategyRun } from './loopTypes.js';

const DEFER_RETRY_MS = 10 * 60_000;
/** After this many deferrals in a row (an hour of retries) the full cycle runs anyway. */
export const MAX_CONSECUTIVE_DEFERRALS = 6;

export class PerformanceOptimizationLoop {
  state: LoopState;
  private readonly byName: Map<string, Strategy>;
  private jobs: ScheduledJob[] = [];
  private deferTimer: TimerHandle | undefined;
  /** Full cycles deferred in a row (reset by one that runs). */
  private deferredInARow = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly experiments: Experiments;
  /** Saves that failed (shown in the statistics). */
  saveFailures = 0;

  constructor(private readonly deps: LoopDeps, saved?: unknown) {
    this.byName = new Map(deps.strategies.map((s) => [s.name, s]));
    this.state = this.restored(saved);
    this.experiments = new Experiments({
      clock: deps.clock, logger: deps.logger, random: deps.random, host: deps.host, recorder: deps.recorder, strategies: this.byName,
      options: deps.options, state: () => this.state,
    });
    deps.logger.info(`Performance optimization loop initialized with ${deps.strategies.length} strategies`);
  }

  /** Replaces the state with one loaded from storage (a malformed one is reported and ignored). */
  restore(saved: unknown): void {
    this.state = this.restored(saved);
  }

  /** Entities in an open experiment (no other change may touch them until it is judged). */
  lockedEntities(): Set<string> {
    return this.experiments.locked();
  }

  start(): void {
    this.experiments.resume();
    if (this.deps.options.enabled) this.armJobs();
  }

  /** Arms (or with false cancels) the scheduled quick, full and evaluation cycles. */
  schedule(on: boolean): void {
    this.jobs.forEach((j) => j.cancel());
    this.jobs = [];
    if (on) this.armJobs();
  }

  private armJobs(): void {
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
    this.experiments.stop();
    await this.queue.catch(() => undefined);
  }

  runQuickOptimization(by: string): Promise<CycleReport> {
    return this.exclusive(async () => {
      this.deps.logger.info('Running quick optimization cycle');
      const interval = this.byName.get('interval');
      const runs = interval ? [await this.runOne(interval, 'quick', by, false)] : [];
      this.state.lastQuickAt = this.deps.clock.now();
      await this.saved(by);
      return { cycle: 'quick', runs };
    });
  }

  runFullOptimization(by: string): Promise<CycleReport> {
    return this.exclusive(async () => {
      const verdict = this.deps.resources.check();
      if (!verdict.ok && this.deferredInARow < MAX_CONSECUTIVE_DEFERRALS) return this.defer(verdict, by);
      if (!verdict.ok) {
        this.deps.logger.info(`Running full optimization cycle despite ${verdict.reason ?? 'resources busy'}: deferred ${this.deferredInARow} times in a row already`);
        this.state.health.deferralsOverridden++;
      }
      this.deferredInARow = 0;
      this.deps.clock.clearTimer(this.deferTimer);
      this.deps.logger.info('Running full optimization cycle');
      const runs: StrategyRun[] = [];
      const order = [...this.deps.strategies].sort((a, b) => b.priority - a.priority);
      const reserved = this.reserve(order, by);
      for (const strategy of order) runs.push(await this.runOne(strategy, 'full', by, true, reserved));
      this.state.lastFullAt = this.deps.clock.now();
      await this.saved(by);
      return { cycle: 'full', runs };
    });
  }

  runStrategy(name: string, by: string): Promise<CycleReport> {
    const strategy = this.mustGet(name);
    return this.exclusive(async () => {
      const run = await this.runOne(strategy, 'manual', by, false);
      await this.saved(by);
      return { cycle: 'strategy', runs: [run] };
    });
  }

  evaluateOptimizations(by: string): Promise<EvaluationOutcome[]> {
    return this.exclusive(async () => {
      const now = this.deps.clock.now();
      this.deps.recorder.record();
      const outcomes = this.experiments.judgeDue(now, by);
      this.state.lastEvaluationAt = now;
      await this.saved(by);
      return outcomes;
    });
  }

  /**
   * Validates and applies new parameters (all or nothing); answers only once they are on disk. When
   * the write fails the parameters are put back and the caller gets a PersistError.
   */
  async updateStrategyParameters(name: string, update: unknown, by: string): Promise<{ before: Parameters; after: Parameters }> {
    const strategy = this.mustGet(name);
    const learned = this.learned(strategy);
    const before = { ...learned.parameters };
    const after = mergeParameters(strategy, before, update);
    await this.changeSetting(by, `parameters of ${name}`, before, after, () => { learned.parameters = after; }, () => { learned.parameters = before; });
    return { before, after };
  }

  /**
   * Applies a setting (parameters, goal, schedule) with its audit record and answers only once both
   * are on disk; when the write fails the setting is undone and the caller gets a PersistError.
   */
  async changeSetting(by: string, what: string, before: unknown, after: unknown, apply: () => void, undo: () => void): Promise<void> {
    apply();
    this.audit(by, what, before, after);
    try {
      await this.deps.persistence.save(true);
    } catch (err) {
      undo();
      this.state.audit.pop();
      this.saveFailures++;
      this.deps.logger.warn(`Failed to save optimization history: ${describeError(err)}`);
      throw new PersistError(`${what} not changed: the state could not be written (${describeError(err)})`);
    } finally {
      this.deps.onChange?.();
    }
  }

  /** An audit record for something a caller did outside the loop (a write to a device). */
  auditBy(by: string, what: string, before: unknown, after: unknown): void {
    this.audit(by, what, before, after);
    this.deps.onChange?.();
  }

  /**
   * Takes an entity out of the open experiments for a regime shift (experimentWithdraw.ts), with an
   * audit record; true when it is in none any more (false: a cluster or pattern change holds it).
   */
  releaseForShift(entityId: string): boolean {
    const w = withdrawEntity(this.state, entityId, this.deps.clock.now());
    if (w.records.length > 0) {
      const closed = w.closed.length > 0 ? `; #${w.closed.join(', #')} closed unjudged (nothing applied left)` : '';
      this.auditAutomatic(`regime shift: ${entityId} taken out of experiment #${w.records.join(', #')}${closed}`, undefined, undefined);
    }
    return w.freed;
  }

  /** An audit record for a change the app made by itself (regime switches, restored state). */
  auditAutomatic(what: string, before: unknown, after: unknown): void {
    this.auditBy('scheduler', what, before, after);
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

  /** What the full cycle's strategies that will run and can say so claim (reservations.ts). */
  private reserve(order: readonly Strategy[], by: string): Map<string, string> {
    const now = this.deps.clock.now();
    const locked = this.experiments.locked();
    const claimants = order.filter((s) => s.claims && !this.skipOf(s, 'full', true, now)).map((s) => {
      const { parameters, successRate } = this.learned(s);
      return { name: s.name, claims: s.claims?.({ now, by, parameters, successRate, eligible: (id) => !locked.has(id) }) ?? [] };
    });
    return reservations(claimants);
  }

  /** Why a run of `strategy` would not propose now (not listed, on cooldown, below the learning gate), or undefined. */
  private skipOf(strategy: Strategy, trigger: Trigger, honourCooldown: boolean, now: number): StrategyRun | undefined {
    const learned = this.learned(strategy);
    const on = this.deps.options.strategies;
    if (trigger !== 'manual' && on && !on.includes(strategy.name)) {
      return { strategy: strategy.name, status: 'skipped_off', summary: 'not in optimizer.strategies' };
    }
    if (honourCooldown && learned.lastRunAt !== undefined && now < learned.lastRunAt + strategy.cooldownMs) {
      return { strategy: strategy.name, status: 'skipped_cooldown', summary: `on cooldown until ${new Date(learned.lastRunAt + strategy.cooldownMs).toISOString()}` };
    }
    if (honourCooldown && !shouldRun(learned.successRate, learned.evaluations, learned.runs)) {
      return { strategy: strategy.name, status: 'skipped_learning', summary: `success rate ${learned.successRate.toFixed(2)} too low; explored every 3rd cycle` };
    }
    return undefined;
  }

  private async runOne(strategy: Strategy, trigger: Trigger, by: string, honourCooldown: boolean, reserved?: ReadonlyMap<string, string>): Promise<StrategyRun> {
    const learned = this.learned(strategy);
    const now = this.deps.clock.now();
    const skip = this.skipOf(strategy, trigger, honourCooldown, now);
    if (skip?.status === 'skipped_cooldown') this.deps.logger.debug(`Skipping strategy ${strategy.name} (on cooldown)`);
    if (skip?.status === 'skipped_learning') learned.runs++;
    if (skip) return skip;
    const snapshotAt = this.deps.recorder.record().at;
    const locked = this.experiments.locked();
    try {
      const result = await strategy.propose({
        now, by, parameters: learned.parameters, successRate: learned.successRate, eligible: (id) => !locked.has(id) && reservedFor(reserved, id, strategy.name),
      });
      learned.runs++;
      learned.lastRunAt = now;
      const { fresh: remembered, blocked } = this.withoutLostMoves(result.changes);
      const { kept: fresh, notWorth, overCap, plans } = this.experiments.worthTrying(remembered);
      const blockedNote = (blocked > 0 ? `; ${blocked} repeating a lost move left out` : '')
        + (notWorth > 0 ? `; ${notWorth} not worth their bus time in the exact schedule` : '')
        + (overCap > 0 ? `; ${overCap} over the goal's cap on bus time or requests` : '');
      if (fresh.length === 0) return { strategy: strategy.name, status: 'no_change', blocked, summary: `${result.summary}${blockedNote}` };
      const { applied, control, maintenance } = this.experiments.begin(strategy, fresh);
      if (applied.length === 0 && maintenance.length === 0) {
        return { strategy: strategy.name, status: 'no_change', blocked, summary: `${result.summary} (nothing could be applied)${blockedNote}` };
      }
      const summary = `${result.summary}: ${applied.length} applied now, ${control.length} held back as control`
        + `${maintenance.length ? `, ${maintenance.length} dropped` : ''}${blockedNote}`;
      const record = this.record(strategy.name, trigger, by, snapshotAt, [...maintenance, ...applied], summary);
      if (applied.length > 0) this.experiments.open(record, control, plans);
      else record.evaluatedAt = now; // only maintenance: nothing to judge
      this.audit(by, `${strategy.name}: ${summary}`,
        Object.fromEntries(record.changes.slice(0, 200).map((c) => [c.target, c.before])),
        Object.fromEntries(record.changes.slice(0, 200).map((c) => [c.target, c.after])));
      return { strategy: strategy.name, status: 'applied', record: record.id, blocked, summary };
    } catch (err) {
      this.deps.logger.error(`Error in ${strategy.name} optimization: ${describeError(err)}`);
      return { strategy: strategy.name, status: 'failed', summary: describeError(err) };
    }
  }

  /** Drops proposed moves that repeat a lost one without new evidence (memory.ts); counts both outcomes. */
  private withoutLostMoves(changes: readonly Change[]): { fresh: Change[]; blocked: number } {
    const fresh: Change[] = [];
    let blocked = 0;
    for (const c of changes) {
      const remembered = this.state.memory.length;
      if (blockedBy(this.state.memory, c)) {
        blocked++;
        continue;
      }
      if (this.state.memory.length < remembered) this.state.health.reopenedByEvidence++;
      fresh.push(c);
    }
    this.state.health.repeatsBlocked += blocked;
    return { fresh, blocked };
  }

  /** A history record; `before` is the recorder's window before it, for display (the judge does not use it). */
  private record(strategy: string, trigger: Trigger, by: string, at: number, changes: Change[], summary: string): OptimizationRecord {
    const { recorder, options } = this.deps;
    const from = Math.max(at - options.windowMs, recorder.earliest() ?? at);
    const record: OptimizationRecord = {
      id: this.state.nextRecordId++, strategy, trigger, by, appliedAt: at, settleMs: options.settleMs, windowMs: options.windowMs,
      before: recorder.window(from, at) ?? emptyMetrics(from, at), after: undefined, score: undefined, evaluatedAt: undefined,
      rolledBack: false, changes, summary,
    };
    pushBounded(this.state.history, record, HISTORY_LIMIT);
    return record;
  }

  private audit(by: string, what: string, before: unknown, after: unknown): void {
    pushBounded(this.state.audit, { at: this.deps.clock.now(), by, what, before, after }, AUDIT_LIMIT);
  }

  private defer(verdict: ResourceVerdict, by: string): CycleReport {
    const reason = verdict.reason ?? 'resources busy';
    this.deferredInARow++;
    const deferrals = this.state.health.deferrals;
    const kind = verdict.kind ?? 'other';
    deferrals[kind] = (deferrals[kind] ?? 0) + 1;
    this.deps.logger.info(`Deferring full optimization cycle: ${reason}; retrying in ${DEFER_RETRY_MS / 60_000} min`);
    this.deps.clock.clearTimer(this.deferTimer);
    this.deferTimer = this.deps.clock.setTimer(() => {
      this.runFullOptimization(by).catch((err: unknown) => this.deps.logger.error(`Deferred full cycle failed: ${describeError(err)}`));
    }, DEFER_RETRY_MS);
    return { cycle: 'full', deferred: reason, runs: [] };
  }

  /**
   * After a command the state is written at once and a failure answers `failed`, since what it changed
   * is not on disk; after a scheduled cycle the write is debounced (flash storage is spared) and a
   * failure is a warning (and counted).
   */
  private async saved(by: string): Promise<void> {
    this.deps.onChange?.();
    try {
      await this.deps.persistence.save(by !== 'scheduler');
    } catch (err) {
      this.saveFailures++;
      this.deps.logger.warn(`Failed to save optimization history: ${describeError(err)}`);
      if (by !== 'scheduler') throw new PersistError(`the change was made but the state could not be written (${describeError(err)})`);
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
