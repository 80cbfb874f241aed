/**
 * The demo site `npm start` runs with no options: a hybrid inverter (unit 1) and an energy meter
 * (unit 2) behind one Modbus TCP gateway on loopback. PV values move every few seconds by day and
 * rest at night, grid values jitter, counters climb, identity registers never change, and unmapped
 * registers between the blocks answer "illegal data address" — enough to see the planner and poller work.
 */
import type { SimDeviceSpec, SimPointSpec } from './simDevice.js';

const HOUR = 3_600_000;

/** 1 by day (06:00–18:00 UTC), 0 at night. */
export function isDaytime(t: number): boolean {
  const hour = (t % (24 * HOUR)) / HOUR;
  return hour >= 6 && hour < 18;
}

const daytime = (perHour: number) => (t: number) => (isDaytime(t) ? perHour : 0);
const always = (perHour: number) => () => perHour;

function walk(perHour: number | ((t: number) => number), initial: number, step: number, min: number, max: number, decimals = 0) {
  const rate = typeof perHour === 'number' ? always(perHour) : perHour;
  const peak = typeof perHour === 'number' ? perHour : rate(12 * HOUR);
  return { kind: 'walk' as const, initial, step, min, max, decimals, ratePerHour: rate, peakRatePerHour: peak };
}

const INVERTER_POINTS: SimPointSpec[] = [
  { id: 'inverter_serial', name: 'Inverter serial', registerType: 'holding', address: 0, dataType: 'string', count: 5, text: 'INV12345AB', process: { kind: 'constant', initial: 0 } },
  { id: 'inverter_firmware', name: 'Inverter firmware', registerType: 'holding', address: 5, dataType: 'uint16', process: { kind: 'constant', initial: 412 } },
  { id: 'pv1_power', name: 'PV1 power', registerType: 'input', address: 100, dataType: 'uint16', unit: 'W', deviceClass: 'power', stateClass: 'measurement', process: walk(daytime(900), 1200, 60, 0, 4000) },
  { id: 'pv2_power', name: 'PV2 power', registerType: 'input', address: 101, dataType: 'uint16', unit: 'W', deviceClass: 'power', stateClass: 'measurement', process: walk(daytime(900), 1100, 60, 0, 4000) },
  { id: 'pv1_current', name: 'PV1 current', registerType: 'input', address: 102, dataType: 'uint16', scale: 0.1, unit: 'A', deviceClass: 'current', stateClass: 'measurement', process: walk(daytime(600), 35, 3, 0, 120) },
  { id: 'grid_voltage', name: 'Grid voltage', registerType: 'input', address: 110, dataType: 'uint16', scale: 0.1, unit: 'V', deviceClass: 'voltage', stateClass: 'measurement', process: walk(240, 2301, 4, 2250, 2350) },
  { id: 'grid_frequency', name: 'Grid frequency', registerType: 'input', address: 111, dataType: 'uint16', scale: 0.01, unit: 'Hz', deviceClass: 'frequency', stateClass: 'measurement', process: walk(120, 5000, 3, 4985, 5015) },
  { id: 'inverter_temperature', name: 'Inverter temperature', registerType: 'input', address: 112, dataType: 'int16', scale: 0.1, unit: '°C', deviceClass: 'temperature', stateClass: 'measurement', process: walk(20, 385, 3, 200, 700) },
  { id: 'energy_today', name: 'Energy today', registerType: 'input', address: 120, dataType: 'uint32', scale: 0.01, unit: 'kWh', deviceClass: 'energy', stateClass: 'total_increasing', process: { kind: 'counter', initial: 1250, step: 1, ratePerHour: daytime(300), peakRatePerHour: 300 } },
  { id: 'energy_total', name: 'Energy total', registerType: 'input', address: 122, dataType: 'uint32', scale: 0.1, unit: 'kWh', deviceClass: 'energy', stateClass: 'total_increasing', process: { kind: 'counter', initial: 183_400, step: 1, ratePerHour: daytime(30), peakRatePerHour: 30 } },
  { id: 'inverter_status', name: 'Inverter status', registerType: 'input', address: 130, dataType: 'uint16', process: { kind: 'states', initial: 2, states: [1, 2, 3], ratePerHour: always(0.2), peakRatePerHour: 0.2 } },
  { id: 'fault_code', name: 'Fault code', registerType: 'input', address: 131, dataType: 'uint16', process: { kind: 'states', initial: 0, states: [0, 17], ratePerHour: always(0.05), peakRatePerHour: 0.05 } },
  { id: 'export_enabled', name: 'Export enabled', registerType: 'coil', address: 0, dataType: 'bool', process: { kind: 'constant', initial: 1 } },
];

const METER_POINTS: SimPointSpec[] = [
  { id: 'meter_voltage_l1', name: 'Meter voltage L1', registerType: 'input', address: 0, dataType: 'float32', unit: 'V', deviceClass: 'voltage', stateClass: 'measurement', process: walk(360, 230.4, 0.4, 225, 236, 1) },
  { id: 'meter_current_l1', name: 'Meter current L1', registerType: 'input', address: 6, dataType: 'float32', unit: 'A', deviceClass: 'current', stateClass: 'measurement', process: walk(720, 4.2, 0.3, 0, 40, 2) },
  { id: 'meter_power_l1', name: 'Meter power L1', registerType: 'input', address: 12, dataType: 'float32', unit: 'W', deviceClass: 'power', stateClass: 'measurement', process: walk(720, 950, 40, -5000, 8000, 1) },
  { id: 'meter_frequency', name: 'Meter frequency', registerType: 'input', address: 70, dataType: 'float32', unit: 'Hz', deviceClass: 'frequency', stateClass: 'measurement', process: walk(120, 50, 0.02, 49.9, 50.1, 2) },
  { id: 'meter_import_energy', name: 'Meter import energy', registerType: 'input', address: 72, dataType: 'float32', unit: 'kWh', deviceClass: 'energy', stateClass: 'total_increasing', process: { kind: 'counter', initial: 5321.5, step: 0.1, decimals: 1, ratePerHour: always(40), peakRatePerHour: 40 } },
];

export const DEMO_DEVICES: SimDeviceSpec[] = [
  {
    name: 'inverter', unitId: 1, turnaroundMs: 5, maxRegistersPerRead: 60,
    ranges: { holding: [[0, 10]], input: [[100, 104], [110, 114], [120, 124], [130, 132]], coil: [[0, 8]] },
    points: INVERTER_POINTS,
  },
  {
    name: 'meter', unitId: 2, turnaroundMs: 3,
    ranges: { input: [[0, 80]] },
    points: METER_POINTS,
  },
];

/** The options a user would write for the demo site, pointing at the loopback gateway. */
export function demoOptions(port: number): Record<string, unknown> {
  const entities = DEMO_DEVICES.flatMap((device) =>
    device.points.map((p) => ({
      id: p.id, name: p.name, connection: 'demo_gateway', unit_id: device.unitId, register_type: p.registerType,
      address: p.address, data_type: p.dataType, ...(p.count ? { count: p.count } : {}),
      ...(p.scale ? { scale: p.scale } : {}),
      ...(p.unit ? { unit_of_measurement: p.unit } : {}), ...(p.deviceClass ? { device_class: p.deviceClass } : {}),
      ...(p.stateClass ? { state_class: p.stateClass } : {}),
      scan_interval: 5,
    })),
  );
  return {
    log_level: 'info',
    connections: [{ name: 'demo_gateway', type: 'tcp', host: '127.0.0.1', port, max_registers_per_read: 60, timeout_ms: 1000 }],
    entities,
  };
}
