import { describe, expect, it } from '@jest/globals';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { IntervalStrategy } from '../../src/optimizer/intervalStrategy.js';
import type { Goal } from '../../src/optimizer/objective.js';
import type { StrategyContext } from '../../src/optimizer/strategy.js';
import type { ConnectionDef, EntityDef } from '../../src/modbus/types.js';
import type { RateEstimate, StatsView } from '../../src/stats/types.js';

const CONN: ConnectionDef = {
  name: 'gw', type: 'rtuovertcp', host: 'h', port: 502, serialPort: '', baudrate: 9600, parity: 'none', dataBits: 8,
  stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 20,
};

function entity(id: string, address: number): EntityDef {
  return {
    id, name: id, connection: 'gw', unitId: 1, registerType: 'holding', address, dataType: 'uint16', swap: 'none', count: 1,
    scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined, stateClass: undefined,
    scanIntervalMs: 15_000, minIntervalMs: 1000, maxIntervalMs: 3_600_000,
  };
}

function estimate(ratePerHour: number, kind: RateEstimate['kind'] = 'continuous', saturated = false): RateEstimate {
  return { ratePerHour, lower: ratePerHour * 0.9, upper: ratePerHour * 1.1, confidence: 0.9, saturated, samples: 500, kind, model: 'censored' };
}

function rig(rates: Record<string, RateEstimate | undefined>, budget = 0.01, goal: Goal = 'freshest') {
  const ids = Object.keys(rates);
  const intervals = new Map(ids.map((id) => [id, 15_000]));
  const failing = new Set<string>();
  const poller = {
    intervalMs: (id: string) => intervals.get(id),
    setIntervalMs: (id: string, ms: number) => {
      if (failing.has(id)) throw new Error('entity vanished');
      const applied = Math.min(3_600_000, Math.max(1000, ms));
      intervals.set(id, applied);
      return applied;
    },
  };
  const stats = {
    rate: (id: string) => rates[id],
    currentRate: (id: string) => rates[id],
    recommendedIntervalMs: () => 40_000,
    shift: () => undefined,
  } as unknown as StatsView;
  const logger = createMemoryLogger();
  const strategy = new IntervalStrategy({
    clock: new VirtualClock(0), logger, poller,
    targetInputs: () => ({
      entities: ids.map((id, i) => entity(id, i * 50)), connections: new Map([['gw', CONN]]), stats, budget, goal,
      currentIntervalMs: (id) => intervals.get(id),
    }),
  });
  const ctx = (parameters: Record<string, number>, eligible: (id: string) => boolean = () => true): StrategyContext => (
    { now: 0, by: 'test', parameters: { ...strategy.defaults, ...parameters }, successRate: 0.5, eligible });
  /** Proposes and applies everything (the loop would apply a random half first). */
  const run = async (c: StrategyContext) => {
    const proposal = await strategy.propose(c);
    return { ...proposal, changes: proposal.changes.filter((ch) => strategy.apply(ch)) };
  };
  return { strategy, intervals, failing, logger, ctx, run };
}

