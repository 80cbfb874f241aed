/**
 * Fast first learning (issue 15): between the scheduled cycles, bounded evidence-driven steps on
 * single entities. Every minute:
 * - a value whose rate shifted up (stats/rateShift.ts: sunrise, a heat pump starting) and that is
 *   polled slower than configured goes straight back to its configured interval; when the goal's cap
 *   binds, a fresh allocation of its bus slows others to make room, and a shift takes the value out of
 *   an interval experiment (experimentWithdraw.ts) rather than leave it at its old interval;
 * - an entity whose last polls all saw a change is polled twice as often (surely polled too slowly);
 * - one that has not changed in many polls over several minutes half as often, when that quiet says
 *   something (no rate learned yet, a constant, or a quiet spell its learned rate cannot explain).
 * Each stays within the interval strategy's bounds and the entity's own, one rung of the ladder at a
 * time (shifts excepted), with fresh evidence needed at the new interval before the next step.
 * Slow-downs go first and free bus time; a speed-up is taken only while the bus stays within what the
 * goal allows (the configured intervals' bus time and requests for `save_bus`, `bus_budget` for
 * `freshest`: loadCap.ts), by the exact schedule model, and under `save_bus` only while the bus is
 * modelled staler than its configured intervals would keep it. Other entities in an open experiment are left
 * alone. This is what makes a fresh install useful within minutes and what acts on a regime change at
 * once; the scheduled cycles still do the global re-allocation and the judged experiments.
 */
import { repeat, type Clock, type Repeating } from '../core/clock.js';
import type { EntityStatus, PollerView } from '../modbus/pollerTypes.js';
import { snapToLadder } from './intervalLadder.js';
import { exceeds, type ScheduleLoad } from './loadCap.js';

export interface LocalStepDeps {
  clock: Clock;
  poller: Pick<PollerView, 'allEntityStatus' | 'setIntervalMs'>;
  /** Entities in an open experiment. */
  locked: () => ReadonlySet<string>;
  /**
   * Whether `bus` should get fresher at all: always for `freshest`; for `save_bus` only while it is
   * staler than its configured intervals would keep it (modelled at the learned rates) — beyond that,
   * freshness costs bus time the goal did not ask for, and only the cycles' allocation may buy it.
   */
  fresherWanted: (bus: string) => boolean;
  /** Takes a shifted entity out of its open experiments; true when it is free to move. */
  release: (entityId: string) => boolean;
  /** The interval strategy's bounds (ms). */
  bounds: () => { minMs: number; maxMs: number };
  /** What the stats module has learned of the entity's rate: nothing yet, constant, or a rate per ms. */
  learned: (entityId: string) => { kind: 'unknown' } | { kind: 'constant' } | { kind: 'rated'; ratePerMs: number };
  /** Modelled bus fraction and requests of `bus` with some intervals overridden (the exact schedule model). */
  load: (bus: string, overrides: ReadonlyMap<string, number>) => ScheduleLoad;
  /** The most the goal allows on `bus`, in bus time and in requests (loadCap.ts). */
  capOf: (bus: string) => ScheduleLoad;
  /**
   * The entity's shift in force (stats/rateShift.ts): since when, and whether its polls showed it or
   * only a context state it was never polled in; undefined while none is in force.
   */
  shiftOf: (entityId: string) => { since: number; observed: boolean } | undefined;
  /** The entity's configured scan interval (ms): where a shifted entity goes back to at once. */
  configuredMs: (entityId: string) => number | undefined;
  /**
   * Frees room on `bus` for the given intervals: slows other entities to a fresh allocation's targets
   * (slow-downs only); returns what it moved (entity → [before, after]).
   */
  makeRoom: (bus: string, overrides: ReadonlyMap<string, number>) => Map<string, [number, number]>;
  /** One audit record per tick that moved something. */
  audit: (what: string, before: Record<string, number>, after: Record<string, number>) => void;
  everyMs?: number;
  /** Steps per tick at most (speed-ups and slow-downs together). */
  maxStepsPerTick?: number;
}

/** Polls in a row that all saw a change: the value surely changes faster than it is polled. */
export const SATURATED_RUN = 3;
/**
 * A value unchanged for this many polls, and for at least QUIET_MS, is polled too often: after q quiet
 * polls at T its rate is below 3/(qT) (95 %), so doubling T adds at most about 1.5·T/q of expected
 * age — 7.5 % of T at 20 polls.
 */
export const QUIET_POLLS = 20;
export const QUIET_MS = 5 * 60_000;
/**
 * A value with a learned rate λ is slowed on quiet polls only when so long a quiet spell would be
 * this unlikely at λ (e^(−λ·quiet) below 0.1 %): its regime changed (night, a stopped heat pump). A
 * value that is merely rare keeps its interval; the judged cycles move it.
 */
