/**
 * The judge: estimates the effect of an experiment's applied changes in the one objective
 * (objective.ts), within the experiment's own window, and turns it into a verdict.
 *
 * - Freshness: each moved entity against itself — its expected age at the new interval minus at the
 *   old one, both at the change rate observed in the window (censored "changed or not" polls, the
 *   same formula as everywhere). A sunrise inside the window raises both sides alike, so it cannot
 *   flip the sign. The rate's uncertainty becomes the standard error.
 * - Triggered reads (clusters): the staleness they removed is measured, not modelled — every
 *   triggered read that found a change showed it s ms before the scheduled poll would have, which
 *   removes s²/2 of age·time; their bus time is counted.
 * - Bus time: the exact schedule model (modbus/scheduleCost.ts) with and without the changes, scaled
 *   by the bus's measured busy time over the window (timeouts and retries included).
 *
 * The verdict is a significance test: adopted when the improvement exceeds two standard errors,
 * rejected when it is two standard errors below zero (or below the rollback threshold), otherwise
 * inconclusive. An inconclusive window that leans the actor's way is extended (up to LOOKS windows in
 * all: a small real gain needs more polls to show); later looks need 2.5 standard errors, so over all
 * looks a change with no effect is adopted less often than 3.5 % of the time (0.023 + 2 × 0.006).
 * Pure: the measurements come in through `JudgeInputs`.
 */
import { expectedAgeMs } from '../metrics/ageModel.js';
import type { BusPlan } from './objective.js';
import { censoredRatePerMs } from './staleness.js';
import type { Change, Effect, EntityCounters, Experiment, Verdict } from './types.js';

export interface EntityReading extends EntityCounters {
  intervalMs: number;
}

export interface JudgeInputs {
  busOf(entityId: string): string | undefined;
  counters(entityId: string): EntityReading | undefined;
  busyMs(bus: string): number | undefined;
  /** Modelled bus fraction of `bus` at the current intervals, with `overrides` (entity → ms) put in. */
  scheduled(bus: string, overrides: ReadonlyMap<string, number>): number;
  /** Modelled bus time (ms) of reading the entity alone (a triggered read). */
  singleReadMs(entityId: string): number;
  /** The block an entity is read in when all are due (entities of one block share an arm). */
  groupOf(entityId: string): string;
}

/** The interval a change moved an entity from and to (interval and pattern changes), else undefined. */
export function intervalMove(change: Change): { from: number; to: number } | undefined {
  if (change.kind === 'interval' && typeof change.before === 'number' && typeof change.after === 'number') {
    return { from: change.before, to: change.after };
  }
  if (change.kind === 'pattern') {
    const b = change.before as { intervalMs?: unknown } | null;
    const a = change.after as { intervalMs?: unknown } | null;
    if (typeof b?.intervalMs === 'number' && typeof a?.intervalMs === 'number') return { from: b.intervalMs, to: a.intervalMs };
  }
  return undefined;
}

interface BusSums {
  plan: BusPlan | undefined;
  ageMs: number;
  ageVariance: number;
  triggeredBusMs: number;
}

const Z = 2;
/** Measured / modelled bus time is trusted within these bounds. */
const CALIBRATION_BOUNDS = [0.25, 4] as const;

/** How an entity's age changes with a move: measured in a window, or predicted from learned rates. */
type AgeEstimator = (id: string, change: Change, move: { from: number; to: number }) => { valueMs: number; se: number } | undefined;

interface EffectParts {
  /** Interval overrides (entity → ms) of the schedule with the changes, and of the one without. */
  withChanges: Map<string, number>;
  without: Map<string, number>;
  age: AgeEstimator;
  /** Triggered-read figures over the window (measured effects only). */
  triggers?: (id: string) => { savedAgeMs2: number; reads: number } | undefined;
  /** Measured / modelled bus time of a bus, when known. */
  scale: (bus: string, modelled: number) => number;
}

