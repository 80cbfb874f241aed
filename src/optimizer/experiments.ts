/**
 * Controlled experiments for the loop (issue 15): a proposal is split at random into a treated arm
 * (applied now) and a control arm (held back); after the settle time a window opens; at its end the
 * judge (judge.ts) estimates the treated arm's effect within that window, and the verdict decides:
 * adopted rolls the control arm out, rejected or inconclusive undoes the treated arm and remembers
 * the moves (memory.ts); an inconclusive window that leans to a gain runs on (judge.ts LOOKS). An
 * entity is in at most one open experiment, so no two records are ever judged on one window for the
 * same entities, and quick and full cycles cannot stack.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { estimateEffect, intervalMove, predictImprovement, verdictOf, worthExtending, type JudgeInputs } from './judge.js';
import { updatedShare } from './learning.js';
import { AUDIT_LIMIT, pushBounded, type LoopState } from './loopState.js';
import { remember } from './memory.js';
import type { MetricsRecorder } from './metricsRecorder.js';
import { exceeds, grows, type ScheduleLoad } from './loadCap.js';
import type { BusPlan } from './objective.js';
import type { Strategy } from './strategy.js';
import type { Change, EntityCounters, Experiment, OptimizationRecord, Verdict } from './types.js';

/** What experiments need of the app: the judge's measurements, the current plans, the bus keys. */
export interface ExperimentHost extends JudgeInputs {
  plans(): BusPlan[];
  buses(): string[];
  entityIds(): string[];
  /** Learned change rate (per ms) in the entity's current regime, for the actor's own check. */
  ratePerMs(entityId: string): number;
  /** The exact schedule model's load of `bus` with some intervals overridden (absent: no cap is checked). */
  load?(bus: string, overrides: ReadonlyMap<string, number>): ScheduleLoad;
  /** The most load the goal allows on `bus` (loadCap.ts). */
  capOf?(bus: string): ScheduleLoad;
}

export interface ExperimentOptions {
  settleMs: number;
  windowMs: number;
  rollbackThreshold: number;
  learningRate: number;
}

export interface ExperimentDeps {
  clock: Clock;
  logger: Logger;
  random: Random;
  host: ExperimentHost;
  recorder: MetricsRecorder;
  strategies: ReadonlyMap<string, Strategy>;
  options: ExperimentOptions;
  state: () => LoopState;
}

export interface EvaluationOutcome {
  id: number;
  strategy: string;
  score: number | undefined;
  verdict?: Verdict;
  rolledBack: boolean;
  note: string;
}

/** Changes the actor's check can score in advance: interval moves and cluster adoptions. */
function predictable(change: Change): boolean {
  return intervalMove(change) !== undefined || (change.kind === 'cluster' && change.after !== null);
}

/** Maintenance changes (dropping what the evidence no longer supports) are applied to all at once. */
export function isMaintenance(change: Change): boolean {
  if (change.kind === 'cluster') return change.after === null;
  return false;
}

/** Changes grouped by the block their first entity is read in (the unit of randomisation). */
export function groupChanges(changes: readonly Change[], groupOf: (entityId: string) => string): Change[][] {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const key = groupOf(c.entities[0] ?? c.target);
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.values()];
}

/**
 * Splits `changes` at random by block group: the treated arm gets ⌈groups/2⌉ of them (so a single
 * group is treated alone), the control arm the rest. Whole blocks move together, so an arm's effect
 * on the bus is its own and not an artefact of half a block falling out of phase.
 */
export function splitArms(changes: readonly Change[], random: Random, groupOf: (entityId: string) => string = (id) => id): { treated: Change[]; control: Change[] } {
  const shuffled = groupChanges(changes, groupOf);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as Change[], shuffled[i] as Change[]];
  }
  const cut = Math.ceil(shuffled.length / 2);
  return { treated: shuffled.slice(0, cut).flat(), control: shuffled.slice(cut).flat() };
}

/**
 * A block group's moves without those the group scores better without (one pass, each against the
 * whole group): a value slowed in a block that stays due for its other members saves no bus time and
 * only adds age, so it does not ride along on its neighbours' gain. Moves that together free a block
 * (each one needed for the saving) all stay. Returns them with their predicted improvement.
 */
