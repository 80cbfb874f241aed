/**
 * The regime-shift jump of the local steps (optimizer/localSteps.ts) with fakes: a shifted entity
 * polled slower than configured goes straight to its configured interval; when the goal's cap binds,
 * room is made first (others slowed by a fresh allocation) and the jump waits for none; a shifted
 * entity in an experiment moves only when the loop releases it; a shift is acted on once.
 */
import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { EntityStatus } from '../../src/modbus/pollerTypes.js';
import { LocalSteps, type LocalStepDeps } from '../../src/optimizer/localSteps.js';

const status = (id: string, intervalMs: number): EntityStatus => ({
  id, countersHeld: 0, bus: 'b', intervalMs, polls: 10, changes: 0, errors: 0, consecutiveErrors: 0, lastValue: 1,
  lastReadAt: undefined, lastChangeAt: undefined, lastError: undefined, lastErrorAt: undefined, meanLatencyMs: 0, illegalAddress: false,
});

function rig(opts: { capPerS: number; locked?: string[]; release?: boolean }) {
  const intervals = new Map([['pv', 240_000], ['meter', 7_500], ['other', 15_000]]);
  const shifted = new Map([['pv', 1]]);
  const released: string[] = [];
  const roomCalls: Array<Map<string, number>> = [];
  // one request per poll, each 1 % of a second: bus fraction = Σ 10 ms / interval
  const load = (overrides: ReadonlyMap<string, number>) => {
    let f = 0;
    for (const [id, ms] of intervals) f += 10 / (overrides.get(id) ?? ms);
    return { busFraction: f, requestsPerMs: 0 };
  };
  const deps: LocalStepDeps = {
    clock: new VirtualClock(0),
    poller: {
      allEntityStatus: () => [...intervals].map(([id, ms]) => status(id, ms)),
      setIntervalMs: (id, ms) => {
        intervals.set(id, ms);
        return ms;
      },
    },
    locked: () => new Set(opts.locked ?? []),
    fresherWanted: () => true,
    release: (id) => {
      released.push(id);
      return opts.release ?? true;
    },
    bounds: () => ({ minMs: 5_000, maxMs: 300_000 }),
    learned: () => ({ kind: 'rated', ratePerMs: 1e-3 }),
    load: (_bus, overrides) => load(overrides),
    capOf: () => ({ busFraction: opts.capPerS * 10 / 1000, requestsPerMs: 1 }),
    shiftOf: (id) => { const since = shifted.get(id); return since === undefined ? undefined : { since, observed: true }; },
    configuredMs: () => 15_000,
    makeRoom: (_bus, overrides) => {
      roomCalls.push(new Map(overrides));
      intervals.set('meter', 15_000); // the fresh allocation slows the meter back to 15 s
      return new Map([['meter', [7_500, 15_000]]]);
    },
    audit: () => undefined,
  };
  return { steps: new LocalSteps(deps), intervals, released, roomCalls };
}

describe('local steps on a regime shift', () => {
  it('sends a shifted entity straight to its configured interval, once', () => {
    const r = rig({ capPerS: 1 });
    const moved = r.steps.tick();
    expect(moved.get('pv')).toEqual([240_000, 15_000]);
    expect(r.roomCalls).toHaveLength(0); // it fitted
    r.intervals.set('pv', 240_000);
    expect(r.steps.tick().has('pv')).toBe(false); // the same shift is not acted on twice
  });

  it('makes room first when the cap binds: others slowed by the allocation, then the jump', () => {
    // before: 10/240000 + 10/7500 + 10/15000 per ms ≈ 0.00204; with pv at 15 s 0.00267; cap 0.0021 → no fit
    const r = rig({ capPerS: 0.21 });
    const moved = r.steps.tick();
    expect(r.roomCalls[0]?.get('pv')).toBe(15_000);
    expect(moved.get('meter')).toEqual([7_500, 15_000]);
    expect(r.intervals.get('pv')).toBe(15_000); // after room: 3 × 10/15000 = 0.0020 fits
  });

  it('goes only as fast as fits when even the room is not enough', () => {
    const r = rig({ capPerS: 0.17 }); // after room 0.0020 > 0.0017: 30 s gives 0.00167
    r.steps.tick();
    expect(r.intervals.get('pv')).toBe(30_000);
  });

  it('moves a shifted entity in an experiment only when the loop releases it', () => {
    const held = rig({ capPerS: 1, locked: ['pv'], release: false });
    held.steps.tick();
    expect(held.released).toEqual(['pv']);
    expect(held.intervals.get('pv')).toBe(240_000);
    const freed = rig({ capPerS: 1, locked: ['pv'], release: true });
    freed.steps.tick();
    expect(freed.intervals.get('pv')).toBe(15_000);
  });
});
