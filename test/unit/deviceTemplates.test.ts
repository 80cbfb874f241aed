// Built-in device templates: the register maps as the manufacturers document them, every row valid
// as an entity, and `devices: [{template, connection, unit_id, prefix}]` turning into ordinary entities,
// with problems named by device item.
import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { TEMPLATE_NAMES, TEMPLATES, templateNamed } from '../../src/config/templates/index.js';
import { ConfigError } from '../../src/core/errors.js';
import type { EntityDef } from '../../src/modbus/types.js';

const gw = { name: 'gw', host: '10.0.0.5' };
const problemsOf = (raw: unknown): string[] => {
  try {
    resolveOptions(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('template tables', () => {
  it('are listed by name, and every template resolves as entities without a problem', () => {
    expect(new Set(TEMPLATE_NAMES).size).toBe(TEMPLATES.length + 1); // sunspec: its map is discovered
    expect(TEMPLATE_NAMES).toEqual(expect.arrayContaining(['eastron_sdm630', 'eastron_sdm120', 'huawei_sun2000']));
    for (const t of TEMPLATES) {
      const { entities } = resolveOptions({ connections: [gw], devices: [{ template: t.name, connection: 'gw' }] });
      expect(entities.map((e) => e.id)).toEqual(t.entities.map((e) => `${t.prefix}_${e.key}`));
    }
  });

  it('never overlap two values in the same registers', () => {
    for (const t of TEMPLATES) {
      const { entities } = resolveOptions({ connections: [gw], devices: [{ template: t.name, connection: 'gw' }] });
      const sorted = [...entities].sort((a, b) => a.address - b.address);
      const overlaps = sorted.slice(1).filter((e, i) => {
        const prev = sorted[i];
        return prev !== undefined && prev.registerType === e.registerType && prev.address + prev.count > e.address;
      });
      expect({ template: t.name, overlaps: overlaps.map((e) => e.id) }).toEqual({ template: t.name, overlaps: [] });
    }
  });

  it('Eastron SDM630: float32 input register pairs at the documented addresses (30001 → 0)', () => {
    const row = (key: string) => templateNamed('eastron_sdm630')?.entities.find((e) => e.key === key);
    const at: Record<string, number> = {
      voltage_l1: 0, voltage_l3: 4, current_l1: 6, power_l1: 12, power_factor_l1: 30, total_power: 52,
      frequency: 70, import_energy: 72, export_energy: 74, voltage_l1_l2: 200, neutral_current: 224, total_energy: 342,
    };
    for (const [key, address] of Object.entries(at)) {
      expect(row(key)).toMatchObject({ address, register_type: 'input', data_type: 'float32' });
    }
    expect(row('import_energy')).toMatchObject({ unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' });
  });

  it('Huawei SUN2000: holding registers with the documented gains', () => {
    const row = (key: string) => templateNamed('huawei_sun2000')?.entities.find((e) => e.key === key);
    expect(row('active_power')).toMatchObject({ register_type: 'holding', address: 32080, data_type: 'int32', unit_of_measurement: 'W' });
    expect(row('pv1_voltage')).toMatchObject({ address: 32016, data_type: 'int16', scale: 0.1 });
    expect(row('frequency')).toMatchObject({ address: 32085, scale: 0.01 });
    expect(row('total_energy')).toMatchObject({ address: 32106, data_type: 'uint32', scale: 0.01, state_class: 'total_increasing' });
    expect(row('model')).toMatchObject({ address: 30000, data_type: 'string', count: 15 });
  });
});

describe('devices option', () => {
  it('instantiates a template on a connection and unit with the prefix in ids and names', () => {
    const { entities } = resolveOptions({
      connections: [gw],
      entities: [{ name: 'Boiler', connection: 'gw', address: 3 }],
      devices: [{ template: 'eastron_sdm630', connection: 'gw', unit_id: 2, prefix: 'grid_meter' }, { template: 'eastron_sdm120', connection: 'gw', unit_id: 3 }],
    });
    expect(entities[0]?.id).toBe('boiler');
    expect(entities.find((e) => e.id === 'grid_meter_voltage_l1')).toMatchObject({
      name: 'Grid meter Voltage L1', connection: 'gw', unitId: 2, registerType: 'input', address: 0, dataType: 'float32', count: 2,
      unitOfMeasurement: 'V', deviceClass: 'voltage', stateClass: 'measurement', precision: 1, scanIntervalMs: 10_000,
    });
    expect(entities.find((e) => e.id === 'sdm120_power')).toMatchObject({ name: 'SDM120 Power', unitId: 3, address: 12 });
  });

  it('names the device item in every problem, once', () => {
    expect(problemsOf({
      connections: [gw],
      entities: [{ name: 'sdm630 frequency', connection: 'gw', address: 1 }],
      devices: [
        { template: 'sdm999', connection: 'gw' },
        { template: 'eastron_sdm630', connection: 'nowhere', prefix: 'a' },
        { template: 'eastron_sdm630', connection: 'gw' },
        { template: 'eastron_sdm630', connection: 'gw', unit_id: 4 },
        { template: 'eastron_sdm120', connection: 'gw', prefix: 'Bad-Prefix' },
      ],
    })).toEqual([
      'devices[0]: template "sdm999" is not one of eastron_sdm630, eastron_sdm120, huawei_sun2000, huawei_dtsu666h, huawei_luna2000, growatt_mod, growatt_min, sunspec',
      'devices[1] (a): connection "nowhere" is not a configured connection (known: gw)',
      'devices[2] (sdm630): id "sdm630_frequency" is already used by entities[0] (sdm630 frequency)',
      'devices[3] (sdm630): prefix "sdm630" (the template\'s default) is already used by devices[2] (sdm630); give each device its own prefix',
      'devices[4]: prefix "Bad-Prefix" does not match ^[a-z0-9_]+$',
    ]);
  });
});

describe('declared device limits', () => {
  it('templates declare their manuals\' limits per unit; a device option overrides one field; other units and connections keep none', () => {
    const { connections } = resolveOptions({
      connections: [gw, { name: 'other', host: '10.0.0.6' }],
      devices: [
        { template: 'eastron_sdm630', connection: 'gw', unit_id: 2 },
        { template: 'huawei_sun2000', connection: 'gw', unit_id: 1, timeout_ms: 15_000 },
        { template: 'eastron_sdm120', connection: 'gw', unit_id: 3, prefix: 'sdm120', max_registers_per_read: 50 },
      ],
    });
    const limits = connections.find((c) => c.name === 'gw')?.unitLimits;
    expect(limits?.get(2)).toEqual({ maxRegisters: 80 });
    expect(limits?.get(1)).toEqual({ maxRegisters: 64, maxGap: 15, pauseMs: 50, connectPauseMs: 1000, timeoutMs: 15_000 });
    expect(limits?.get(3)).toEqual({ maxRegisters: 50 });
    expect(connections.find((c) => c.name === 'other')?.unitLimits).toBeUndefined();
  });

  it('bad limit values are named with their device item', () => {
    expect(problemsOf({ connections: [gw], devices: [{ template: 'eastron_sdm630', connection: 'gw', max_registers_per_read: 200, pause_ms: -1 }] }))
      .toEqual(expect.arrayContaining([expect.stringMatching(/^devices\[0\].*max_registers_per_read 200 is not between 1 and 125/), expect.stringMatching(/^devices\[0\].*pause_ms/)]));
  });
});

describe('sentinels, bits and value maps in options', () => {
  const e = (extra: Record<string, unknown>) => ({ connections: [gw], entities: [{ name: 'x', connection: 'gw', address: 0, ...extra }] });

  it('the SUN2000 template marks every integer row\'s sentinel and names the status codes', () => {
    const { entities } = resolveOptions({ connections: [gw], devices: [{ template: 'huawei_sun2000', connection: 'gw' }] });
    const byId = new Map(entities.map((d) => [d.id, d]));
    expect(byId.get('sun2000_pv1_voltage')?.invalidValues).toEqual([0x7fff]);
    expect(byId.get('sun2000_total_energy')?.invalidValues).toEqual([0xffffffff]);
    expect(byId.get('sun2000_model')?.invalidValues).toBeUndefined();
    expect(byId.get('sun2000_device_status')?.valueMap?.get(0x0200)).toBe('On-grid');
  });

  it('refuses what cannot be decoded, naming the field', () => {
    expect(problemsOf(e({ data_type: 'float32', bit: 3 }))).toEqual([expect.stringMatching(/entities\[0\].*bit needs data_type uint16 or uint32, not float32/)]);
    expect(problemsOf(e({ bit: 16 }))).toEqual([expect.stringMatching(/bit 16 is past the 16 bits of a uint16/)]);
    expect(problemsOf(e({ data_type: 'float32', value_map: [{ value: 1, label: 'a' }] }))).toEqual([expect.stringMatching(/value_map needs an integer data_type, not float32/)]);
    expect(problemsOf(e({ value_map: [{ value: 1, label: 'a' }, { value: 1, label: 'b' }] }))).toEqual([expect.stringMatching(/value_map lists the code 1 twice/)]);
    expect(problemsOf(e({ data_type: 'string', count: 2, invalid_values: [0] }))).toEqual([expect.stringMatching(/invalid_values needs an integer data_type/)]);
    expect(problemsOf(e({ bit: 2, writable: true }))).toEqual([expect.stringMatching(/bit cannot be written on its own/)]);
    expect(problemsOf(e({ bit: 2, value_map: [{ value: 1, label: 'a' }] }))).toEqual([expect.stringMatching(/bit and value_map cannot both be set/)]);
  });
});

describe('what is read through a SUN2000: the DTSU666-H meter and the LUNA2000 battery', () => {
  it('sit on the inverter\'s unit with its limits, at the addresses and gains of huawei-solar-lib', () => {
    const resolved = resolveOptions({ connections: [gw], devices: ['huawei_sun2000', 'huawei_dtsu666h', 'huawei_luna2000'].map((template) => ({ template, connection: 'gw' })) });
    const byId = new Map(resolved.entities.map((d) => [d.id, d]));
    // [id, address, data type, scale] as wlcrs/huawei-solar-lib registers.py reads them
    const rows: Array<[string, number, string, number]> = [
      ['grid_meter_voltage_l1', 37101, 'int32', 0.1], ['grid_meter_current_l3', 37111, 'int32', 0.01],
      ['grid_meter_active_power', 37113, 'int32', 1], ['grid_meter_power_factor', 37117, 'int16', 0.001],
      ['grid_meter_exported_energy', 37119, 'int32', 0.01], ['grid_meter_imported_energy', 37121, 'int32', 0.01],
      ['battery_state_of_charge', 37760, 'uint16', 0.1], ['battery_power', 37765, 'int32', 1],
      ['battery_total_charge', 37780, 'uint32', 0.01], ['battery_total_discharge', 37782, 'uint32', 0.01],
    ];
    expect(rows.map(([id]) => { const d = byId.get(id); return [id, d?.address, d?.dataType, d?.scale]; })).toEqual(rows);
    expect(byId.get('grid_meter_imported_energy')).toMatchObject({ stateClass: 'total_increasing', unitOfMeasurement: 'kWh', invalidValues: [0x7fffffff] });
    expect(byId.get('battery_status')?.valueMap?.get(2)).toBe('Running');
    expect(resolved.connections[0]?.unitLimits?.get(1)).toMatchObject({ maxRegisters: 64, pauseMs: 50, connectPauseMs: 1000 });
    expect(resolved.devices.map((d) => d.id)).toEqual(['sun2000', 'grid_meter', 'battery']);
  });
});

describe('Growatt MOD and MIN', () => {
  it('read input registers at the addresses and gains of growatt_local (inverter_120.py)', () => {
    const ids = (template: string) => new Map(resolveOptions({ connections: [gw], devices: [{ template, connection: 'gw' }] }).entities.map((d) => [d.id, d]));
    const mod = ids('growatt_mod');
    const min = ids('growatt_min');
    const row = (m: Map<string, EntityDef>, id: string) => { const d = m.get(id); return [id, d?.registerType, d?.address, d?.dataType, d?.scale]; };
    expect([row(mod, 'growatt_output_power'), row(mod, 'growatt_energy_total'), row(mod, 'growatt_voltage_l3'), row(mod, 'growatt_frequency'), row(mod, 'growatt_pv2_power')]).toEqual([
      ['growatt_output_power', 'input', 35, 'uint32', 0.1], ['growatt_energy_total', 'input', 55, 'uint32', 0.1],
      ['growatt_voltage_l3', 'input', 46, 'uint16', 0.1], ['growatt_frequency', 'input', 37, 'uint16', 0.01], ['growatt_pv2_power', 'input', 9, 'uint32', 0.1],
    ]);
    expect([row(min, 'growatt_output_power'), row(min, 'growatt_energy_today'), row(min, 'growatt_voltage'), row(min, 'growatt_temperature')]).toEqual([
      ['growatt_output_power', 'input', 3023, 'uint32', 0.1], ['growatt_energy_today', 'input', 3049, 'uint32', 0.1],
      ['growatt_voltage', 'input', 3026, 'uint16', 0.1], ['growatt_temperature', 'input', 3093, 'uint16', 0.1],
    ]);
    expect(mod.get('growatt_status')?.valueMap?.get(1)).toBe('Normal');
  });
});