describe('IntervalStrategy', () => {
  it('moves intervals toward budget-optimal targets: fast values faster, constants to the maximum', async () => {
    const r = rig({ fast: estimate(3600), slow: estimate(2), constant: estimate(0, 'constant'), unrated: undefined });
    const result = await r.run(r.ctx({ aggressiveness: 1 }));
    const fast = r.intervals.get('fast') ?? 0;
    const slow = r.intervals.get('slow') ?? 0;
    expect(fast).toBeLessThan(15_000);
    expect(slow).toBeGreaterThan(fast * 2);
    expect(r.intervals.get('constant')).toBe(240_000); // the top rung (15 s · 2^k) under max_interval 300 s
    expect(r.intervals.get('unrated')).toBe(30_000); // the stats module's 40 s recommendation, on the ladder
    expect(result.changes.map((c) => c.target).sort()).toEqual(['constant', 'fast', 'slow', 'unrated']);
  });

  it('puts everything rated at the minimum when the budget allows it', async () => {
    const r = rig({ fast: estimate(360), slow: estimate(2) }, 0.5);
    await r.run(r.ctx({ aggressiveness: 1 }));
    expect([r.intervals.get('fast'), r.intervals.get('slow')]).toEqual([5000, 5000]);
  });

  it('goes only part of the way with aggressiveness < 1, in whole rungs of the power-of-two ladder', async () => {
    const full = rig({ fast: estimate(360), slow: estimate(2) });
    await full.run(full.ctx({ aggressiveness: 1 }));
    const half = rig({ fast: estimate(360), slow: estimate(2) });
    await half.run(half.ctx({ aggressiveness: 0.5 })); // step 0.5 × (0.5 + 0.5) = 0.5
    for (const id of ['fast', 'slow']) {
      const target = full.intervals.get(id) ?? 0;
      const rungs = Math.log2(target / 15_000); // 15 s is a rung
      const expected = 15_000 * 2 ** (Math.sign(rungs) * Math.max(1, Math.round(Math.abs(rungs) / 2)));
      expect(half.intervals.get(id)).toBe(expected);
      expect(Math.log2((half.intervals.get(id) ?? 0) / 15_000) % 1).toBeCloseTo(0, 9); // on the ladder
    }
  });

  it('changes at most max_entities_per_run, the biggest gains first', async () => {
    const r = rig({ a: estimate(0, 'constant'), b: estimate(1000), c: estimate(20) });
    const result = await r.run(r.ctx({ aggressiveness: 1, max_entities_per_run: 1 }));
    expect(result.changes.length).toBe(1);
    expect(result.changes[0]?.target).toBe('b'); // the fastest value has the most staleness to gain
  });

  it('proposes without applying anything, and nothing for entities in an open experiment', async () => {
    const r = rig({ fast: estimate(360), slow: estimate(2) });
    const proposal = await r.strategy.propose(r.ctx({ aggressiveness: 1 }, (id) => id !== 'slow'));
    expect(proposal.changes.map((c) => c.target)).toEqual(['fast']);
    expect(proposal.changes[0]).toMatchObject({ kind: 'interval', before: 15_000, entities: ['fast'], evidence: { value: 360, lower: 324 } });
    expect(proposal.changes[0]?.evidence?.upper).toBeCloseTo(396, 9);
    expect([r.intervals.get('fast'), r.intervals.get('slow')]).toEqual([15_000, 15_000]);
  });

  it('with goal save_bus leaves unrated entities alone and keeps rated ones as fresh as configured for less bus time', async () => {
    const r = rig({ fast: estimate(360), slow: estimate(2), constant: estimate(0, 'constant'), unrated: undefined }, 0.01, 'save_bus');
    await r.run(r.ctx({ aggressiveness: 1 }));
    expect(r.intervals.get('unrated')).toBe(15_000);
    expect(r.intervals.get('fast') ?? 0).toBeLessThan(15_000); // the bus time saved on the slow ones buys it
    expect(r.intervals.get('constant')).toBe(240_000);
  });

  it('logs a failing entity and carries on with the others', async () => {
    const r = rig({ fast: estimate(360), slow: estimate(2) });
    r.failing.add('fast');
    const result = await r.run(r.ctx({ aggressiveness: 1 }));
    expect(result.changes.map((c) => c.target)).toEqual(['slow']);
    expect(r.logger.lines).toContain('WARNING Failed to optimize interval for fast: entity vanished');
  });

  it('reverts a change only while the interval is still what it set', async () => {
    const r = rig({ fast: estimate(360) });
    const { changes } = await r.run(r.ctx({ aggressiveness: 1 }));
    const change = changes[0];
    if (!change) throw new Error('expected a change');
    expect(r.strategy.revert(change)).toBe(true);
    expect(r.intervals.get('fast')).toBe(15_000);
    r.intervals.set('fast', 9000); // someone else changed it since
    expect(r.strategy.revert(change)).toBe(false);
    expect(r.intervals.get('fast')).toBe(9000);
  });
});