export function estimateEffect(changes: readonly Change[], exp: Experiment, inputs: JudgeInputs, now: number): Effect {
  const from = exp.windowFrom ?? now;
  const spanMs = Math.max(1, now - from);
  const started = (id: string) => {
    const current = inputs.counters(id);
    const start = exp.startCounters[id];
    return current && start && current.polls >= start.polls ? { current, start } : undefined;
  };
  const parts: EffectParts = {
    withChanges: new Map(),
    without: new Map(),
    age: (id, change, move) => {
      const c = started(id);
      if (!c) return undefined;
      // a pattern's interval follows the regime, so what was in force is the current one
      const to = change.kind === 'pattern' ? c.current.intervalMs : move.to;
      const polls = c.current.polls - c.start.polls;
      const window: PollGroup = { polls, changes: c.current.changes - c.start.changes, intervalMs: polls > 0 ? spanMs / polls : to };
      const pre = exp.preCounters?.[id];
      return ageDifference(move.from, to, pre ? [pre, window] : [window]);
    },
    triggers: (id) => {
      const c = started(id);
      return c && { savedAgeMs2: Math.max(0, c.current.savedAgeMs2 - c.start.savedAgeMs2), reads: Math.max(0, c.current.triggeredReads - c.start.triggeredReads) };
    },
    scale: (bus, modelled) => {
      const busy = inputs.busyMs(bus);
      const begun = exp.startBusyMs[bus];
      const measured = busy !== undefined && begun !== undefined && busy >= begun ? (busy - begun) / spanMs : undefined;
      return measured !== undefined && modelled > 0 ? Math.min(CALIBRATION_BOUNDS[1], Math.max(CALIBRATION_BOUNDS[0], measured / modelled)) : 1;
    },
  };
  for (const c of changes) {
    const move = intervalMove(c);
    if (move && started(c.target)) parts.without.set(c.target, move.from);
  }
  return { ...combine(changes, exp.plans, inputs, parts, spanMs), fromMs: from, toMs: now };
}

/**
 * The same objective for changes not yet applied, at the learned rates: what the actor expects. The
 * loop proposes only block groups this predicts to improve, so the actor never proposes what its own
 * judge would score as a loss (up to the difference between learned and observed rates). A cluster's
 * triggered reads are predicted as the judge measures them: a member changing at rate λ and polled
 * every T is read early once per change, on average by a time s uniform in [0, T], which removes
 * s²/2 of age·time (λ·T²/6 per ms) for one single read each (λ reads per ms).
 */
export function predictImprovement(changes: readonly Change[], plans: readonly BusPlan[], inputs: JudgeInputs, ratePerMs: (id: string) => number): number {
  const parts: EffectParts = {
    withChanges: new Map(),
    without: new Map(),
    age: (id, _change, move) => ({ valueMs: expectedAgeMs(move.to, ratePerMs(id)) - expectedAgeMs(move.from, ratePerMs(id)), se: 0 }),
    triggers: (id) => {
      const t = inputs.counters(id)?.intervalMs ?? 0;
      const rate = ratePerMs(id);
      return { savedAgeMs2: (rate * t * t) / 6, reads: rate };
    },
    scale: () => 1,
  };
  for (const c of changes) {
    const move = intervalMove(c);
    if (move) parts.withChanges.set(c.target, move.to);
  }
  return combine(changes, plans, inputs, parts, 1).improvement;
}

function combine(changes: readonly Change[], plans: readonly BusPlan[], inputs: JudgeInputs, parts: EffectParts, spanMs: number) {
  const buses = new Map<string, BusSums>();
  const sumsOf = (bus: string): BusSums => {
    let s = buses.get(bus);
    if (!s) {
      s = { plan: plans.find((p) => p.bus === bus), ageMs: 0, ageVariance: 0, triggeredBusMs: 0 };
      buses.set(bus, s);
    }
    return s;
  };
  for (const change of changes) {
    const move = intervalMove(change);
    for (const id of change.entities) {
      const bus = inputs.busOf(id);
      if (!bus) continue;
      const s = sumsOf(bus);
      const age = move && id === change.target ? parts.age(id, change, move) : undefined;
      if (age) {
        s.ageMs += age.valueMs;
        s.ageVariance += age.se * age.se;
      }
      const t = change.kind === 'cluster' && change.after !== null ? parts.triggers?.(id) : undefined;
      if (t) {
        const saved = t.savedAgeMs2 / spanMs;
        s.ageMs -= saved;
        s.ageVariance += (saved * saved) / Math.max(1, t.reads);
        s.triggeredBusMs += t.reads * inputs.singleReadMs(id);
      }
    }
  }
  let value = 0;
  let variance = 0;
  let reference = 0;
  let busFraction = 0;
  let meanAgeMs = 0;
  for (const [bus, s] of buses) {
    const withChanges = inputs.scheduled(bus, parts.withChanges);
    const without = inputs.scheduled(bus, parts.without);
    const scale = parts.scale(bus, withChanges);
    const busDelta = scale * (withChanges - without) + (scale * s.triggeredBusMs) / spanMs;
    const n = Math.max(1, s.plan?.ratedEntities ?? 1);
    const w = weightsOf(s.plan);
    const ageDelta = s.ageMs / n;
    value += w.bus * busDelta + w.age * ageDelta;
    variance += (w.age / n) ** 2 * s.ageVariance;
    reference += w.bus * (s.plan?.reference.busFraction ?? 0) + w.age * (s.plan?.reference.meanAgeMs ?? 0);
    busFraction += busDelta;
    meanAgeMs += ageDelta;
  }
  const ref = reference > 0 ? reference : 1;
  return { improvement: -value / ref, standardError: Math.sqrt(variance) / ref, busFraction, meanAgeMs };
}

