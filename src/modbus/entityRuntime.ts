/**
 * One entity's live state inside the poller: its read item, decoder, current interval and due time,
 * and the statistics it accumulates. Turning a block-read outcome into a sample or a failure lives
 * here so the poller itself only schedules.
 */
import { createDecoder } from './codecs.js';
import { CounterGuard } from './counterGuard.js';
import type { ItemOutcome } from './blockReader.js';
import type { ReadItem } from './planner.js';
import type { EntityStatus, ReadFailure, Sample } from './pollerTypes.js';
import { readItemOf } from './readPlan.js';
import type { ConnectionDef, EntityDef, EntityValue } from './types.js';

interface Waiter {
  resolve: (s: Sample) => void;
  reject: (e: Error) => void;
}

export class EntityRuntime {
  readonly item: ReadItem;
  readonly status: EntityStatus;
  nextDueMs = 0;
  /** Bumped whenever the due time changes, so stale heap entries can be recognised. */
  dueVersion = 0;
  /** dueVersion when the current cycle took the entity; differs if it was rescheduled meanwhile. */
  cycleVersion = -1;
  triggered = false;
  private readonly decode: (data: readonly number[]) => EntityValue | null;
  private waiters: Waiter[] = [];
  /** total_increasing values only: a decrease that is no real reset keeps the last good reading. */
  private readonly counter: CounterGuard | undefined;

  constructor(readonly def: EntityDef, readonly conn: ConnectionDef, busKey: string) {
    this.item = readItemOf(def);
    this.decode = createDecoder(def, def.registerType);
    this.counter = def.stateClass === 'total_increasing' ? new CounterGuard() : undefined;
    this.wantedMs = def.scanIntervalMs;
    this.demandCapMs = undefined;
    this.status = {
      id: def.id, bus: busKey, intervalMs: def.scanIntervalMs, polls: 0, changes: 0, errors: 0,
      consecutiveErrors: 0, lastValue: undefined, lastReadAt: undefined, lastChangeAt: undefined,
      lastErrorAt: undefined, lastError: undefined, meanLatencyMs: 0, illegalAddress: false, countersHeld: 0,
    };
  }

  get intervalMs(): number {
    return this.status.intervalMs;
  }

  /** The interval last asked for (setIntervalMs), before the clamp and the demand cap. */
  wantedMs: number;
  /** Another master reads this value often: poll at least this often (ms), so its reads hit the cache. */
  demandCapMs: number | undefined;
  /** Set while a client's read (Poller.readSpan) polls this value: how often that client reads it, if known. */
  clientPeriodMs: number | undefined;
  /** A client took this value's polling over: read it only when due, never early with a cycle nearby. */
  takenOver = false;

  clampInterval(ms: number): number {
    return Math.max(this.def.minIntervalMs, Math.min(this.def.maxIntervalMs, this.demandCapMs ?? Infinity, ms));
  }

  waitForRead(): Promise<Sample> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Applies a read outcome; returns the sample or failure to publish. */
  apply(outcome: ItemOutcome): Sample | ReadFailure {
    const reason = this.triggered ? 'trigger' : 'schedule';
    this.triggered = false;
    if (!outcome.ok) return this.fail(outcome.error, outcome.at, outcome.illegalAddress);
    let value: EntityValue | null;
    try {
      value = this.decode(outcome.data);
    } catch (err) {
      return this.fail(err instanceof Error ? err : new Error(String(err)), outcome.at, false);
    }
    const s = this.status;
    if (this.counter !== undefined && typeof value === 'number') {
      const verdict = this.counter.judge(value);
      if (verdict.kind === 'hold') {
        s.countersHeld++;
        value = verdict.shown;
      }
    }
    const sample: Sample = {
      entityId: s.id, value, raw: outcome.data, at: outcome.at,
      changed: s.lastReadAt !== undefined && value !== s.lastValue,
      sincePreviousMs: s.lastReadAt === undefined ? undefined : outcome.at - s.lastReadAt,
      intervalMs: s.intervalMs, reason,
    };
    s.polls++;
    if (sample.changed) {
      s.changes++;
      s.lastChangeAt = outcome.at;
    }
    s.meanLatencyMs += (outcome.latencyMs - s.meanLatencyMs) / s.polls;
    s.lastValue = value;
    s.lastReadAt = outcome.at;
    s.consecutiveErrors = 0;
    s.illegalAddress = false;
    this.settle((w) => w.resolve(sample));
    return sample;
  }

  /** Rejects pending readNow callers (e.g. at stop). */
  abandon(error: Error): void {
    this.settle((w) => w.reject(error));
  }

  private fail(error: Error, at: number, illegalAddress: boolean): ReadFailure {
    const s = this.status;
    s.errors++;
    s.consecutiveErrors++;
    s.lastErrorAt = at;
    s.lastError = error.message;
    s.illegalAddress = illegalAddress;
    this.settle((w) => w.reject(error));
    return { entityId: s.id, at, error, consecutiveErrors: s.consecutiveErrors };
  }

  private settle(fn: (w: Waiter) => void): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach(fn);
  }
}

export function isSample(x: Sample | ReadFailure): x is Sample {
  return 'value' in x;
}
