/**
 * A simulated Huawei SUN2000 behind an SDongle. Its register map is the app's own SUN2000 template
 * (config/templates/huawei.ts), so the simulator and the template cannot drift apart; this file adds
 * how each value changes and how the dongle misbehaves: reads over 64 registers go unanswered, every
 * answer is slow, it can sleep from sunset to sunrise (no answer at all), and the invalid values the
 * inverter sends at night or while it re-syncs (0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF) are what a
 * test writes into its registers.
 */
import { SUN2000 } from '../../config/templates/huawei.js';
import type { SimDeviceSpec, SimPointSpec } from '../simDevice.js';
import { always, bySun, isDaytime } from '../rates.js';
import { constant, counter, row, walk } from '../points.js';
import type { ProcessSpec } from '../valueProcess.js';

/** How each template row changes, by template key (raw values: the template scales them). */
const PROCESSES: Record<string, ProcessSpec> = {
  model: constant(0), serial_number: constant(0), rated_power: constant(5000),
  pv1_voltage: walk(bySun(720), 3650, 15, 1500, 5500), pv1_current: walk(bySun(900), 620, 40, 0, 1400),
  pv2_voltage: walk(bySun(720), 3580, 15, 1500, 5500), pv2_current: walk(bySun(900), 550, 40, 0, 1400),
  input_power: walk(bySun(1200), 4230, 80, 0, 10400),
  voltage_l1_l2: walk(always(360), 4000, 4, 3800, 4200), voltage_l2_l3: walk(always(360), 4000, 4, 3800, 4200),
  voltage_l3_l1: walk(always(360), 4000, 4, 3800, 4200), voltage_l1: walk(always(360), 2304, 3, 2150, 2450),
  voltage_l2: walk(always(360), 2301, 3, 2150, 2450), voltage_l3: walk(always(360), 2299, 3, 2150, 2450),
  current_l1: walk(bySun(720), 6100, 150, 0, 16000), current_l2: walk(bySun(720), 6050, 150, 0, 16000),
  current_l3: walk(bySun(720), 6080, 150, 0, 16000), day_peak_power: counter(bySun(20), 3100, 10),
  active_power: walk(bySun(1200), 4100, 80, 0, 10000), reactive_power: walk(always(240), 120, 15, -2000, 2000),
  power_factor: walk(always(120), 990, 2, 800, 1000), frequency: walk(always(360), 5000, 2, 4980, 5020),
  efficiency: walk(always(30), 9810, 5, 9500, 9900), internal_temperature: walk(always(60), 412, 2, 100, 700),
  insulation_resistance: constant(3000), device_status: constant(0x0200), fault_code: constant(0),
  total_energy: counter(bySun(30), 1_234_567, 1), daily_energy: counter(bySun(30), 1210, 1),
};

const unsimulated = SUN2000.entities.filter((e) => !(e.key in PROCESSES));
if (unsimulated.length > 0) throw new Error(`simulated SUN2000: no value process for template rows ${unsimulated.map((e) => e.key).join(', ')}`);

const POINTS: SimPointSpec[] = SUN2000.entities.map((e) => row(e.key, e.name, e.register_type, e.address, e.data_type, e.unit_of_measurement ?? '',
  PROCESSES[e.key] as ProcessSpec, { count: e.count, ...(e.data_type === 'string' ? { text: e.key === 'model' ? 'SUN2000-5KTL-M1' : 'HV2150012345' } : {}) }));

export interface Sun2000Options {
  name: string;
  /** 1 through the SDongle, 0 through the inverter's own WiFi. */
  unitId: number;
  /** The SDongle answers slowly. */
  turnaroundMs?: number;
  /** Stops answering while the sun is down (an inverter without a battery goes to sleep). */
  sleepsAtNight?: boolean;
}

export function sun2000Device(o: Sun2000Options): SimDeviceSpec {
  return {
    name: o.name, unitId: o.unitId, turnaroundMs: o.turnaroundMs ?? 150,
    maxRegistersPerRead: 64, oversize: 'silence',
    ...(o.sleepsAtNight ? { asleep: (t: number) => !isDaytime(t) } : {}),
    ranges: { holding: [[30000, 30075], [32016, 32020], [32064, 32091], [32106, 32116]] },
    points: POINTS,
  };
}