export const REGIME_CHANGE_EXPOSURE = 7;

/** Evidence at the entity's current interval (a new interval starts it afresh). */
interface Track {
  intervalMs: number;
  /** Counters at the previous tick. */
  polls: number;
  changes: number;
  /** Polls in a row, up to the last tick, that all saw a change. */
  run: number;
  /** Polls in a row, up to the last tick, that saw none. */
  quiet: number;
}

export interface StepCounts {
  faster: number;
  slower: number;
  /** Steps against the entity's previous step direction. */
  flips: number;
  /** Entities put back to their configured interval on a regime shift. */
  shifts: number;
}

export class LocalSteps {
  private readonly tracks = new Map<string, Track>();
  private readonly lastDirection = new Map<string, 1 | -1>();
  /** Per entity, the shift already acted on (its start time, and whether it was observed then). */
  private readonly actedShift = new Map<string, string>();
  private ticking: Repeating | undefined;
  readonly counts: StepCounts = { faster: 0, slower: 0, flips: 0, shifts: 0 };

  constructor(private readonly deps: LocalStepDeps) {}

  start(): void {
    this.ticking = repeat(this.deps.clock, this.deps.everyMs ?? 60_000, () => this.tick());
  }

  stop(): void {
    this.ticking?.stop();
    this.ticking = undefined;
  }

  /** One round of steps; returns the intervals moved (entity → [before, after]). */
  tick(): Map<string, [number, number]> {
    const { minMs, maxMs } = this.deps.bounds();
    const locked = this.deps.locked();
    const faster: Array<{ s: EntityStatus; to: number; run: number }> = [];
    const slower: Array<{ s: EntityStatus; to: number }> = [];
    const jumps: Array<{ s: EntityStatus; to: number }> = [];
    for (const s of this.deps.poller.allEntityStatus()) {
      const t = this.track(s);
      if (s.illegalAddress || s.consecutiveErrors > 0) continue;
      const jump = this.shiftJump(s, minMs, maxMs);
      if (locked.has(s.id)) {
        if (jump !== undefined && this.deps.release(s.id)) jumps.push({ s, to: jump });
        continue;
      }
      if (jump !== undefined) jumps.push({ s, to: jump });
      else if (t.run >= SATURATED_RUN && s.intervalMs > minMs) {
        faster.push({ s, to: snapToLadder(s.intervalMs / 2, minMs, maxMs), run: t.run });
      } else if (t.quiet >= QUIET_POLLS && t.quiet * s.intervalMs >= QUIET_MS && s.intervalMs < maxMs && this.quietMeansSlower(s.id, t.quiet * s.intervalMs)) {
        slower.push({ s, to: snapToLadder(s.intervalMs * 2, minMs, maxMs) });
      }
    }
    const budget = { left: this.deps.maxStepsPerTick ?? 50 };
    const moved = new Map<string, [number, number]>();
    const room = this.jump(jumps, moved, budget);
    for (const { s, to } of slower) {
      if (budget.left <= 0) break;
      if (to > s.intervalMs) this.step(s, to, moved, budget);
    }
    faster.sort((a, b) => b.run - a.run || a.s.id.localeCompare(b.s.id));
    const overrides = new Map([...moved].map(([id, [, to]]) => [id, to]));
    const wanted = new Map<string, boolean>();
    const wants = (bus: string) => wanted.get(bus) ?? wanted.set(bus, this.deps.fresherWanted(bus)).get(bus);
    for (const { s, to } of faster) {
      if (budget.left <= 0) break;
      if (to >= s.intervalMs || !wants(s.bus)) continue;
      overrides.set(s.id, to);
      if (exceeds(this.deps.load(s.bus, overrides), this.deps.capOf(s.bus))) {
        overrides.delete(s.id);
        continue;
      }
      this.step(s, to, moved, budget);
    }
    if (moved.size > 0 || room.size > 0) this.auditTick(moved, room, jumps.length);
    for (const [id, step] of room) moved.set(id, step);
    return moved;
  }

  /**
   * A regime shift not yet acted on sends an entity polled slower than configured straight back to its
   * configured interval (its rate is unknown again; the configured interval is what the user expects).
   */
  private shiftJump(s: EntityStatus, minMs: number, maxMs: number): number | undefined {
    const shift = this.deps.shiftOf(s.id);
    const key = shift && `${shift.since}:${shift.observed}`;
    if (key === undefined || this.actedShift.get(s.id) === key) return undefined;
    this.actedShift.set(s.id, key);
    const configured = this.deps.configuredMs(s.id);
    if (configured === undefined) return undefined;
    const to = snapToLadder(configured, minMs, maxMs);
    return to < s.intervalMs ? to : undefined;
  }

