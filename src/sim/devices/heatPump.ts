/**
 * An air-to-water heat pump controller in holding registers: the cycle-driven values (compressor,
 * power, frequency, pump speed, flow temperature, energy) come from the shared HeatPumpModel, the rest
 * are independent slow values, setpoints and identity. Like many such controllers it refuses reads of
 * more than 30 registers (exception 3) and answers slowly, so it also tests the per-device limits.
 */
import type { HeatPumpSpec } from '../heatPumpModel.js';
import type { SimDeviceSpec, SimPointSpec } from '../simDevice.js';
import { always } from '../rates.js';
import { constant, linked, row, states, walk } from '../points.js';

export const HEAT_PUMP_MAX_REGISTERS = 30;

const OPERATION: SimPointSpec[] = [
  row('compressor', 'Compressor running', 'holding', 0, 'uint16', '', linked('compressor')),
  row('power', 'Electrical power', 'holding', 1, 'uint16', 'W', linked('power')),
  row('flow_temperature', 'Flow temperature', 'holding', 2, 'int16', '°C', linked('flow_temperature'), { scale: 0.1 }),
  row('return_temperature', 'Return temperature', 'holding', 3, 'int16', '°C', walk(always(30), 285, 3, 150, 500), { scale: 0.1 }),
  row('pump_speed', 'Circulation pump speed', 'holding', 4, 'uint16', '%', linked('pump_speed')),
  row('outdoor_temperature', 'Outdoor temperature', 'holding', 5, 'int16', '°C', walk(always(6), 42, 2, -200, 350), { scale: 0.1 }),
  row('dhw_temperature', 'Hot water temperature', 'holding', 6, 'int16', '°C', walk(always(4), 478, 3, 300, 600), { scale: 0.1 }),
  row('compressor_frequency', 'Compressor frequency', 'holding', 7, 'uint16', 'Hz', linked('frequency')),
  row('operating_mode', 'Operating mode', 'holding', 8, 'uint16', '', states(always(0.1), 1, [1, 2, 3])),
  row('defrost', 'Defrost active', 'holding', 9, 'uint16', '', states(always(0.3), 0, [0, 1])),
  row('error_code', 'Error code', 'holding', 10, 'uint16', '', states(always(0.02), 0, [0, 5])),
  row('energy', 'Energy consumed', 'holding', 11, 'uint32', 'kWh', linked('energy'), { scale: 0.1 }),
  row('buffer_temperature', 'Buffer tank temperature', 'holding', 13, 'int16', '°C', walk(always(12), 402, 3, 200, 600), { scale: 0.1 }),
  row('dhw_heating', 'Hot water heating', 'holding', 14, 'uint16', '', states(always(0.15), 0, [0, 1])),
];

const SETPOINTS: SimPointSpec[] = [
  row('flow_setpoint', 'Flow setpoint', 'holding', 100, 'int16', '°C', states(always(0.05), 400, [350, 400, 450]), { scale: 0.1, writable: true }),
  row('dhw_setpoint', 'Hot water setpoint', 'holding', 101, 'int16', '°C', constant(500), { scale: 0.1, writable: true }),
  row('heating_curve', 'Heating curve', 'holding', 102, 'uint16', '', constant(6), { scale: 0.1, writable: true }),
  row('mode_setting', 'Mode setting', 'holding', 103, 'uint16', '', constant(1), { writable: true }),
  row('room_setpoint', 'Room setpoint', 'holding', 104, 'int16', '°C', states(always(0.1), 210, [195, 210, 220]), { scale: 0.1, writable: true }),
];

const IDENTITY: SimPointSpec[] = [
  row('serial', 'Serial number', 'holding', 200, 'string', '', constant(0), { count: 6, text: 'HP9A-55102' }),
  row('firmware', 'Firmware', 'holding', 206, 'uint16', '', constant(318)),
];

export interface HeatPumpOptions {
  name: string;
  unitId: number;
  turnaroundMs: number;
  /** HA entity mirroring the running state. */
  contextEntity: string;
}

export function heatPumpCycle(contextEntity: string): HeatPumpSpec {
  return {
    contextEntity, meanOnMinutes: 25, meanOffMinutes: 35, modulationPerHour: 120, coolingPerHour: 12,
    energyPerHour: 15, initialFlow: 320, initialEnergy: 41_260,
  };
}

export function heatPumpDevice(o: HeatPumpOptions): SimDeviceSpec {
  return {
    name: o.name, unitId: o.unitId, turnaroundMs: o.turnaroundMs, maxRegistersPerRead: HEAT_PUMP_MAX_REGISTERS,
    ranges: { holding: [[0, 20], [100, 110], [200, 210]] },
    points: [...OPERATION, ...SETPOINTS, ...IDENTITY],
    heatPump: heatPumpCycle(o.contextEntity),
  };
}
