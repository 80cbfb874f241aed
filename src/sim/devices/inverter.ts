/**
 * A hybrid solar inverter's register map, modelled on common hybrid inverters: identity and settings
 * in holding registers, live values in input registers grouped in banks with unmapped gaps between
 * them (reads across a gap answer exception 2), and a few coils and discrete inputs. PV values move
 * every few seconds while the sun is up and rest at night, grid values jitter all day, energy counters
 * only climb, status and fault codes change a few times a day, identity never changes. Commercial
 * variants add more MPPT trackers and string current monitoring.
 */
import type { SimDeviceSpec, SimPointSpec } from '../simDevice.js';
import { always, bySun } from '../rates.js';
import { constant, counter, row, states, walk } from '../points.js';

const IDENTITY: SimPointSpec[] = [
  row('serial', 'Serial number', 'holding', 0, 'string', '', constant(0), { count: 8, text: 'HY5K2024A0117' }),
  row('model', 'Model', 'holding', 8, 'string', '', constant(0), { count: 6, text: 'HY-5K-EU' }),
  row('firmware_master', 'Firmware (master)', 'holding', 14, 'uint16', '', constant(1412)),
  row('firmware_slave', 'Firmware (slave)', 'holding', 15, 'uint16', '', constant(1207)),
  row('rated_power', 'Rated power', 'holding', 16, 'uint16', 'W', constant(5000)),
  row('hardware_version', 'Hardware version', 'holding', 17, 'uint16', '', constant(3)),
  row('protocol_version', 'Protocol version', 'holding', 18, 'uint16', '', constant(202)),
];

const SETTINGS: SimPointSpec[] = [
  row('work_mode', 'Work mode', 'holding', 100, 'uint16', '', states(always(0.05), 0, [0, 1, 3])),
  row('export_limit', 'Export limit', 'holding', 101, 'uint16', 'W', constant(4600)),
  row('battery_min_soc', 'Battery minimum SOC', 'holding', 102, 'uint16', '%', constant(10)),
  row('charge_current_limit', 'Charge current limit', 'holding', 103, 'uint16', 'A', constant(250), { scale: 0.1 }),
  row('discharge_current_limit', 'Discharge current limit', 'holding', 104, 'uint16', 'A', constant(250), { scale: 0.1 }),
  row('grid_charge', 'Grid charging', 'holding', 105, 'uint16', '', states(always(0.02), 0, [0, 1])),
];

const PV: SimPointSpec[] = [
  row('pv1_voltage', 'PV1 voltage', 'input', 0, 'uint16', 'V', walk(bySun(720), 3650, 15, 1500, 5500), { scale: 0.1 }),
  row('pv1_current', 'PV1 current', 'input', 1, 'uint16', 'A', walk(bySun(900), 62, 4, 0, 140), { scale: 0.1 }),
  row('pv1_power', 'PV1 power', 'input', 2, 'uint32', 'W', walk(bySun(900), 2260, 60, 0, 5200)),
  row('pv2_voltage', 'PV2 voltage', 'input', 4, 'uint16', 'V', walk(bySun(720), 3580, 15, 1500, 5500), { scale: 0.1 }),
  row('pv2_current', 'PV2 current', 'input', 5, 'uint16', 'A', walk(bySun(900), 55, 4, 0, 140), { scale: 0.1 }),
  row('pv2_power', 'PV2 power', 'input', 6, 'uint32', 'W', walk(bySun(900), 1970, 60, 0, 5200)),
  row('pv_power', 'PV power', 'input', 8, 'uint32', 'W', walk(bySun(1200), 4230, 80, 0, 10400)),
  row('mppt_count', 'MPPT trackers', 'input', 10, 'uint16', '', constant(2)),
];

