/**
 * Change tracking per entity: polls, changed polls, the last observed change and poll times, value
 * range, the few distinct values of a state-like entity, and what the value deltas say about a
 * counter. From these it classifies the entity (constant, counter, k states, continuous), which
 * picks the rate model. Everything is fixed-size: rings of times, at most `maxStates` distinct values.
 */
import type { EntityValue } from '../modbus/types.js';
import { PollRing } from './pollRing.js';
import { decodePollTimes, encodePollTimes, type PollTimesJSON } from './pollTimesCodec.js';
import { TimeRing } from './timeRing.js';

export type EntityKind = 'unknown' | 'constant' | 'counter' | 'states' | 'continuous';

export interface TrackedSample {
  value: EntityValue | null;
  at: number;
  changed: boolean;
  intervalMs: number;
}

export interface KindRules {
  /** Below this many polls the entity is 'unknown'. */
  minPolls: number;
  /** A value that never changed over this many polls … */
  constantMinPolls: number;
  /** … spanning at least this long is 'constant'. */
  constantMinSpanMs: number;
  /** A k-state classification needs this many changes per state seen. */
  changesPerState: number;
  /** A counter classification needs this many increases. */
  counterMinRises: number;
}

export interface Classification {
  kind: EntityKind;
  /** States for 'states' (2 for booleans). */
  states: number;
  /** Counter step (value units) for 'counter'. */
  step: number;
}

/** A tracker as saved; the last poll times (which changed: those in changeTimes) are PollTimesJSON's fields. */
export interface TrackerJSON extends PollTimesJSON {
  polls: number;
  changes: number;
  firstAt: number | null;
  lastAt: number | null;
  lastValue: EntityValue | null;
  lastIntervalMs: number;
  changeTimes: number[];
  min: number | null;
  max: number | null;
  distinct: string[];
  overflow: boolean;
  boolean: boolean;
  counter: { rises: number; falls: number; resets: number; step: number | null; stepOk: boolean };
}

export class ChangeTracker {
  polls = 0;
  changes = 0;
  firstAt: number | undefined;
  lastAt: number | undefined;
  lastValue: EntityValue | null | undefined;
  lastIntervalMs = 0;
  changeTimes: TimeRing;
  /** The last polls (co-change compares read opportunities); as long as the change ring. */
  pollTimes: PollRing;
  min: number | undefined;
  max: number | undefined;
  private distinct: string[] = [];
  private overflow = false;
  private boolean = false;
  private counter = { rises: 0, falls: 0, resets: 0, step: undefined as number | undefined, stepOk: true };

  constructor(private readonly ringSize: number, private readonly maxStates: number) {
    this.changeTimes = new TimeRing(ringSize);
    this.pollTimes = new PollRing(ringSize);
  }

  /** Records a sample; returns the value increase usable as counter increments (NaN when not usable). */
  record(s: TrackedSample): number {
    const previous = this.lastValue;
    this.polls++;
    this.firstAt ??= s.at;
    this.lastAt = s.at;
    this.lastIntervalMs = s.intervalMs;
    this.lastValue = s.value;
    if (s.changed) {
      this.changes++;
      this.changeTimes.push(s.at);
    }
    this.pollTimes.push(s.at, s.changed);
    this.noteValue(s.value);
    return typeof previous === 'number' && typeof s.value === 'number' ? this.counterDelta(previous, s.value) : NaN;
  }

  classify(rules: KindRules): Classification {
    const none = { states: 0, step: 0 };
    if (this.polls < rules.minPolls) return { kind: 'unknown', ...none };
    if (this.changes === 0) {
      const span = (this.lastAt ?? 0) - (this.firstAt ?? 0);
      const constant = this.polls >= rules.constantMinPolls && span >= rules.constantMinSpanMs;
      return { kind: constant ? 'constant' : 'unknown', ...none };
    }
    if (this.boolean) return { kind: 'states', states: 2, step: 0 };
    const c = this.counter;
    if (c.step !== undefined && c.stepOk && c.falls === 0 && c.rises >= rules.counterMinRises
      && c.resets <= Math.max(1, 0.05 * c.rises)) {
      return { kind: 'counter', states: 0, step: c.step };
    }
    const k = this.distinct.length;
    if (!this.overflow && k >= 2 && k <= this.maxStates && this.changes >= rules.changesPerState * k) {
      return { kind: 'states', states: k, step: 0 };
    }
    return { kind: 'continuous', ...none };
  }