export function withoutFreeRiders(group: readonly Change[], predict: (changes: readonly Change[]) => number): { kept: Change[]; improvement: number } {
  const whole = predict(group);
  if (group.length < 2) return { kept: [...group], improvement: whole };
  const kept = group.filter((c) => predict(group.filter((x) => x !== c)) <= whole);
  return { kept, improvement: kept.length === group.length ? whole : predict(kept) };
}

export class Experiments {
  private readonly timers = new Map<number, TimerHandle>();
  /** Every entity's counters since its interval was last set: the "before" evidence of its next change. */
  private checkpoint = new Map<string, { polls: number; changes: number; intervalMs: number }>();

  constructor(private readonly deps: ExperimentDeps) {}

  /**
   * Notes every entity's counters (at start and at every evaluation) where its interval changed since
   * the last note, so the "before" evidence of a change covers all polls at the old interval.
   */
  takeCheckpoint(): void {
    const next = new Map<string, { polls: number; changes: number; intervalMs: number }>();
    for (const id of this.deps.host.entityIds()) {
      const c = this.deps.host.counters(id);
      if (!c) continue;
      const kept = this.checkpoint.get(id);
      next.set(id, kept && kept.intervalMs === c.intervalMs && kept.polls <= c.polls ? kept : { polls: c.polls, changes: c.changes, intervalMs: c.intervalMs });
    }
    this.checkpoint = next;
  }

  /** Entities of every open experiment (treated and control arms). */
  locked(): Set<string> {
    const out = new Set<string>();
    for (const r of this.deps.state().history) {
      if (r.evaluatedAt !== undefined || !r.experiment) continue;
      for (const c of [...r.changes, ...r.experiment.control]) c.entities.forEach((e) => out.add(e));
    }
    return out;
  }

  /**
   * The actor's own check: block groups of interval moves and cluster adoptions that the judge's
   * objective, at the learned rates, does not score as an improvement are not proposed (what the
   * allocator calls better is what the judge will check). Returns the groups kept and how many changes were left out.
   */
  worthTrying(proposed: readonly Change[]): { kept: Change[]; notWorth: number; overCap: number; plans: BusPlan[] } {
    const { host } = this.deps;
    const plans = host.plans();
    const kept: Change[] = [];
    let notWorth = 0;
    // Every group is compared with the same current schedule: model it once per bus, not once per group.
    const current = new Map<string, number>();
    const inputs = {
      ...host,
      scheduled: (bus: string, overrides: ReadonlyMap<string, number>) => {
        if (overrides.size > 0) return host.scheduled(bus, overrides);
        let v = current.get(bus);
        if (v === undefined) current.set(bus, (v = host.scheduled(bus, overrides)));
        return v;
      },
    };
    const worth: Change[][] = [];
    const predict = (changes: readonly Change[]) => predictImprovement(changes, plans, inputs, (id) => host.ratePerMs(id));
    for (const group of groupChanges(proposed, (id) => host.groupOf(id))) {
      if (!group.every(predictable)) {
        worth.push(group);
        continue;
      }
      const { kept: pruned, improvement } = withoutFreeRiders(group, predict);
      const kept = pruned.length > 0 && improvement > 0 ? pruned : [];
      if (kept.length > 0) worth.push(kept);
      notWorth += group.length - kept.length;
    }
    const { fit, overCap } = this.withinCap(worth);
    for (const group of fit) kept.push(...group);
    return { kept, notWorth, overCap, plans };
  }

  /**
   * Keeps the block groups whose interval moves the goal's cap allows (loadCap.ts), by the exact
   * schedule model. A group that adds load is kept only while the current schedule plus every adding
   * group kept so far stays within the cap — what this proposal's slow-downs free is not counted,
   * since the random split may treat the speed-ups and hold the slow-downs back (a later cycle can
   * spend it). Groups that add nothing (slow-downs, other kinds of change) always pass. Returns the
   * kept groups and how many changes were left out.
   */
  private withinCap(groups: Change[][]): { fit: Change[][]; overCap: number } {
    const { load, capOf, busOf } = this.deps.host;
    if (!load || !capOf) return { fit: groups, overCap: 0 };
    const current = new Map<string, ScheduleLoad>();
    const currentOf = (bus: string): ScheduleLoad => {
      let v = current.get(bus);
      if (v === undefined) current.set(bus, (v = load(bus, new Map())));
      return v;
    };
    const adding = new Map<string, Map<string, number>>();
    const fit: Change[][] = [];
    let overCap = 0;
    for (const group of groups) {
      const byBus = new Map<string, Map<string, number>>();
      for (const c of group) {
        const move = intervalMove(c);
        const bus = busOf(c.target);
        if (!move || bus === undefined) continue;
        byBus.set(bus, (byBus.get(bus) ?? new Map<string, number>()).set(c.target, move.to));
      }
      const grown = [...byBus].filter(([bus, moves]) => grows(currentOf(bus), load(bus, moves)));
      if (grown.some(([bus, moves]) => exceeds(load(bus, new Map([...(adding.get(bus) ?? []), ...moves])), capOf(bus)))) {
        overCap += group.length;
        continue;
      }
      fit.push(group);
      for (const [bus, moves] of grown) adding.set(bus, new Map([...(adding.get(bus) ?? []), ...moves]));
    }
    return { fit, overCap };
  }