/** How the objective weighs bus fraction and mean age on a bus (price ∞: only age counts). */
function weightsOf(plan: BusPlan | undefined): { bus: number; age: number } {
  if (!plan) return { bus: 1, age: 0 };
  return Number.isFinite(plan.price) ? { bus: 1, age: plan.price } : { bus: 0, age: 1 };
}

/** Polls at one interval and how many of them saw a change. */
export interface PollGroup {
  polls: number;
  changes: number;
  intervalMs: number;
}

/**
 * The change rate (per ms) behind some groups of polls, each at its own interval: per group the
 * censored estimate with its standard error (delta method on the changed share, +0.5 corrected),
 * combined by inverse variance. The rate is the process's, not the polling's, so polls before a move
 * (at the old interval) and after it (at the new) are evidence about the same rate.
 */
export function pooledRate(groups: readonly PollGroup[]): { ratePerMs: number; se: number; saturated: boolean } {
  let weights = 0;
  let weighted = 0;
  let saturated = false;
  for (const g of groups) {
    if (g.polls <= 0 || g.intervalMs <= 0) continue;
    const x = Math.min(g.changes, g.polls);
    if (x >= g.polls) saturated = true;
    const rate = censoredRatePerMs(g.polls, x, g.intervalMs);
    const p = (x + 0.5) / (g.polls + 1);
    const se = Math.sqrt(p / ((1 - p) * (g.polls + 1))) / g.intervalMs;
    const w = 1 / Math.max(se * se, 1e-30);
    weights += w;
    weighted += w * rate;
  }
  return weights > 0 ? { ratePerMs: weighted / weights, se: 1 / Math.sqrt(weights), saturated } : { ratePerMs: 0, se: Infinity, saturated };
}

/**
 * Expected age at `to` minus at `from` (ms) at the rate the poll groups show, with its standard error
 * from the rate's. When a group saw a change on every poll the rate is only a lower bound: the error
 * then spans up to an unbounded rate.
 */
export function ageDifference(from: number, to: number, groups: readonly PollGroup[]): { valueMs: number; se: number } {
  const r = pooledRate(groups);
  if (!Number.isFinite(r.se)) return { valueMs: 0, se: Math.abs(to - from) / 2 };
  const diff = (rate: number) => expectedAgeMs(to, rate) - expectedAgeMs(from, rate);
  const value = diff(r.ratePerMs);
  let se = Math.abs(diff(r.ratePerMs + r.se) - diff(Math.max(0, r.ratePerMs - r.se))) / 2;
  if (r.saturated) se = Math.max(se, Math.abs((to - from) / 2 - value));
  return { valueMs: value, se };
}

/** Windows an experiment may run in all before an inconclusive verdict is final. */
export const LOOKS = 3;
/** Standard errors a gain needs at the second and later looks (the first needs Z). */
const Z_LATER = 2.5;

/** The verdict at look `look` (0 = the first window). */
export function verdictOf(effect: Pick<Effect, 'improvement' | 'standardError'>, rollbackThreshold: number, look = 0): Verdict {
  const z = look === 0 ? Z : Z_LATER;
  if (effect.improvement - z * effect.standardError > 0) return 'adopted';
  if (effect.improvement + Z * effect.standardError < 0 || effect.improvement < rollbackThreshold) return 'rejected';
  return 'inconclusive';
}

/** Whether an inconclusive look is worth another window: looks left, and the estimate leans to a gain. */
export function worthExtending(effect: Pick<Effect, 'improvement'>, look: number): boolean {
  return look + 1 < LOOKS && effect.improvement > 0;
}