  distinctValues(): string[] | undefined {
    return this.overflow ? undefined : [...this.distinct];
  }

  private noteValue(v: EntityValue | null): void {
    if (typeof v === 'boolean') this.boolean = true;
    if (typeof v === 'number' && Number.isFinite(v)) {
      this.min = this.min === undefined ? v : Math.min(this.min, v);
      this.max = this.max === undefined ? v : Math.max(this.max, v);
    }
    if (this.overflow) return;
    const key = String(v);
    if (this.distinct.includes(key)) return;
    if (this.distinct.length >= this.maxStates) this.overflow = true;
    else this.distinct.push(key);
  }

  /** Counter bookkeeping for one numeric step; an increase is returned as increments. */
  private counterDelta(previous: number, value: number): number {
    const d = value - previous;
    if (!Number.isFinite(d)) return NaN;
    if (d === 0) return 0;
    const c = this.counter;
    if (d < 0) {
      if (previous > 0 && value <= previous / 2) c.resets++;
      else c.falls++;
      return NaN;
    }
    c.rises++;
    const step = c.step === undefined ? d : refineStep(c.step, d);
    if (step > 0) c.step = step;
    else c.stepOk = false;
    return d;
  }

  toJSON(): TrackerJSON {
    return {
      polls: this.polls, changes: this.changes, firstAt: this.firstAt ?? null, lastAt: this.lastAt ?? null,
      lastValue: this.lastValue ?? null, lastIntervalMs: this.lastIntervalMs, changeTimes: this.changeTimes.toArray(),
      ...encodePollTimes(this.pollTimes.toArray()), min: this.min ?? null, max: this.max ?? null, distinct: [...this.distinct], overflow: this.overflow,
      boolean: this.boolean, counter: { ...this.counter, step: this.counter.step ?? null },
    };
  }

  /** Throws when the poll times are malformed (the persisted part checks them first and drops them with a warning). */
  static fromJSON(j: TrackerJSON, ringSize: number, maxStates: number): ChangeTracker {
    const polls = decodePollTimes(j);
    if ('problem' in polls) throw new Error(`tracker ${polls.problem}`);
    const t = new ChangeTracker(ringSize, maxStates);
    Object.assign(t, {
      polls: j.polls, changes: j.changes, firstAt: j.firstAt ?? undefined, lastAt: j.lastAt ?? undefined,
      lastValue: j.lastAt === null ? undefined : j.lastValue, lastIntervalMs: j.lastIntervalMs,
      changeTimes: TimeRing.fromArray(ringSize, j.changeTimes),
      pollTimes: PollRing.fromArrays(ringSize, polls.times, j.changeTimes), min: j.min ?? undefined, max: j.max ?? undefined,
      distinct: [...j.distinct], overflow: j.overflow, boolean: j.boolean,
      counter: { ...j.counter, step: j.counter.step ?? undefined },
    });
    return t;
  }
}

/**
 * The counter step as a tolerant greatest common divisor of the increases seen: a delta that is a
 * whole multiple keeps it; otherwise it shrinks, and an implausibly small step (float noise) marks the
 * value as no counter (NaN).
 */
export function refineStep(step: number, delta: number): number {
  const ratio = delta / step;
  if (Math.abs(ratio - Math.round(ratio)) < 0.01 && Math.round(ratio) >= 1) return step;
  let a = Math.max(step, delta);
  let b = Math.min(step, delta);
  const tol = 0.01 * b;
  while (b > tol) [a, b] = [b, a % b];
  return a < step / 16 ? NaN : a;
}