  /** Applies the treated arm (and maintenance); returns the applied treated changes and the control arm. */
  begin(strategy: Strategy, proposed: readonly Change[]): { applied: Change[]; control: Change[]; maintenance: Change[] } {
    const maintenance = proposed.filter(isMaintenance).filter((c) => strategy.apply(c));
    const { treated, control } = splitArms(proposed.filter((c) => !isMaintenance(c)), this.deps.random, (id) => this.deps.host.groupOf(id));
    const applied = treated.filter((c) => strategy.apply(c));
    return { applied, control, maintenance };
  }

  /**
   * The experiment part of a new record; its window opens after the settle time. `plans` are the ones
   * the proposal was checked with, so the judge scores at the price the actor used.
   */
  open(record: OptimizationRecord, control: Change[], plans: BusPlan[]): void {
    const exp: Experiment = { control, plans, windowFrom: undefined, startCounters: {}, startBusyMs: {}, preCounters: this.preCounters(record.changes) };
    record.experiment = exp;
    this.arm(record);
  }

  /** Polls since the checkpoint of each moved entity that stayed at its old interval meanwhile. */
  private preCounters(changes: readonly Change[]): Record<string, { polls: number; changes: number; intervalMs: number }> {
    const out: Record<string, { polls: number; changes: number; intervalMs: number }> = {};
    for (const c of changes) {
      const move = intervalMove(c);
      const then = this.checkpoint.get(c.target);
      const now = this.deps.host.counters(c.target);
      if (!move || !then || !now || then.intervalMs !== move.from || now.polls < then.polls) continue;
      out[c.target] = { polls: now.polls - then.polls, changes: now.changes - then.changes, intervalMs: move.from };
    }
    return out;
  }

  /** Re-arms window timers after a restart (a window that should have opened opens now). */
  resume(): void {
    this.takeCheckpoint();
    for (const r of this.deps.state().history) if (r.experiment && r.evaluatedAt === undefined) this.arm(r);
  }

  stop(): void {
    this.timers.forEach((t) => this.deps.clock.clearTimer(t));
    this.timers.clear();
  }

  /** Judges every experiment whose window has run its length; mutates the state. */
  judgeDue(now: number, by: string): EvaluationOutcome[] {
    const outcomes = this.judgeFinished(now, by);
    this.takeCheckpoint();
    return outcomes;
  }

