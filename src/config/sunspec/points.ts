/**
 * The SunSpec points this app offers as entities, per model, as register offsets from the model's
 * first register (its ID). Offsets, types, units and scale-factor points were read from the SunSpec
 * Alliance's model definitions (github.com/sunspec/models, json/model_1, 101–103, 111–113, 124, 160,
 * 201–204; Apache-2.0) and are written here as our own table, not copied: only the points a Home
 * Assistant user watches (power, energy, voltages, currents, frequency, temperatures, status, battery
 * charge), with HA device and state classes. Models of one family share a layout (101–103 differ only
 * in how many phases are wired; 111–113 are their float32 versions; 201–204 the meters).
 */
import type { TemplateEntity } from '../templates/types.js';

/** A SunSpec point type as it sits in the registers. */
export type PointType = 'int16' | 'uint16' | 'acc32' | 'uint32' | 'int32' | 'enum16' | 'float32' | 'string';

export interface SunSpecPoint {
  key: string;
  name: string;
  /** Registers from the model's ID register. */
  offset: number;
  type: PointType;
  /** Offset of the point's sunssf register from the model's ID register (integer models). */
  sf?: number;
  /** Registers of a string point. */
  size?: number;
  kind: Kind;
}

type Kind = 'current' | 'voltage' | 'power' | 'apparent' | 'reactive' | 'pf' | 'frequency' | 'energy' | 'temperature'
  | 'battery' | 'charge' | 'info' | 'status' | 'storage';