const GRID: SimPointSpec[] = [
  row('grid_voltage_l1', 'Grid voltage L1', 'input', 16, 'uint16', 'V', walk(always(360), 2301, 4, 2200, 2450), { scale: 0.1 }),
  row('grid_voltage_l2', 'Grid voltage L2', 'input', 17, 'uint16', 'V', walk(always(360), 2298, 4, 2200, 2450), { scale: 0.1 }),
  row('grid_voltage_l3', 'Grid voltage L3', 'input', 18, 'uint16', 'V', walk(always(360), 2306, 4, 2200, 2450), { scale: 0.1 }),
  row('grid_current_l1', 'Grid current L1', 'input', 19, 'uint16', 'A', walk(always(720), 61, 5, 0, 320), { scale: 0.1 }),
  row('grid_current_l2', 'Grid current L2', 'input', 20, 'uint16', 'A', walk(always(720), 58, 5, 0, 320), { scale: 0.1 }),
  row('grid_current_l3', 'Grid current L3', 'input', 21, 'uint16', 'A', walk(always(720), 64, 5, 0, 320), { scale: 0.1 }),
  row('grid_frequency', 'Grid frequency', 'input', 22, 'uint16', 'Hz', walk(always(720), 5000, 2, 4980, 5020), { scale: 0.01 }),
  row('grid_power', 'Grid power', 'input', 23, 'int32', 'W', walk(always(1440), -1250, 50, -6000, 9000)),
  row('output_power', 'Inverter output power', 'input', 25, 'int32', 'W', walk(bySun(900, 180), 3100, 50, -5000, 5000)),
  row('reactive_power', 'Reactive power', 'input', 27, 'int16', 'var', walk(always(360), 120, 20, -2000, 2000)),
  row('power_factor', 'Power factor', 'input', 28, 'int16', '', walk(always(120), 990, 3, 800, 1000), { scale: 0.001 }),
];

const BATTERY: SimPointSpec[] = [
  row('battery_voltage', 'Battery voltage', 'input', 32, 'uint16', 'V', walk(always(240), 5230, 3, 4600, 5800), { scale: 0.01 }),
  row('battery_current', 'Battery current', 'input', 33, 'int16', 'A', walk(always(720), 120, 8, -1000, 1000), { scale: 0.1 }),
  row('battery_power', 'Battery power', 'input', 34, 'int32', 'W', walk(always(720), 630, 40, -5000, 5000)),
  row('battery_soc', 'Battery SOC', 'input', 36, 'uint16', '%', walk(always(12), 64, 1, 5, 100)),
  row('battery_soh', 'Battery SOH', 'input', 37, 'uint16', '%', constant(98)),
  row('battery_temperature', 'Battery temperature', 'input', 38, 'int16', '°C', walk(always(20), 235, 2, 0, 450), { scale: 0.1 }),
  row('bms_status', 'BMS status', 'input', 39, 'uint16', '', states(always(0.1), 1, [1, 2, 4])),
];

const ENERGY: SimPointSpec[] = [
  row('pv_energy_today', 'PV energy today', 'input', 48, 'uint32', 'kWh', counter(bySun(300), 1250), { scale: 0.01 }),
  row('pv_energy_total', 'PV energy total', 'input', 50, 'uint32', 'kWh', counter(bySun(30), 183_400), { scale: 0.1 }),
  row('import_energy_today', 'Import energy today', 'input', 52, 'uint32', 'kWh', counter(bySun(20, 60), 310), { scale: 0.01 }),
  row('import_energy_total', 'Import energy total', 'input', 54, 'uint32', 'kWh', counter(bySun(2, 6), 42_170), { scale: 0.1 }),
  row('export_energy_today', 'Export energy today', 'input', 56, 'uint32', 'kWh', counter(bySun(120), 820), { scale: 0.01 }),
  row('export_energy_total', 'Export energy total', 'input', 58, 'uint32', 'kWh', counter(bySun(12), 96_350), { scale: 0.1 }),
  row('battery_charge_total', 'Battery charge total', 'input', 60, 'uint32', 'kWh', counter(bySun(10, 2), 7_420), { scale: 0.1 }),
  row('battery_discharge_total', 'Battery discharge total', 'input', 62, 'uint32', 'kWh', counter(bySun(2, 10), 6_980), { scale: 0.1 }),
];

