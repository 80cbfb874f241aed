/**
 * Helpers that keep the device register tables short and readable: one line per register with its
 * unit, and the change process built from a rate profile so every process carries its true rates per
 * regime. Home Assistant's device and state classes follow from the unit, as users would set them.
 */
import type { DataType, RegisterType } from '../modbus/types.js';
import type { HeatPumpChannel } from './heatPumpModel.js';
import type { RateProfile } from './rates.js';
import type { LinkedSpec, SimPointSpec } from './simDevice.js';
import type { ProcessSpec } from './valueProcess.js';

const CLASSES: Record<string, [string | undefined, string]> = {
  W: ['power', 'measurement'],
  kW: ['power', 'measurement'],
  VA: ['apparent_power', 'measurement'],
  var: ['reactive_power', 'measurement'],
  A: ['current', 'measurement'],
  V: ['voltage', 'measurement'],
  Hz: ['frequency', 'measurement'],
  '°C': ['temperature', 'measurement'],
  kWh: ['energy', 'total_increasing'],
  kvarh: [undefined, 'total_increasing'],
  h: ['duration', 'total_increasing'],
  '%': [undefined, 'measurement'],
  '°': [undefined, 'measurement'],
};

export interface RowOptions {
  scale?: number;
  count?: number;
  text?: string;
  writable?: boolean;
}

/** One register table row. `unit` '' = none (status codes, identity). */
export function row(
  id: string, name: string, registerType: RegisterType, address: number, dataType: DataType, unit: string,
  process: ProcessSpec | LinkedSpec, options: RowOptions = {},
): SimPointSpec {
  const [deviceClass, stateClass] = CLASSES[unit] ?? [undefined, undefined];
  return {
    id, name, registerType, address, dataType, process,
    ...(options.count !== undefined ? { count: options.count } : {}),
    ...(options.scale !== undefined ? { scale: options.scale } : {}),
    ...(options.text !== undefined ? { text: options.text } : {}),
    ...(options.writable ? { writable: true } : {}),
    ...(unit ? { unit } : {}), ...(deviceClass ? { deviceClass } : {}), ...(stateClass ? { stateClass } : {}),
  };
}

export function constant(initial: number): ProcessSpec {
  return { kind: 'constant', initial, regimes: { by: undefined, perHour: { always: 0 } } };
}

/** A random walk: each change moves by up to ±step (never 0), within [min, max]. */
export function walk(rate: RateProfile, initial: number, step: number, min: number, max: number, decimals = 0): ProcessSpec {
  return { kind: 'walk', initial, step, min, max, decimals, ratePerHour: rate.at, peakRatePerHour: rate.peak, regimes: rate.regimes };
}

/** A monotonic counter: each change adds `step`. */
export function counter(rate: RateProfile, initial: number, step = 1, decimals = 0): ProcessSpec {
  return { kind: 'counter', initial, step, decimals, ratePerHour: rate.at, peakRatePerHour: rate.peak, regimes: rate.regimes };
}

/** A status or fault code switching among `values`. */
export function states(rate: RateProfile, initial: number, values: readonly number[]): ProcessSpec {
  return { kind: 'states', initial, states: values, ratePerHour: rate.at, peakRatePerHour: rate.peak, regimes: rate.regimes };
}

export function linked(channel: HeatPumpChannel): LinkedSpec {
  return { kind: 'linked', channel };
}

/** The same points with ids prefixed (several devices of one kind on a site). */
export function prefixed(prefix: string, points: readonly SimPointSpec[]): SimPointSpec[] {
  const label = prefix.charAt(0).toUpperCase() + prefix.slice(1).replace(/_/g, ' ');
  return points.map((p) => ({ ...p, id: `${prefix}_${p.id}`, name: `${label} ${p.name}` }));
}
