/**
 * Synthetic poller samples for stats unit tests: entities with known change processes polled at
 * known intervals, fed straight into a stats service in virtual time (no bus, no poller), so a test
 * can cover days of evidence in milliseconds and knows the exact truth. Optionally the timing the
 * real poller has on a busy bus: intervals changed over time (re-aligned to the interval grid as the
 * poller does), each cycle starting late by a shared random delay, later blocks read a little later.
 */
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { exponential, hashSeed, seededRandom, type Random } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { alignUp } from '../../src/modbus/poller.js';
import type { Sample } from '../../src/modbus/pollerTypes.js';
import type { EntityValue } from '../../src/modbus/types.js';
import { createEntityStats, type EntityStatsService, type StatsEvents } from '../../src/stats/entityStats.js';
import type { StatsOptions } from '../../src/stats/types.js';

export const HOUR = 3_600_000;
export const START = Date.UTC(2026, 0, 5);

/** One simulated entity: changes at `ratePerHour(t)` (or at the given driver's instants), value per change. */
export interface SynthEntity {
  id: string;
  intervalMs: number;
  ratePerHour?: (t: number) => number;
  /** Change exactly when this other entity changes (a co-changing group). */
  follows?: string;
  /** The value after n changes (default: n, i.e. never repeating). */
  value?: (changes: number) => EntityValue;
  /** The interval in force at t (overrides intervalMs); the next poll is aligned to its grid, as the poller does. */
  intervalAt?: (t: number) => number;
  /** Read this long after its cycle starts (a later block of the same cycle). */
  offsetMs?: number;
}

/** Poll timing shared by all entities of a rig. */
export interface SynthTiming {
  /** How late the cycle due at `dueMs` starts (the same for every entity due then): a busy bus. */
  cycleDelayMs?: (dueMs: number) => number;
}

interface Live {
  spec: SynthEntity;
  random: Random;
  changes: number;
  nextChange: number;
  /** When the next poll is due (on the interval grid) and when it happens (late by the cycle's delay). */
  nextDue: number;
  nextPoll: number;
  lastPoll: number | undefined;
  lastValue: EntityValue | undefined;
  truth: number[];
}

export interface SynthRig {
  clock: VirtualClock;
  stats: EntityStatsService;
  events: EventBus<StatsEvents>;
  /** True change times per entity. */
  truth: Map<string, number[]>;
  /** Advances virtual time, emitting every poll as a `sample` event in time order. */
  run(ms: number): Promise<void>;
}

const MAX_STEPS = 1e6;

export function synthRig(entities: SynthEntity[], options: Partial<StatsOptions> = {}, seed = 1, timing: SynthTiming = {}): SynthRig {
  const clock = new VirtualClock(START);
  const events = new EventBus<StatsEvents>();
  const stats = createEntityStats({ clock, logger: createMemoryLogger(), events, options });
  const live = entities.map((spec): Live => ({
    spec, random: seededRandom(hashSeed(spec.id, seed)), changes: 0, nextChange: START, nextDue: START, nextPoll: START,
    lastPoll: undefined, lastValue: undefined, truth: [],
  }));
  for (const l of live) {
    l.nextChange = nextChangeAfter(l, START);
    l.nextPoll = pollTime(l, timing);
  }
  const byId = new Map(live.map((l) => [l.spec.id, l]));
  stats.start();
  return {
    clock, stats, events, truth: new Map(live.map((l) => [l.spec.id, l.truth])),
    async run(ms) {
      const end = clock.now() + ms;
      for (;;) {
        const next = live.reduce((a, b) => (b.nextPoll < a.nextPoll ? b : a));
        if (next.nextPoll > end) break;
        await clock.runUntil(next.nextPoll);
        poll(next, byId, events, timing);
      }
      await clock.runUntil(end);
    },
  };
}

/** Rates may only change on quarter hours (piecewise constant), so exact sampling steps through them. */
const RATE_STEP = HOUR / 4;

function nextChangeAfter(l: Live, t: number): number {
  const rate = l.spec.ratePerHour;
  if (!rate || l.spec.follows) return Infinity;
  let at = t;
  for (let guard = 0; guard < MAX_STEPS; guard++) {
    const perMs = rate(at) / HOUR;
    const step = perMs > 0 ? exponential(l.random, perMs) : Infinity;
    const boundary = (Math.floor(at / RATE_STEP) + 1) * RATE_STEP;
    if (at + step <= boundary) return at + step;
    at = boundary;
  }
  return Infinity;
}

function advance(l: Live, t: number, byId: Map<string, Live>): void {
  if (l.spec.follows) {
    const driver = byId.get(l.spec.follows);
    if (driver) {
      advance(driver, t, byId);
      while (l.changes < driver.changes) l.truth.push(driver.truth[l.changes++] ?? t);
    }
    return;
  }
  while (l.nextChange <= t) {
    l.truth.push(l.nextChange);
    l.changes++;
    l.nextChange = nextChangeAfter(l, l.nextChange);
  }
}

function intervalOf(l: Live, t: number): number {
  return l.spec.intervalAt?.(t) ?? l.spec.intervalMs;
}

function pollTime(l: Live, timing: SynthTiming): number {
  return l.nextDue + (timing.cycleDelayMs?.(l.nextDue) ?? 0) + (l.spec.offsetMs ?? 0);
}

/** The poller's rule: half an interval on, up to the grid of the interval then in force. */
function nextDueOnGrid(l: Live, intervalMs: number): number {
  const next = intervalOf(l, l.nextDue + intervalMs);
  return alignUp(l.nextDue + next / 2, next);
}

function poll(l: Live, byId: Map<string, Live>, events: EventBus<StatsEvents>, timing: SynthTiming): void {
  const t = l.nextPoll;
  const intervalMs = intervalOf(l, l.nextDue);
  advance(l, t, byId);
  const value = l.spec.value ? l.spec.value(l.changes) : l.changes;
  const sample: Sample = {
    entityId: l.spec.id, value, raw: [], at: t, changed: l.lastPoll !== undefined && value !== l.lastValue,
    sincePreviousMs: l.lastPoll === undefined ? undefined : t - l.lastPoll, intervalMs, reason: 'schedule',
  };
  l.lastPoll = t;
  l.lastValue = value;
  l.nextDue = l.spec.intervalAt ? nextDueOnGrid(l, intervalMs) : l.nextDue + intervalMs;
  l.nextPoll = pollTime(l, timing);
  events.emit('sample', sample);
}