const STATUS: SimPointSpec[] = [
  row('status', 'Inverter status', 'input', 72, 'uint16', '', states(always(0.2), 2, [1, 2, 3])),
  row('fault_code', 'Fault code', 'input', 73, 'uint16', '', states(always(0.05), 0, [0, 17, 33])),
  row('fault_code_2', 'Fault code 2', 'input', 74, 'uint16', '', states(always(0.02), 0, [0, 4])),
  row('warning_code', 'Warning code', 'input', 75, 'uint16', '', states(always(0.1), 0, [0, 2, 8])),
  row('temperature', 'Inverter temperature', 'input', 76, 'int16', '°C', walk(always(20), 385, 3, 200, 700), { scale: 0.1 }),
  row('heatsink_temperature', 'Heatsink temperature', 'input', 77, 'int16', '°C', walk(always(30), 412, 3, 200, 800), { scale: 0.1 }),
  row('run_time', 'Run time', 'input', 78, 'uint32', 'h', counter(always(1), 18_230)),
  row('bus_voltage', 'DC bus voltage', 'input', 80, 'uint16', 'V', walk(always(240), 3800, 5, 3500, 4200), { scale: 0.1 }),
];

const BITS: SimPointSpec[] = [
  row('export_enabled', 'Export enabled', 'coil', 0, 'bool', '', constant(1), { writable: true }),
  row('eps_enabled', 'EPS enabled', 'coil', 1, 'bool', '', constant(0), { writable: true }),
  row('grid_relay', 'Grid relay closed', 'discrete_input', 0, 'bool', '', states(always(0.05), 1, [0, 1])),
];

/** MPPT trackers 3…n (commercial inverters): voltage, current, power in input registers from 100. */
function moreTrackers(mppts: number): SimPointSpec[] {
  return Array.from({ length: Math.max(0, mppts - 2) }, (_, i) => {
    const n = i + 3;
    const at = 100 + 4 * i;
    return [
      row(`pv${n}_voltage`, `PV${n} voltage`, 'input', at, 'uint16', 'V', walk(bySun(360), 6100, 15, 2000, 9000), { scale: 0.1 }),
      row(`pv${n}_current`, `PV${n} current`, 'input', at + 1, 'uint16', 'A', walk(bySun(720), 95, 4, 0, 200), { scale: 0.1 }),
      row(`pv${n}_power`, `PV${n} power`, 'input', at + 2, 'uint32', 'W', walk(bySun(720), 5600, 80, 0, 15000)),
    ];
  }).flat();
}

/** Per-string currents from input register 200 (string monitoring on commercial inverters). */
function stringCurrents(strings: number): SimPointSpec[] {
  return Array.from({ length: strings }, (_, i) =>
    row(`string${i + 1}_current`, `String ${i + 1} current`, 'input', 200 + i, 'uint16', 'A', walk(bySun(360), 48, 3, 0, 150), { scale: 0.1 }));
}

export interface InverterOptions {
  name: string;
  unitId: number;
  turnaroundMs: number;
  /** Trackers (2 = the residential hybrid). */
  mppts?: number;
  /** Monitored strings (0 = none). */
  strings?: number;
}

export function inverterDevice(o: InverterOptions): SimDeviceSpec {
  const mppts = o.mppts ?? 2;
  const strings = o.strings ?? 0;
  const input: Array<[number, number]> = [[0, 12], [16, 30], [32, 40], [48, 64], [72, 82]];
  if (mppts > 2) input.push([100, 100 + 4 * (mppts - 2)]);
  if (strings > 0) input.push([200, 200 + strings]);
  return {
    name: o.name, unitId: o.unitId, turnaroundMs: o.turnaroundMs,
    ranges: { holding: [[0, 20], [100, 110]], input, coil: [[0, 8]], discrete_input: [[0, 8]] },
    points: [...IDENTITY, ...SETTINGS, ...PV, ...GRID, ...BATTERY, ...ENERGY, ...STATUS, ...BITS, ...moreTrackers(mppts), ...stringCurrents(strings)],
  };
}
