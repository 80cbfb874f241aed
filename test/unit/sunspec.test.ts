/**
 * SunSpec without a map: the walker over a recorded register table (marker at 40000, 0 or 50000, the
 * model chain, the common model's identity, devices that end the chain with an exception), the
 * template built from what it found (addresses, scale-factor registers, not-implemented values,
 * status texts), decoding with a scale factor read in the same span, and the kept-map file.
 */
import { describe, expect, it } from '@jest/globals';
import { parseSunSpecCache, serializeSunSpecCache } from '../../src/config/sunspec/cache.js';
import { describeSunSpec, sunspecTemplate } from '../../src/config/sunspec/template.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ModbusExceptionError, ModbusTimeoutError } from '../../src/core/errors.js';
import { createDecoder } from '../../src/modbus/codecs.js';
import { readItemOf } from '../../src/modbus/readPlan.js';
import { SunSpecDiscoveryError, walkSunSpec, type ReadHolding } from '../../src/modbus/sunspec/walker.js';
import type { CodecSpec } from '../../src/modbus/types.js';
import { BASE, MODEL_AT, sunspecWords } from '../fixtures/sunspecMap.js';

const WHERE = { connection: 'gw', unitId: 1 };

/** A device holding `words` from `base`; anything else answers exception 2 (or times out). */
function device(words: number[], base = BASE, silent = false): { read: ReadHolding; reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  const read: ReadHolding = async (address, count) => {
    reads.push([address, count]);
    const ctx = { connection: 'gw', unitId: 1, fn: 3, address, count };
    if (silent) throw new ModbusTimeoutError('timed out', ctx);
    if (address < base || address + count > base + words.length) throw new ModbusExceptionError(2, ctx);
    return words.slice(address - base, address - base + count);
  };
  return { read, reads };
}

describe('the SunSpec walker', () => {
  it('finds the marker at 40000 and walks the chain to the end marker, reading only headers and the identity', async () => {
    const { read, reads } = device(sunspecWords());
    const map = await walkSunSpec(read, WHERE);
    expect(map).toEqual({
      base: 40000, manufacturer: 'Acme Solar', model: 'SX 10K', serialNumber: 'SX10-000042',
      models: [{ id: 1, address: MODEL_AT.common, length: 66 }, { id: 103, address: MODEL_AT.inverter, length: 50 }, { id: 203, address: MODEL_AT.meter, length: 105 }],
    });
    expect(reads).toEqual([[40000, 2], [MODEL_AT.common, 2], [MODEL_AT.inverter, 2], [MODEL_AT.meter, 2], [MODEL_AT.end, 2], [MODEL_AT.common + 2, 64]]);
  });

  it.each([0, 50000])('tries 40000, then 0, then 50000 (marker at %i)', async (base) => {
    const map = await walkSunSpec(device(sunspecWords(), base).read, WHERE);
    expect(map.base).toBe(base);
    expect(map.models.map((m) => m.id)).toEqual([1, 103, 203]);
  });

  it('takes an exception after the last model as the end (devices that omit the end marker)', async () => {
    const words = sunspecWords().slice(0, -2);
    expect((await walkSunSpec(device(words).read, WHERE)).models.map((m) => m.id)).toEqual([1, 103, 203]);
  });

  it('names the device and what it saw when there is no marker, and tells silence apart', async () => {
    const none = await walkSunSpec(device([1, 2, 3]).read, WHERE).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(SunSpecDiscoveryError);
    expect((none as Error).message).toBe('SunSpec discovery on gw unit 1: no "SunS" marker (40000: 0x0001 0x0002; 0: exception 2; 50000: exception 2)');
    const silent = await walkSunSpec(device([], BASE, true).read, WHERE).catch((e: unknown) => e);
    expect((silent as Error).message).toBe('SunSpec discovery on gw unit 1: the device does not answer (tried 40000, 0 and 50000)');
  });

  it('refuses a chain that runs past the last register, naming the register', async () => {
    const words = [0x5375, 0x6e53, 103, 30000];
    const err = await walkSunSpec(device(words, 40000).read, WHERE).catch((e: unknown) => e);
    expect((err as Error).message).toBe('SunSpec discovery on gw unit 1 at register 40002: model 103 of length 30000 runs past the last register');
  });
});

