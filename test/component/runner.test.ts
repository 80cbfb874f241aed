import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { HoleSet } from '../../src/modbus/holes.js';
import type { PlanLimits, ReadItem } from '../../src/modbus/planner.js';
import { snapToLadder } from '../../src/optimizer/intervalLadder.js';
import { oracle, oracleIntervals } from '../../src/sim/baselines/oracle.js';
import { onePerEntity, solaxBlocks, telegrafMaxInsert } from '../../src/sim/baselines/plans.js';
import { haDefault, solaxTiers, telegraf, tierOf } from '../../src/sim/baselines/static.js';
import { SimSite } from '../../src/sim/groundTruth.js';
import { HOUR_MS } from '../../src/sim/rates.js';
import { DEFAULT_START_MS, runSimulation } from '../../src/sim/runner.js';
import { siteOptions, solarHome } from '../../src/sim/sites.js';

const limits: PlanLimits = { maxRegisters: 125, maxBits: 2000, timing: { baudrate: 9600, turnaroundMs: 20, roundTripMs: 0 } };
const item = (key: string, address: number, count = 1): ReadItem => ({ key, unitId: 1, fn: 3, address, count });
const spans = (blocks: ReturnType<typeof onePerEntity>) => blocks.map((b) => [b.address, b.count]);

describe('baseline planners (pure)', () => {
  const items = [item('a', 0, 2), item('b', 2), item('c', 40), item('d', 90), item('e', 160)];

  it('HA core: one request per entity, even for neighbours', () => {
    expect(spans(onePerEntity(items, limits))).toEqual([[0, 2], [2, 1], [40, 1], [90, 1], [160, 1]]);
  });

  it('Telegraf max_insert: bridges gaps of up to 50 registers', () => {
    expect(spans(telegrafMaxInsert(items, limits))).toEqual([[0, 91], [160, 1]]); // gaps 37 and 49 bridged, 69 not
  });

  it('SolaX-like: any gap within a 100-register span', () => {
    expect(spans(solaxBlocks(items, limits))).toEqual([[0, 91], [160, 1]]);
  });

  it('all respect learned holes and the connection cap', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 10, 20);
    expect(spans(telegrafMaxInsert(items, { ...limits, holes }))).toEqual([[0, 3], [40, 51], [160, 1]]);
    expect(spans(solaxBlocks(items, { ...limits, maxRegisters: 30 }))).toEqual([[0, 3], [40, 1], [90, 1], [160, 1]]);
  });
});

describe('baseline intervals', () => {
  const entities = resolveOptions(siteOptions(solarHome(), 'gw', 502)).entities;
  const byId = (id: string) => entities.find((e) => e.id === id) ?? entities[0];

  it('SolaX tiers by unit: power fast, energy and temperature medium, the rest slow', () => {
    expect(['inverter_pv1_power', 'heat_pump_flow_temperature', 'inverter_grid_voltage_l1', 'inverter_status']
      .map((id) => tierOf(byId(id) ?? (entities[0] as never)))).toEqual(['fast', 'medium', 'slow', 'slow']);
  });

  it('the oracle follows the regime: PV is left alone at night and polled by day', () => {
    const site = new SimSite(solarHome(), { seed: 1, startMs: DEFAULT_START_MS });
    const connections = resolveOptions(siteOptions(solarHome(), 'gw', 502)).connections;
    const ctx = { site, connections, entities, startMs: DEFAULT_START_MS };
    const night = oracleIntervals(ctx, 0.1, DEFAULT_START_MS + 3 * HOUR_MS);
    const day = oracleIntervals(ctx, 0.1, DEFAULT_START_MS + 12 * HOUR_MS);
    expect(night.get('inverter_pv1_power')).toBe(3_600_000);
    expect(day.get('inverter_pv1_power')).toBeLessThanOrEqual(16_000);
    expect(day.get('inverter_serial')).toBe(3_600_000);
    expect(snapToLadder(5_000, 1000, 3_600_000)).toBe(3_750); // the ladder is 15 s · 2^k
    expect(snapToLadder(6_000, 1000, 3_600_000)).toBe(7_500);
  });
});

describe('virtual-time runner', () => {
  const spec = { site: solarHome(), seed: 5, durationMs: HOUR_MS / 4, startMs: DEFAULT_START_MS + 6 * HOUR_MS };

  it('is deterministic: the same seed gives the same figures', async () => {
    const setting = telegraf.settings[1] ?? { label: '15 s', value: 15 };
    const a = await runSimulation({ ...spec, policy: telegraf, setting });
    const b = await runSimulation({ ...spec, policy: telegraf, setting });
    expect(a.figures).toEqual(b.figures);
    expect(a.figures.changes).toBeGreaterThan(1000);
  });

  it('one realisation for all: with a shared epoch, policies with different warm-ups see the same change times', async () => {
    const epochMs = spec.startMs - 2 * HOUR_MS;
    const fast = telegraf.settings[0] ?? { label: '5 s', value: 5 };
    const slow = haDefault.settings[haDefault.settings.length - 1] ?? { label: '60 s', value: 60 };
    const a = await runSimulation({ ...spec, policy: telegraf, setting: fast, epochMs, recordChanges: true });
    const b = await runSimulation({ ...spec, policy: haDefault, setting: slow, epochMs, warmupMs: HOUR_MS, recordChanges: true });
    const ids = a.truth.entityIds();
    a.truth.advanceAll(spec.startMs + spec.durationMs);
    b.truth.advanceAll(spec.startMs + spec.durationMs);
    const inWindow = (times: Float64Array) => [...times].filter((t) => t > spec.startMs && t <= spec.startMs + spec.durationMs);
    let compared = 0;
    for (const id of ids) {
      expect(inWindow(b.truth.changeTimes(id))).toEqual(inWindow(a.truth.changeTimes(id)));
      compared += inWindow(a.truth.changeTimes(id)).length;
    }
    expect(compared).toBeGreaterThan(1000);
    // and without the shared epoch the realisation differs (the test can fail)
    const c = await runSimulation({ ...spec, policy: haDefault, setting: slow, warmupMs: HOUR_MS, recordChanges: true });
    c.truth.advanceAll(spec.startMs + spec.durationMs);
    expect(ids.some((id) => inWindow(c.truth.changeTimes(id)).join() !== inWindow(a.truth.changeTimes(id)).join())).toBe(true);
  });

  it('more bus time buys less staleness, policy by policy', async () => {
    for (const policy of [haDefault, solaxTiers, oracle]) {
      const [lavish, frugal] = [policy.settings[0], policy.settings[policy.settings.length - 1]];
      if (!lavish || !frugal) throw new Error('no settings');
      const [l, f] = await Promise.all([lavish, frugal].map((setting) => runSimulation({ ...spec, policy, setting })));
      const [more, less] = [l?.figures, f?.figures].sort((x, y) => (y?.busUtilisation ?? 0) - (x?.busUtilisation ?? 0));
      expect(more?.busUtilisation).toBeGreaterThan(less?.busUtilisation ?? Infinity);
      expect(more?.meanStalenessMs).toBeLessThan(less?.meanStalenessMs ?? 0);
    }
  });
});