/** How each kind of point shows in Home Assistant, with a starting poll interval (the optimizer tunes it). */
export const KINDS: Record<Kind, Partial<TemplateEntity> & { scan_interval: number }> = {
  current: { unit_of_measurement: 'A', device_class: 'current', state_class: 'measurement', scan_interval: 10 },
  voltage: { unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement', scan_interval: 10 },
  power: { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement', scan_interval: 5 },
  apparent: { unit_of_measurement: 'VA', device_class: 'apparent_power', state_class: 'measurement', scan_interval: 10 },
  reactive: { unit_of_measurement: 'var', device_class: 'reactive_power', state_class: 'measurement', scan_interval: 10 },
  pf: { unit_of_measurement: '%', device_class: 'power_factor', state_class: 'measurement', scan_interval: 10 },
  frequency: { unit_of_measurement: 'Hz', device_class: 'frequency', state_class: 'measurement', scan_interval: 10 },
  energy: { unit_of_measurement: 'Wh', device_class: 'energy', state_class: 'total_increasing', scan_interval: 60 },
  temperature: { unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement', scan_interval: 60 },
  battery: { unit_of_measurement: '%', device_class: 'battery', state_class: 'measurement', scan_interval: 30 },
  charge: { unit_of_measurement: 'Ah', state_class: 'measurement', scan_interval: 60 },
  storage: { unit_of_measurement: 'W', device_class: 'power', scan_interval: 3600 },
  info: { scan_interval: 3600 },
  status: { scan_interval: 30 },
};

/** Operating state of models 101–103, 111–113 (St) and 160's modules (DCSt). */
export const OPERATING_STATES: ReadonlyArray<[number, string]> = [
  [1, 'Off'], [2, 'Sleeping'], [3, 'Starting'], [4, 'MPPT'], [5, 'Throttled'], [6, 'Shutting down'], [7, 'Fault'], [8, 'Standby'],
];
export const MODULE_STATES: ReadonlyArray<[number, string]> = [...OPERATING_STATES, [9, 'Test']];
/** Model 124's ChaSt. */
export const CHARGE_STATES: ReadonlyArray<[number, string]> = [
  [1, 'Off'], [2, 'Empty'], [3, 'Discharging'], [4, 'Charging'], [5, 'Full'], [6, 'Holding'], [7, 'Testing'],
];

const PHASES = ['l1', 'l2', 'l3'] as const;

function phased(count: number, make: (phase: string, i: number) => SunSpecPoint): SunSpecPoint[] {
  return PHASES.slice(0, count).map((ph, i) => make(ph, i));
}

/** Model 1 (common): firmware and serial number as diagnostic values; manufacturer and model name the device. */
export const COMMON: readonly SunSpecPoint[] = [
  { key: 'version', name: 'Firmware version', offset: 42, type: 'string', size: 8, kind: 'info' },
  { key: 'serial_number', name: 'Serial number', offset: 50, type: 'string', size: 16, kind: 'info' },
];

/** Models 101 (1 phase), 102 (split phase, 2) and 103 (3 phases): integers with scale factors. */
export function inverterPoints(phases: number): SunSpecPoint[] {
  return [
    { key: 'ac_current', name: 'AC current', offset: 2, type: 'uint16', sf: 6, kind: 'current' },
    ...phased(phases, (ph, i) => ({ key: `ac_current_${ph}`, name: `AC current ${ph.toUpperCase()}`, offset: 3 + i, type: 'uint16', sf: 6, kind: 'current' })),
    ...(phases === 3 ? [['l1_l2', 7], ['l2_l3', 8], ['l3_l1', 9]].map(([ph, at]): SunSpecPoint =>
      ({ key: `ac_voltage_${ph}`, name: `AC voltage ${String(ph).toUpperCase().replace('_', '-')}`, offset: Number(at), type: 'uint16', sf: 13, kind: 'voltage' })) : []),
    ...phased(phases, (ph, i) => ({ key: `ac_voltage_${ph}`, name: `AC voltage ${ph.toUpperCase()}`, offset: 10 + i, type: 'uint16', sf: 13, kind: 'voltage' })),
    { key: 'ac_power', name: 'AC power', offset: 14, type: 'int16', sf: 15, kind: 'power' },
    { key: 'ac_frequency', name: 'AC frequency', offset: 16, type: 'uint16', sf: 17, kind: 'frequency' },
    { key: 'ac_apparent_power', name: 'AC apparent power', offset: 18, type: 'int16', sf: 19, kind: 'apparent' },
    { key: 'ac_reactive_power', name: 'AC reactive power', offset: 20, type: 'int16', sf: 21, kind: 'reactive' },
    { key: 'ac_power_factor', name: 'AC power factor', offset: 22, type: 'int16', sf: 23, kind: 'pf' },
    { key: 'ac_energy', name: 'AC energy', offset: 24, type: 'acc32', sf: 26, kind: 'energy' },
    { key: 'dc_current', name: 'DC current', offset: 27, type: 'uint16', sf: 28, kind: 'current' },
    { key: 'dc_voltage', name: 'DC voltage', offset: 29, type: 'uint16', sf: 30, kind: 'voltage' },
    { key: 'dc_power', name: 'DC power', offset: 31, type: 'int16', sf: 32, kind: 'power' },
    { key: 'cabinet_temperature', name: 'Cabinet temperature', offset: 33, type: 'int16', sf: 37, kind: 'temperature' },
    { key: 'heatsink_temperature', name: 'Heat sink temperature', offset: 34, type: 'int16', sf: 37, kind: 'temperature' },
    { key: 'status', name: 'Status', offset: 38, type: 'enum16', kind: 'status' },
  ];
}

/** Models 111–113: the same points as float32, two registers each, no scale factors. */
export function floatInverterPoints(phases: number): SunSpecPoint[] {
  const at: Record<string, number> = {
    ac_current: 2, ac_current_l1: 4, ac_current_l2: 6, ac_current_l3: 8, ac_voltage_l1_l2: 10, ac_voltage_l2_l3: 12,
    ac_voltage_l3_l1: 14, ac_voltage_l1: 16, ac_voltage_l2: 18, ac_voltage_l3: 20, ac_power: 22, ac_frequency: 24,
    ac_apparent_power: 26, ac_reactive_power: 28, ac_power_factor: 30, ac_energy: 32, dc_current: 34, dc_voltage: 36,
    dc_power: 38, cabinet_temperature: 40, heatsink_temperature: 42, status: 48,
  };
  return inverterPoints(phases).map(({ sf: _sf, ...p }) => ({ ...p, offset: at[p.key] ?? p.offset, type: p.type === 'enum16' ? 'enum16' : 'float32' }));
}

/** Models 201 (1 phase), 202 (split phase), 203 (wye) and 204 (delta) meters. */
export function meterPoints(phases: number): SunSpecPoint[] {
  return [
    { key: 'current', name: 'Current', offset: 2, type: 'int16', sf: 6, kind: 'current' },
    ...phased(phases, (ph, i) => ({ key: `current_${ph}`, name: `Current ${ph.toUpperCase()}`, offset: 3 + i, type: 'int16', sf: 6, kind: 'current' })),
    ...phased(phases, (ph, i) => ({ key: `voltage_${ph}`, name: `Voltage ${ph.toUpperCase()}`, offset: 8 + i, type: 'int16', sf: 15, kind: 'voltage' })),
    { key: 'frequency', name: 'Frequency', offset: 16, type: 'int16', sf: 17, kind: 'frequency' },
    { key: 'power', name: 'Power', offset: 18, type: 'int16', sf: 22, kind: 'power' },
    ...(phases > 1 ? phased(phases, (ph, i) => ({ key: `power_${ph}`, name: `Power ${ph.toUpperCase()}`, offset: 19 + i, type: 'int16', sf: 22, kind: 'power' })) : []),
    { key: 'apparent_power', name: 'Apparent power', offset: 23, type: 'int16', sf: 27, kind: 'apparent' },
    { key: 'reactive_power', name: 'Reactive power', offset: 28, type: 'int16', sf: 32, kind: 'reactive' },
    { key: 'power_factor', name: 'Power factor', offset: 33, type: 'int16', sf: 37, kind: 'pf' },
    { key: 'energy_exported', name: 'Energy exported', offset: 38, type: 'acc32', sf: 54, kind: 'energy' },
    { key: 'energy_imported', name: 'Energy imported', offset: 46, type: 'acc32', sf: 54, kind: 'energy' },
  ];
}

/** Model 124 (basic storage). */
export const STORAGE: readonly SunSpecPoint[] = [
  { key: 'max_charge_power', name: 'Maximum charge power', offset: 2, type: 'uint16', sf: 18, kind: 'storage' },
  { key: 'state_of_charge', name: 'State of charge', offset: 8, type: 'uint16', sf: 22, kind: 'battery' },
  { key: 'available_charge', name: 'Available charge', offset: 9, type: 'uint16', sf: 23, kind: 'charge' },
  { key: 'voltage', name: 'Voltage', offset: 10, type: 'uint16', sf: 24, kind: 'voltage' },
  { key: 'status', name: 'Status', offset: 11, type: 'enum16', kind: 'status' },
];

/** Model 160 (multiple MPPT): each module is 20 registers from offset 10; its factors sit in the header. */
export const MPPT_MODULE_START = 10;
export const MPPT_MODULE_SIZE = 20;
export const MPPT_HEADER = 8;
export function mpptModulePoints(index: number): SunSpecPoint[] {
  const base = MPPT_MODULE_START + MPPT_MODULE_SIZE * index;
  return [
    { key: 'dc_current', name: 'DC current', offset: base + 9, type: 'uint16', sf: 2, kind: 'current' },
    { key: 'dc_voltage', name: 'DC voltage', offset: base + 10, type: 'uint16', sf: 3, kind: 'voltage' },
    { key: 'dc_power', name: 'DC power', offset: base + 11, type: 'uint16', sf: 4, kind: 'power' },
    { key: 'dc_energy', name: 'DC energy', offset: base + 12, type: 'acc32', sf: 5, kind: 'energy' },
    { key: 'temperature', name: 'Temperature', offset: base + 16, type: 'int16', kind: 'temperature' },
    { key: 'status', name: 'Status', offset: base + 17, type: 'enum16', kind: 'status' },
  ];
}