describe('the template from a discovered map', () => {
  const map = { base: 40000, manufacturer: 'Acme Solar', model: 'SX 10K', models: [
    { id: 1, address: MODEL_AT.common, length: 66 }, { id: 103, address: MODEL_AT.inverter, length: 50 },
    { id: 203, address: MODEL_AT.meter, length: 105 }, { id: 160, address: 41000, length: 8 + 2 * 20 }, { id: 64110, address: 42000, length: 10 },
  ] };
  const { template, ignored } = sunspecTemplate(map);
  const byKey = new Map(template.entities.map((e) => [e.key, e]));

  it('puts each point at its address with its scale-factor register and not-implemented value', () => {
    expect(byKey.get('ac_power')).toMatchObject({ address: MODEL_AT.inverter + 14, data_type: 'int16', scale_factor_register: MODEL_AT.inverter + 15, invalid_values: [-0x8000], device_class: 'power' });
    expect(byKey.get('ac_energy')).toMatchObject({ address: MODEL_AT.inverter + 24, data_type: 'uint32', scale_factor_register: MODEL_AT.inverter + 26, invalid_values: [0], state_class: 'total_increasing', unit_of_measurement: 'Wh' });
    expect(byKey.get('meter_energy_imported')).toMatchObject({ address: MODEL_AT.meter + 46, scale_factor_register: MODEL_AT.meter + 54 });
    expect(byKey.get('mppt2_dc_power')).toMatchObject({ address: 41000 + 10 + 20 + 11, scale_factor_register: 41004 });
    expect(byKey.get('serial_number')).toMatchObject({ address: MODEL_AT.common + 50, data_type: 'string', count: 16 });
    expect(byKey.get('status')?.value_map?.find((m) => m.value === 4)?.label).toBe('MPPT');
    expect(ignored).toEqual([64110]);
    expect(template.label).toBe('SX 10K');
    expect(describeSunSpec(map, 'gw', 1, template.entities.length)).toBe(`SunSpec at 40000 on gw unit 1 (Acme Solar SX 10K): models 1, 103, 203, 160, 64110 — ${template.entities.length} entities`);
  });

  it('is a valid device template: a sunspec device item resolves to entities whose read spans hold value and factor', () => {
    const resolved = resolveOptions(
      { connections: [{ name: 'gw', host: 'inverter' }], devices: [{ template: 'sunspec', connection: 'gw', prefix: 'pv' }] },
      [], new Map([['gw:1', map]]),
    );
    const power = resolved.entities.find((e) => e.id === 'pv_ac_power');
    expect(power).toMatchObject({ address: MODEL_AT.inverter + 14, count: 1, scaleFactorAt: 1, precision: undefined });
    expect(power && readItemOf(power)).toMatchObject({ address: MODEL_AT.inverter + 14, count: 2 });
    const dcCurrent = resolved.entities.find((e) => e.id === 'pv_mppt1_dc_current');
    expect(dcCurrent && readItemOf(dcCurrent)).toEqual({ key: 'pv_mppt1_dc_current', unitId: 1, fn: 3, address: 41002, count: 18 });
    expect(resolved.devices.find((d) => d.id === 'pv')).toMatchObject({ manufacturer: 'Acme Solar', model: 'SX 10K' });
  });

  it('an undiscovered sunspec device has no entities and is no config error', () => {
    const resolved = resolveOptions({ connections: [{ name: 'gw', host: 'inverter' }], devices: [{ template: 'sunspec', connection: 'gw' }] });
    expect(resolved.entities).toEqual([]);
  });

  it('keeps only the points of a model version that holds them, and no 160 module whose factor is out of one read', () => {
    const short = sunspecTemplate({ base: 0, models: [{ id: 1, address: 2, length: 48 }, { id: 160, address: 100, length: 8 + 8 * 20 }] }).template;
    expect(short.entities.map((e) => e.key).filter((k) => k.startsWith('serial'))).toEqual([]);
    expect(new Set(short.entities.filter((e) => e.key.endsWith('dc_power')).map((e) => e.key.split('_')[0]))).toEqual(new Set(['mppt1', 'mppt2', 'mppt3', 'mppt4', 'mppt5', 'mppt6']));
  });
});

describe('decoding with a scale factor read in the same span', () => {
  const spec = (over: Partial<CodecSpec>): CodecSpec => ({ dataType: 'int16', swap: 'none', count: 1, scale: 1, offset: 0, precision: undefined, ...over });
  it.each([
    ['factor after the value', spec({ scaleFactorAt: 1 }), [2304, 0xffff], 230.4],
    ['factor −2', spec({ scaleFactorAt: 1 }), [5001, 0xfffe], 50.01],
    ['factor +1', spec({ scaleFactorAt: 1 }), [512, 1], 5120],
    ['factor 0, negative value', spec({ scaleFactorAt: 1 }), [0xfa24, 0], -1500],
    ['a factor before the value (model 160)', spec({ dataType: 'uint16', scaleFactorAt: -3 }), [0xffff, 9, 9, 4321], 432.1],
    ['acc32 with a factor 2 registers on', spec({ dataType: 'uint32', count: 2, scaleFactorAt: 2 }), [0x075b, 0xcd15, 0xfffd], 123456.789],
    ['and a scale after the factor (Wh → kWh)', spec({ dataType: 'uint32', count: 2, scaleFactorAt: 2, scale: 0.001 }), [15, 4614, 1], 9876.54],
    ['sunssf not implemented', spec({ scaleFactorAt: 1 }), [2304, 0x8000], null],
    ['an implausible factor', spec({ scaleFactorAt: 1 }), [2304, 40], null],
    ['int16 not implemented', spec({ scaleFactorAt: 1, invalidValues: [-0x8000] }), [0x8000, 0xffff], null],
    ['uint16 not implemented', spec({ dataType: 'uint16', scaleFactorAt: 1, invalidValues: [0xffff] }), [0xffff, 0xffff], null],
    ['acc32 not implemented', spec({ dataType: 'uint32', count: 2, scaleFactorAt: 2, invalidValues: [0] }), [0, 0, 0], null],
    ['uint32 not implemented', spec({ dataType: 'uint32', count: 2, scaleFactorAt: 2, invalidValues: [0xffffffff] }), [0xffff, 0xffff, 0], null],
  ] as const)('%s', (_what, s, data, expected) => {
    expect(createDecoder(s, 'holding')([...data])).toBe(expected);
  });

  it('refuses a span shorter than value and factor, and a bit or a value map with a factor', () => {
    expect(() => createDecoder(spec({ scaleFactorAt: 1 }), 'holding')([1])).toThrow('int16 with its scale factor needs 2 registers of data, got 1');
    expect(() => createDecoder(spec({ scaleFactorAt: 1, bit: 1 }), 'holding')).toThrow(RangeError);
  });
});