  private judgeFinished(now: number, by: string): EvaluationOutcome[] {
    const outcomes: EvaluationOutcome[] = [];
    for (const record of this.deps.state().history) {
      if (record.evaluatedAt !== undefined) continue;
      const exp = record.experiment;
      if (!exp) {
        record.evaluatedAt = now;
        outcomes.push({ id: record.id, strategy: record.strategy, score: undefined, rolledBack: false, note: 'recorded before experiments existed; not judged' });
        continue;
      }
      if (exp.windowFrom === undefined && now >= record.appliedAt + record.settleMs) this.openWindow(record);
      if (exp.windowFrom === undefined || now < exp.windowFrom + record.windowMs * (1 + (exp.extensions ?? 0))) continue;
      const outcome = this.judge(record, exp, now, by);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  private arm(record: OptimizationRecord): void {
    const exp = record.experiment;
    if (!exp || exp.windowFrom !== undefined) return;
    const wait = Math.max(0, record.appliedAt + record.settleMs - this.deps.clock.now());
    this.deps.clock.clearTimer(this.timers.get(record.id));
    this.timers.set(record.id, this.deps.clock.setTimer(() => {
      this.timers.delete(record.id);
      if (record.evaluatedAt === undefined) this.openWindow(record);
    }, wait));
  }

  private openWindow(record: OptimizationRecord): void {
    const exp = record.experiment;
    if (!exp || exp.windowFrom !== undefined) return;
    const { host } = this.deps;
    exp.windowFrom = this.deps.clock.now();
    const counters: Record<string, EntityCounters> = {};
    for (const c of [...record.changes, ...exp.control]) {
      for (const id of c.entities) {
        const r = host.counters(id);
        if (r) counters[id] = { polls: r.polls, changes: r.changes, triggeredReads: r.triggeredReads, savedAgeMs2: r.savedAgeMs2 };
      }
    }
    exp.startCounters = counters;
    exp.startBusyMs = Object.fromEntries(host.buses().map((b) => [b, host.busyMs(b) ?? 0]));
  }

  /** The verdict on a finished window; undefined when the window was extended instead. */
  private judge(record: OptimizationRecord, exp: Experiment, now: number, by: string): EvaluationOutcome | undefined {
    const { options, logger } = this.deps;
    const effect = estimateEffect(record.changes, exp, this.deps.host, now);
    const look = exp.extensions ?? 0;
    const verdict = verdictOf(effect, options.rollbackThreshold, look);
    exp.effect = effect;
    if (verdict === 'inconclusive' && worthExtending(effect, look)) {
      exp.extensions = look + 1;
      this.audit(now, by, `window of #${record.id} (${record.strategy}) extended: improvement ${pct(effect.improvement)} ± ${pct(2 * effect.standardError)} not yet significant (look ${look + 1})`, null, null);
      return undefined;
    }
    exp.verdict = verdict;
    record.score = effect.improvement;
    record.evaluatedAt = now;
    record.after = this.deps.recorder.window(effect.fromMs, now);
    const strategy = this.deps.strategies.get(record.strategy);
    this.learn(record.strategy, verdict, effect.improvement);
    const ci = `${pct(effect.improvement)} ± ${pct(2 * effect.standardError)}`;
    if (verdict === 'adopted') {
      const rolled = strategy ? exp.control.filter((c) => strategy.apply(c)) : [];
      record.changes.push(...rolled);
      exp.rolledOut = rolled.length;
      this.audit(now, by, `roll-out of #${record.id} (${record.strategy}, improvement ${ci}): ${rolled.length} of ${exp.control.length} held-back changes applied`,
        Object.fromEntries(rolled.map((c) => [c.target, c.before])), Object.fromEntries(rolled.map((c) => [c.target, c.after])));
      return { id: record.id, strategy: record.strategy, score: effect.improvement, verdict, rolledBack: false, note: `adopted (${ci}); ${rolled.length} more rolled out` };
    }
    const undone = strategy ? [...record.changes].reverse().filter((c) => strategy.revert(c)) : [];
    record.rolledBack = true;
    record.undone = undone.length;
    const memory = this.deps.state().memory;
    for (const c of record.changes) remember(memory, c, now, record.id);
    const partial = undone.length < record.changes.length ? ` (partial: ${record.changes.length - undone.length} had changed again)` : '';
    this.audit(now, by, `rollback of #${record.id} (${record.strategy}, ${verdict}, improvement ${ci}): ${undone.length} of ${record.changes.length} changes undone${partial}`,
      Object.fromEntries(undone.map((c) => [c.target, c.after])), Object.fromEntries(undone.map((c) => [c.target, c.before])));
    logger.info(`Rolled back optimization #${record.id} (${record.strategy}): ${verdict}, improvement ${ci}`);
    return { id: record.id, strategy: record.strategy, score: effect.improvement, verdict, rolledBack: true, note: `${verdict} (${ci}); ${undone.length} of ${record.changes.length} undone${partial}` };
  }

  private learn(name: string, verdict: Verdict, improvement: number): void {
    const learned = this.deps.state().strategies[name];
    if (!learned) return;
    learned.successRate = updatedShare(learned.successRate, learned.evaluations, verdict === 'adopted' ? 1 : 0, this.deps.options.learningRate);
    learned.evaluations++;
    learned.lastScore = improvement;
    learned.lastImprovement = improvement;
    learned[verdict] = (learned[verdict] ?? 0) + 1;
  }

  private audit(at: number, by: string, what: string, before: unknown, after: unknown): void {
    pushBounded(this.deps.state().audit, { at, by, what, before, after }, AUDIT_LIMIT);
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