  /**
   * Takes the shift jumps first: when a bus's jumps do not fit the goal's cap together, one fresh
   * allocation of that bus makes room (others slowed); a jump that still does not fit goes to the
   * fastest rung that does. Returns the entities slowed to make room.
   */
  private jump(jumps: ReadonlyArray<{ s: EntityStatus; to: number }>, moved: Map<string, [number, number]>, budget: { left: number }): Map<string, [number, number]> {
    const room = new Map<string, [number, number]>();
    const buses = new Set(jumps.map((j) => j.s.bus));
    for (const bus of buses) {
      // shifts the polls showed before context states never polled in: those values surely changed
      const observed = (id: string) => (this.deps.shiftOf(id)?.observed ? 0 : 1);
      const mine = jumps.filter((j) => j.s.bus === bus).sort((a, b) => observed(a.s.id) - observed(b.s.id));
      const overrides = () => new Map([...moved].map(([id, [, ms]]) => [id, ms]));
      const all = new Map([...overrides(), ...mine.map((j): [string, number] => [j.s.id, j.to])]);
      if (exceeds(this.deps.load(bus, all), this.deps.capOf(bus))) {
        for (const [id, step] of this.deps.makeRoom(bus, all)) if (!moved.has(id)) room.set(id, step);
      }
      for (const { s, to } of mine) {
        let done = false;
        for (let at = to; at < s.intervalMs && !done; at *= 2) {
          if (exceeds(this.deps.load(bus, new Map([...overrides(), [s.id, at]])), this.deps.capOf(bus))) continue;
          this.step(s, at, moved, { left: Infinity });
          this.counts.shifts++;
          budget.left--;
          done = true;
        }
        if (!done) this.actedShift.delete(s.id); // no room now: tried again next tick
      }
    }
    return room;
  }

  private auditTick(moved: ReadonlyMap<string, [number, number]>, room: ReadonlyMap<string, [number, number]>, shifted: number): void {
    const up = [...moved.values()].filter(([from, to]) => to < from).length;
    const all = [...moved, ...room];
    const what = `local steps: ${up} faster (every poll changed${shifted > 0 ? ', or a regime shift' : ''}), ${moved.size - up} slower (no change in ${QUIET_POLLS}+ polls, ${QUIET_MS / 60_000}+ min)`
      + (room.size > 0 ? `, ${room.size} slowed to make room for a regime shift` : '');
    this.deps.audit(what, Object.fromEntries(all.map(([id, [from]]) => [id, from])), Object.fromEntries(all.map(([id, [, to]]) => [id, to])));
  }

  /** Quiet polls justify a slow-down without a rate, for a constant, or when the rate cannot explain them. */
  private quietMeansSlower(entityId: string, quietMs: number): boolean {
    const learned = this.deps.learned(entityId);
    return learned.kind !== 'rated' || learned.ratePerMs * quietMs >= REGIME_CHANGE_EXPOSURE;
  }

  private step(s: EntityStatus, to: number, moved: Map<string, [number, number]>, budget: { left: number }): void {
    const applied = this.deps.poller.setIntervalMs(s.id, to);
    if (applied === s.intervalMs) return;
    budget.left--;
    moved.set(s.id, [s.intervalMs, applied]);
    const direction = applied < s.intervalMs ? 1 : -1;
    if (direction === 1) this.counts.faster++;
    else this.counts.slower++;
    const last = this.lastDirection.get(s.id);
    if (last !== undefined && last !== direction) this.counts.flips++;
    this.lastDirection.set(s.id, direction);
    this.tracks.set(s.id, { intervalMs: applied, polls: s.polls, changes: s.changes, run: 0, quiet: 0 });
  }

  /** Updates the entity's evidence from its counters; a new interval (set by anyone) starts it afresh. */
  private track(s: EntityStatus): Track {
    const t = this.tracks.get(s.id);
    if (!t || t.intervalMs !== s.intervalMs || s.polls < t.polls) {
      const fresh = { intervalMs: s.intervalMs, polls: s.polls, changes: s.changes, run: 0, quiet: 0 };
      this.tracks.set(s.id, fresh);
      return fresh;
    }
    const polls = s.polls - t.polls;
    const changes = s.changes - t.changes;
    if (polls > 0) {
      t.run = changes >= polls ? t.run + polls : 0;
      t.quiet = changes === 0 ? t.quiet + polls : 0;
    }
    t.polls = s.polls;
    t.changes = s.changes;
    return t;
  }

}
