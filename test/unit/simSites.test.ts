import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { SDM630 } from '../../src/config/templates/eastron.js';
import { createDecoder } from '../../src/modbus/codecs.js';
import { SimSite } from '../../src/sim/groundTruth.js';
import { DAY_MS, HOUR_MS } from '../../src/sim/rates.js';
import { DEFAULT_START_MS } from '../../src/sim/runner.js';
import type { SimDevice } from '../../src/sim/simDevice.js';
import { industrial, siteOptions, solarHome } from '../../src/sim/sites.js';

const T0 = DEFAULT_START_MS; // a midnight

function site(seed = 1): SimSite {
  return new SimSite(solarHome(), { seed, startMs: T0 });
}

function device(s: SimSite, name: string): SimDevice {
  const d = s.devices.find((x) => x.spec.name === name);
  if (!d) throw new Error(name);
  return d;
}

/** Brings only the named entities up to t (the whole site over a day takes seconds). */
function advance(s: SimSite, ids: readonly string[], t: number): void {
  for (const id of ids) s.valueAt(id, t);
}

function changesIn(s: SimSite, id: string, from: number, to: number): number {
  return [...s.changeTimes(id)].filter((t) => t >= from && t < to).length;
}

describe('simulated sites', () => {
  it('solar-home has ~120 entities and industrial ~1,000 on ten units, and both resolve as user options', () => {
    const home = resolveOptions(siteOptions(solarHome(), '127.0.0.1', 502));
    const plant = resolveOptions(siteOptions(industrial(), '127.0.0.1', 502));
    expect(home.entities.length).toBeGreaterThanOrEqual(110);
    expect(home.entities.length).toBeLessThanOrEqual(130);
    expect(plant.entities.length).toBeGreaterThanOrEqual(950);
    expect(new Set(plant.entities.map((e) => e.unitId)).size).toBe(10);
    expect(home.connections.map((c) => [c.type, c.baudrate, c.maxRegistersPerRead])).toEqual([['rtuovertcp', 9600, 125], ['rtuovertcp', 9600, 30]]);
  });

  it('is deterministic from the seed: the same seed gives the same change times, another seed others', () => {
    const ids = ['inverter_pv1_power', 'meter_power_l1', 'heat_pump_flow_temperature', 'inverter_status'];
    const [a, b, c] = [site(7), site(7), site(8)];
    for (const s of [a, b, c]) advance(s, ids, T0 + 8 * HOUR_MS);
    for (const id of ids) {
      expect([...a.changeTimes(id)]).toEqual([...b.changeTimes(id)]);
    }
    expect([...a.changeTimes('meter_power_l1')]).not.toEqual([...c.changeTimes('meter_power_l1')]);
  });

  it('change times do not depend on how often anyone looks', () => {
    const [often, once] = [site(3), site(3)];
    for (let t = T0; t <= T0 + 2 * HOUR_MS; t += 1000) often.valueAt('meter_current_l1', t);
    once.valueAt('meter_current_l1', T0 + 2 * HOUR_MS);
    expect([...often.changeTimes('meter_current_l1')]).toEqual([...once.changeTimes('meter_current_l1')]);
  });

  it('inverter: PV moves every few seconds by day and not at night; identity never; counters only climb; holes answer exception 2', () => {
    const s = site();
    advance(s, ['inverter_pv1_power', 'inverter_serial', 'inverter_firmware_master', 'inverter_status', 'inverter_grid_voltage_l1'], T0 + DAY_MS);
    const night = changesIn(s, 'inverter_pv1_power', T0, T0 + 6 * HOUR_MS);
    const day = changesIn(s, 'inverter_pv1_power', T0 + 6 * HOUR_MS, T0 + 18 * HOUR_MS);
    expect(night).toBe(0);
    expect(day / (12 * 3600)).toBeGreaterThan(1 / 6); // more than one change every 6 s
    expect(s.changeCount('inverter_serial') + s.changeCount('inverter_firmware_master')).toBe(0);
    expect(changesIn(s, 'inverter_status', T0, T0 + DAY_MS)).toBeLessThan(20);
    expect(s.valueAt('inverter_pv_energy_total', T0 + DAY_MS)).toBeGreaterThan(s.initialValue('inverter_pv_energy_total'));
    const grid = s.changeCount('inverter_grid_voltage_l1');
    expect(grid / (360 * 24)).toBeCloseTo(1, 0);
    const inverter = device(s, 'inverter');
    expect(inverter.read(4, 10, 8, T0 + DAY_MS)).toEqual({ exception: 2 }); // 12..15 is unmapped
    expect('data' in inverter.read(4, 16, 14, T0 + DAY_MS)).toBe(true);
  });

  it('meter: float32 values in register pairs from address 0 (30001), SDM630-style', () => {
    const s = site();
    const meter = device(s, 'meter');
    const reply = meter.read(4, 0, 6, T0);
    const decode = createDecoder({ dataType: 'float32', swap: 'none', count: 2, scale: 1, offset: 0, precision: undefined }, 'input');
    if (!('data' in reply)) throw new Error('exception');
    expect([0, 2, 4].map((i) => decode(reply.data.slice(i, i + 2)))).toEqual([230.4, 230.4, 230.4]);
    expect(meter.read(4, 90, 2, T0)).toEqual({ exception: 2 });
  });

  it('meter: serves every row of the SDM630 template at its address (the full map on the industrial site)', () => {
    const full = new SimSite(industrial(), { seed: 1, startMs: T0 }).devices.find((d) => d.spec.name === 'meter1');
    if (!full) throw new Error('meter1');
    const served = SDM630.entities.map((e) => [e.key, 'data' in full.read(4, e.address, 2, T0)]);
    expect(served).toEqual(SDM630.entities.map((e) => [e.key, true]));
    const points = new Map(full.spec.points.map((p) => [p.id, p]));
    expect(SDM630.entities.filter((e) => points.get(`meter1_${e.key}`)?.address !== e.address).map((e) => e.key)).toEqual([]);
  });

  it('heat pump: refuses reads over 30 registers; compressor, power, frequency, pump and flow change together', () => {
    const s = site();
    const hp = device(s, 'heat_pump');
    expect(hp.read(3, 0, 31, T0)).toEqual({ exception: 3 });
    advance(s, ['heat_pump_power'], T0 + DAY_MS); // one shared model drives the whole group
    const [group] = s.coChangeGroups();
    expect(group).toEqual(['heat_pump_compressor', 'heat_pump_power', 'heat_pump_flow_temperature', 'heat_pump_pump_speed', 'heat_pump_compressor_frequency']);
    const switches = [...s.changeTimes('heat_pump_compressor')];
    expect(switches.length).toBeGreaterThan(20);
    for (const id of group ?? []) {
      const times = new Set(s.changeTimes(id));
      expect(switches.every((t) => times.has(t))).toBe(true);
    }
    expect(s.changeCount('heat_pump_power')).toBeGreaterThan(switches.length * 10); // modulation while running
  });

  it('exposes true rates per regime and context ground truth that agrees with the device', () => {
    const s = site();
    expect(s.regimes('inverter_pv1_power')).toEqual({ by: 'sun.sun', perHour: { above_horizon: 900, below_horizon: 0 } });
    expect(s.regimes('meter_voltage_l1')).toEqual({ by: undefined, perHour: { always: 360 } });
    expect(s.regimes('heat_pump_power').by).toBe('binary_sensor.heat_pump_running');
    expect(s.contextStateAt('sun.sun', T0 + 5 * HOUR_MS)).toBe('below_horizon');
    expect(s.contextStateAt('sun.sun', T0 + 6 * HOUR_MS)).toBe('above_horizon');
    expect(s.rateAt('inverter_pv1_power', T0 + 12 * HOUR_MS)).toBe(900);
    for (let t = T0 + 1000; t < T0 + 6 * HOUR_MS; t += 60_000) {
      const running = s.contextStateAt('binary_sensor.heat_pump_running', t) === 'on';
      expect(s.valueAt('heat_pump_compressor', t)).toBe(running ? 1 : 0);
    }
  });
});
