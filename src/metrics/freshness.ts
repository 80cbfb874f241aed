/**
 * The freshness metrics of DESIGN.md, defined once for the simulator, the benchmark, the app and the
 * dashboard. With ground truth (the simulator knows every change on the device) a FreshnessTracker
 * computes them exactly from a timeline of true changes and of what HA was shown; without it (in
 * production) the same figures are estimated through ageModel.ts.
 *
 * - staleness (age) at t: 0 while HA shows the device's current raw value, else t minus the time of
 *   the first change not yet shown; mean staleness is its time average.
 * - detection delay of a change: time until HA shows it or a later value; a change is missed when it
 *   was overwritten before it was ever shown.
 * A change counts as shown once HA displays a value read at or after it, or once HA's displayed value
 * equals the device's value again (a value that went A→B→A while HA showed A was right all along
 * from the return on; B was missed).
 */

export type RawValue = number | string | boolean;

export interface EntityFreshness {
  entityId: string;
  windowMs: number;
  /** True changes on the device inside the window. */
  changes: number;
  /** Changes overwritten before they were ever shown (they still have a delay). */
  missed: number;
  /** Changes not shown by the end of the window (censored: no delay). */
  undetected: number;
  /** Time-average staleness. */
  meanStalenessMs: number;
  /** Integral of staleness over the window (ms²), for pooling. */
  stalenessIntegral: number;
  meanDelayMs: number;
  p95DelayMs: number;
  /** Every detection delay, in order of the changes (for pooling). */
  delays: Float64Array;
}

/** Nearest-rank percentile (p in (0, 1]) of unsorted values; 0 for none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] ?? 0;
  return values.length > 0 ? sum / values.length : 0;
}

/** A growable array of doubles (change times, delays) without per-element boxing. */
export class DoubleList {
  private data = new Float64Array(16);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  at(i: number): number {
    return this.data[i] ?? NaN;
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Exact staleness and delays of one entity. Feed it in time order: `change` for each true change,
 * `show` whenever HA is handed a reading (with the time the device was read and the raw value it
 * had then); every change at or before a `show` must have been fed before it.
 */
export class FreshnessTracker {
  private displayed: RawValue;
  private device: RawValue;
  /** Times of changes not yet shown (a FIFO: `head` is the oldest). */
  private readonly pending = new DoubleList();
  private head = 0;
  private lastT: number;
  private integral = 0;
  private changes = 0;
  private missed = 0;
  private readonly delays = new DoubleList();

  /** HA starts out showing the device's value at `startMs` (a restored state). */
  constructor(readonly entityId: string, private readonly startMs: number, initial: RawValue) {
    this.displayed = initial;
    this.device = initial;
    this.lastT = startMs;
  }

  change(t: number, value: RawValue): void {
    this.advanceTo(t);
    this.device = value;
    this.changes++;
    this.pending.push(t);
    if (value === this.displayed) this.resolve(Infinity, t);
  }

  /** HA shows, from time `at`, the value `value` the device had at `readAt` (≤ at). */
  show(at: number, readAt: number, value: RawValue): void {
    this.advanceTo(at);
    this.displayed = value;
    this.resolve(readAt, at);
    if (value === this.device) this.resolve(Infinity, at);
  }

  /** What HA shows and what the device has now (to start a new measurement window from here). */
  values(): { shown: RawValue; device: RawValue } {
    return { shown: this.displayed, device: this.device };
  }

  /** Staleness at the time of the last event (for tests and live views). */
  currentStalenessMs(): number {
    return this.head < this.pending.length ? this.lastT - this.pending.at(this.head) : 0;
  }

  finish(endMs: number): EntityFreshness {
    this.advanceTo(endMs);
    const windowMs = Math.max(0, endMs - this.startMs);
    const delays = this.delays.toArray();
    return {
      entityId: this.entityId, windowMs, changes: this.changes, missed: this.missed,
      undetected: this.pending.length - this.head,
      meanStalenessMs: windowMs > 0 ? this.integral / windowMs : 0, stalenessIntegral: this.integral,
      meanDelayMs: mean(delays), p95DelayMs: percentile(delays, 0.95), delays,
    };
  }

  /** Adds the staleness area up to t: while a change is pending, age grows as t − oldest. */
  private advanceTo(t: number): void {
    if (t < this.lastT) throw new RangeError(`${this.entityId}: event at ${t} before ${this.lastT}`);
    if (this.head < this.pending.length) {
      const oldest = this.pending.at(this.head);
      this.integral += ((t - oldest) ** 2 - (this.lastT - oldest) ** 2) / 2;
    }
    this.lastT = t;
  }

  /** Pending changes at or before `upTo` are shown at `at`; all but the latest of them were missed. */
  private resolve(upTo: number, at: number): void {
    let last = this.head;
    while (last < this.pending.length && this.pending.at(last) <= upTo) last++;
    for (let i = this.head; i < last; i++) {
      this.delays.push(at - this.pending.at(i));
      if (i < last - 1) this.missed++;
    }
    this.head = last;
  }
}

/** Bus totals over a window (summed over the site's buses). */
export interface BusTotals {
  buses: number;
  requests: number;
  registers: number;
  /** Sum of per-request bus time (modelled, or measured request durations). */
  busMs: number;
}

export interface SiteFreshness {
  entities: number;
  windowMs: number;
  /** Mean over entities of their time-average staleness. */
  meanStalenessMs: number;
  meanDelayMs: number;
  p95DelayMs: number;
  changes: number;
  missed: number;
  undetected: number;
  /** Bus time / (window × buses), in [0, 1]. */
  busUtilisation: number;
  busSecondsPerHour: number;
  requestsPerHour: number;
  registersPerHour: number;
  stateWritesPerHour: number;
}

const HOUR_MS = 3_600_000;

/** Pools per-entity figures and bus totals into the site's figures. */
export function siteFreshness(entities: readonly EntityFreshness[], bus: BusTotals, stateWrites: number, windowMs: number): SiteFreshness {
  const all = new Float64Array(entities.reduce((n, e) => n + e.delays.length, 0));
  let offset = 0;
  for (const e of entities) {
    all.set(e.delays, offset);
    offset += e.delays.length;
  }
  const hours = windowMs / HOUR_MS;
  const sum = (f: (e: EntityFreshness) => number) => entities.reduce((s, e) => s + f(e), 0);
  return {
    entities: entities.length, windowMs,
    meanStalenessMs: entities.length > 0 ? sum((e) => e.meanStalenessMs) / entities.length : 0,
    meanDelayMs: mean(all), p95DelayMs: percentile(all, 0.95),
    changes: sum((e) => e.changes), missed: sum((e) => e.missed), undetected: sum((e) => e.undetected),
    busUtilisation: windowMs > 0 && bus.buses > 0 ? bus.busMs / (windowMs * bus.buses) : 0,
    busSecondsPerHour: hours > 0 ? bus.busMs / 1000 / hours : 0,
    requestsPerHour: hours > 0 ? bus.requests / hours : 0,
    registersPerHour: hours > 0 ? bus.registers / hours : 0,
    stateWritesPerHour: hours > 0 ? stateWrites / hours : 0,
  };
}
