/**
 * Eastron SDM630 (three-phase) and SDM120 (single-phase) energy meters, from Eastron's Modbus protocol
 * documents: every value is an IEEE-754 float32 in a pair of input registers (function 4), big-endian,
 * numbered 30001, 30003, … in the manuals, i.e. protocol addresses 0, 2, 4, … Only the parameters most
 * installations use are listed; the rest of the map can be added with the entities option.
 */
import type { DeviceTemplate, TemplateEntity } from './types.js';

type Kind = 'voltage' | 'current' | 'power' | 'apparent' | 'reactive' | 'pf' | 'frequency' | 'energy' | 'reactive_energy' | 'demand' | 'thd';

/** Unit, device class, state class, precision and starting interval (s) per kind of value. */
const KINDS: Record<Kind, Omit<TemplateEntity, 'key' | 'name' | 'register_type' | 'address' | 'data_type'>> = {
  voltage: { unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement', precision: 1, scan_interval: 10 },
  current: { unit_of_measurement: 'A', device_class: 'current', state_class: 'measurement', precision: 2, scan_interval: 5 },
  power: { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement', precision: 0, scan_interval: 5 },
  apparent: { unit_of_measurement: 'VA', device_class: 'apparent_power', state_class: 'measurement', precision: 0, scan_interval: 10 },
  reactive: { unit_of_measurement: 'var', device_class: 'reactive_power', state_class: 'measurement', precision: 0, scan_interval: 10 },
  pf: { device_class: 'power_factor', state_class: 'measurement', precision: 3, scan_interval: 15 },
  frequency: { unit_of_measurement: 'Hz', device_class: 'frequency', state_class: 'measurement', precision: 2, scan_interval: 15 },
  energy: { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing', precision: 2, scan_interval: 60 },
  reactive_energy: { unit_of_measurement: 'kvarh', device_class: 'reactive_energy', state_class: 'total_increasing', precision: 2, scan_interval: 60 },
  demand: { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement', precision: 0, scan_interval: 60 },
  thd: { unit_of_measurement: '%', state_class: 'measurement', precision: 1, scan_interval: 60 },
};

/**
 * Eastron's protocol documents limit a request to 40 parameters, i.e. 80 registers, and answer more
 * with an exception (the SDM72D-M manual: 30 parameters; openWB PR #2890 saw some SDM630 units refuse
 * above about 50 — learned at run time when it happens, see modbus/readSizes.ts).
 */
const EASTRON_LIMITS = { max_registers_per_read: 80 } as const;

/** One float32 input register pair; `register` as the manual numbers it (30001 …). */
function value(key: string, name: string, register: number, kind: Kind): TemplateEntity {
  return { key, name, register_type: 'input', address: register - 30001, data_type: 'float32', ...KINDS[kind] };
}

/** The same parameter for L1, L2, L3 at consecutive register pairs. */
function phases(key: string, name: string, register: number, kind: Kind): TemplateEntity[] {
  return [1, 2, 3].map((n, i) => value(`${key}_l${n}`, `${name} L${n}`, register + 2 * i, kind));
}

/** The same registers on both meters: frequency, energy counters and power demand (30071 … 30088). */
const FREQUENCY_ENERGY_DEMAND: TemplateEntity[] = [
  value('frequency', 'Frequency', 30071, 'frequency'),
  value('import_energy', 'Import energy', 30073, 'energy'),
  value('export_energy', 'Export energy', 30075, 'energy'),
  value('import_reactive_energy', 'Import reactive energy', 30077, 'reactive_energy'),
  value('export_reactive_energy', 'Export reactive energy', 30079, 'reactive_energy'),
  value('total_demand', 'Total power demand', 30085, 'demand'),
  value('max_demand', 'Maximum power demand', 30087, 'demand'),
];

export const SDM630: DeviceTemplate = {
  name: 'eastron_sdm630',
  title: 'Eastron SDM630 three-phase meter (Modbus V2 map, input registers, float32)',
  prefix: 'sdm630',
  label: 'SDM630',
  manufacturer: 'Eastron',
  limits: EASTRON_LIMITS,
  entities: [
    ...phases('voltage', 'Voltage', 30001, 'voltage'),
    ...phases('current', 'Current', 30007, 'current'),
    ...phases('power', 'Power', 30013, 'power'),
    ...phases('apparent_power', 'Apparent power', 30019, 'apparent'),
    ...phases('reactive_power', 'Reactive power', 30025, 'reactive'),
    ...phases('power_factor', 'Power factor', 30031, 'pf'),
    value('total_power', 'Total power', 30053, 'power'),
    value('total_apparent_power', 'Total apparent power', 30057, 'apparent'),
    value('total_reactive_power', 'Total reactive power', 30061, 'reactive'),
    value('total_power_factor', 'Total power factor', 30063, 'pf'),
    ...FREQUENCY_ENERGY_DEMAND,
    value('voltage_l1_l2', 'Voltage L1-L2', 30201, 'voltage'),
    value('voltage_l2_l3', 'Voltage L2-L3', 30203, 'voltage'),
    value('voltage_l3_l1', 'Voltage L3-L1', 30205, 'voltage'),
    value('neutral_current', 'Neutral current', 30225, 'current'),
    ...phases('voltage_thd', 'Voltage THD', 30235, 'thd'),
    value('total_energy', 'Total energy', 30343, 'energy'),
    value('total_reactive_energy', 'Total reactive energy', 30345, 'reactive_energy'),
    ...phases('import_energy', 'Import energy', 30347, 'energy'),
    ...phases('export_energy', 'Export energy', 30353, 'energy'),
  ],
};

export const SDM120: DeviceTemplate = {
  name: 'eastron_sdm120',
  title: 'Eastron SDM120-Modbus single-phase meter (input registers, float32)',
  prefix: 'sdm120',
  label: 'SDM120',
  manufacturer: 'Eastron',
  limits: EASTRON_LIMITS,
  entities: [
    value('voltage', 'Voltage', 30001, 'voltage'),
    value('current', 'Current', 30007, 'current'),
    value('power', 'Power', 30013, 'power'),
    value('apparent_power', 'Apparent power', 30019, 'apparent'),
    value('reactive_power', 'Reactive power', 30025, 'reactive'),
    value('power_factor', 'Power factor', 30031, 'pf'),
    ...FREQUENCY_ENERGY_DEMAND,
    value('total_energy', 'Total energy', 30343, 'energy'),
    value('total_reactive_energy', 'Total reactive energy', 30345, 'reactive_energy'),
  ],
};