describe('the kept maps', () => {
  it('round-trips and drops what does not look like a map, saying so', () => {
    const maps = new Map([['gw:1', { base: 40000, models: [{ id: 103, address: 40002, length: 50 }], discoveredAt: '2026-12-03T10:00:00.000Z', model: 'SX' }]]);
    const warnings: string[] = [];
    expect(parseSunSpecCache(serializeSunSpecCache(maps), (w) => warnings.push(w))).toEqual(maps);
    const damaged = JSON.stringify({ version: 1, devices: { 'gw:1': { base: 40000, models: [{ id: 'x' }], discoveredAt: 'y' }, 'gw:2': maps.get('gw:1') } });
    expect([...parseSunSpecCache(damaged, (w) => warnings.push(w)).keys()]).toEqual(['gw:2']);
    expect(parseSunSpecCache('{', (w) => warnings.push(w)).size).toBe(0);
    expect(warnings).toEqual(['sunspec_maps.json: the map kept for gw:1 is damaged; dropped', 'sunspec_maps.json is not JSON; discovering every SunSpec device afresh']);
  });
});

describe('the scale_factor_register option', () => {
  const base = { connections: [{ name: 'gw', host: 'h' }] };
  it('is checked: integers of a register table, within one read, never writable', () => {
    const problems = (entity: Record<string, unknown>) => {
      try {
        resolveOptions({ ...base, entities: [{ name: 'X', connection: 'gw', address: 100, ...entity }] });
        return [];
      } catch (err) {
        return (err as Error).message.split('\n').slice(1);
      }
    };
    expect(problems({ data_type: 'int16', scale_factor_register: 101 })).toEqual([]);
    expect(problems({ data_type: 'float32', scale_factor_register: 102 }).join()).toContain('scale_factor_register needs an integer data_type, not float32');
    expect(problems({ data_type: 'int16', scale_factor_register: 300 }).join()).toContain('must fit one read');
    expect(problems({ data_type: 'int16', scale_factor_register: 101, writable: true }).join()).toContain('cannot be combined with writable');
    expect(problems({ data_type: 'uint32', scale_factor_register: 101 }).join()).toContain("lies inside the value's own registers");
  });
});

describe('a SolarEdge inverter with its meters (the sunspec template, no SolarEdge map of its own)', () => {
  // SolarEdge's chain as its SunSpec technical note documents it and DerOetzi/solaredge2mqtt reads it from
  // production inverters (solaredge2mqtt/services/modbus/sunspec/meter.py, values.py): common model at 40002
  // (length 65), inverter 103 at 40069, then per meter a common model and a meter model, 174 registers apart.
  const models = [
    { id: 1, address: 40002, length: 65 }, { id: 103, address: 40069, length: 50 },
    { id: 1, address: 40121, length: 65 }, { id: 203, address: 40188, length: 105 },
    { id: 1, address: 40295, length: 65 }, { id: 203, address: 40362, length: 105 },
  ];
  const byKey = new Map(sunspecTemplate({ base: 40000, models }).template.entities.map((e) => [e.key, e]));

  it('puts the meter values where solaredge2mqtt reads them, with their scale factors', () => {
    const at = (key: string) => [byKey.get(key)?.address, byKey.get(key)?.scale_factor_register];
    expect(at('meter_current')).toEqual([40190, 40194]);
    expect(at('meter_voltage_l1')).toEqual([40196, 40203]);
    expect(at('meter_frequency')).toEqual([40204, 40205]);
    expect(at('meter_power')).toEqual([40206, 40210]);
    expect(at('meter_power_factor')).toEqual([40221, 40225]);
    expect(at('meter_energy_exported')).toEqual([40226, 40242]);
    expect(at('meter_energy_imported')).toEqual([40234, 40242]);
    expect(at('meter2_power')).toEqual([40206 + 174, 40210 + 174]);
    expect(at('ac_power')).toEqual([40083, 40084]);
    expect(at('ac_energy')).toEqual([40093, 40095]);
  });
});
