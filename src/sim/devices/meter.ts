/**
 * A three-phase energy meter laid out like the Eastron SDM630: every value a float32 in a pair of
 * input registers, numbered 30001… in the manual (address 0, 2, 4, … on the wire), in banks with
 * unmapped stretches between them that answer exception 2. Powers and currents move every few
 * seconds, voltages and frequency jitter, energies only climb, demand values settle every few minutes.
 */
import type { SimDeviceSpec, SimPointSpec } from '../simDevice.js';
import { always } from '../rates.js';
import { counter, row, walk } from '../points.js';

type Kind = 'voltage' | 'frequency' | 'current' | 'power' | 'apparent' | 'reactive' | 'pf' | 'angle' | 'thd';

/** [unit, changes per hour, initial, largest step, min, max, decimals] per kind of reading. */
const KINDS: Record<Kind, [string, number, number, number, number, number, number]> = {
  voltage: ['V', 360, 230.4, 0.4, 215, 245, 1],
  frequency: ['Hz', 360, 50, 0.02, 49.8, 50.2, 2],
  current: ['A', 720, 4.2, 0.3, 0, 63, 2],
  power: ['W', 1440, 950, 40, -14000, 14000, 1],
  apparent: ['VA', 1440, 990, 40, 0, 14000, 1],
  reactive: ['var', 720, 120, 15, -5000, 5000, 1],
  pf: ['', 240, 0.96, 0.01, 0.5, 1, 3],
  angle: ['°', 240, 12, 1, -180, 180, 1],
  thd: ['%', 60, 2.1, 0.2, 0, 15, 1],
};

function reading(id: string, name: string, address: number, kind: Kind, scale = 1): SimPointSpec {
  const [unit, perHour, initial, step, min, max, decimals] = KINDS[kind];
  return row(id, name, 'input', address, 'float32', unit, walk(always(perHour * scale), initial, step, min, max, decimals));
}

const PHASES = ['l1', 'l2', 'l3'] as const;

/** Three per-phase readings at consecutive register pairs from `address`. */
function phases(id: string, name: string, address: number, kind: Kind): SimPointSpec[] {
  return PHASES.map((p, i) => reading(`${id}_${p}`, `${name} ${p.toUpperCase()}`, address + 2 * i, kind));
}

function energy(id: string, name: string, address: number, perHour: number, initial: number, unit = 'kWh'): SimPointSpec {
  return row(id, name, 'input', address, 'float32', unit, counter(always(perHour), initial, 0.01, 2));
}

const BASIC: SimPointSpec[] = [
  ...phases('voltage', 'Voltage', 0, 'voltage'),
  ...phases('current', 'Current', 6, 'current'),
  ...phases('power', 'Power', 12, 'power'),
  ...phases('apparent_power', 'Apparent power', 18, 'apparent'),
  ...phases('reactive_power', 'Reactive power', 24, 'reactive'),
  ...phases('power_factor', 'Power factor', 30, 'pf'),
  reading('total_power', 'Total power', 52, 'power'),
  reading('total_apparent_power', 'Total apparent power', 56, 'apparent'),
  reading('total_reactive_power', 'Total reactive power', 60, 'reactive'),
  reading('total_power_factor', 'Total power factor', 62, 'pf'),
  reading('frequency', 'Frequency', 70, 'frequency'),
  energy('import_energy', 'Import energy', 72, 100, 5321.5),
  energy('export_energy', 'Export energy', 74, 60, 2210.25),
  energy('import_reactive_energy', 'Import reactive energy', 76, 20, 812.4, 'kvarh'),
  energy('export_reactive_energy', 'Export reactive energy', 78, 10, 301.7, 'kvarh'),
  row('total_demand', 'Total power demand', 'input', 84, 'float32', 'W', walk(always(12), 1450, 80, 0, 14000, 1)),
  row('max_demand', 'Maximum power demand', 'input', 86, 'float32', 'W', counter(always(0.3), 6230, 10, 1)),
  reading('voltage_l1_l2', 'Voltage L1-L2', 200, 'voltage'),
  reading('voltage_l2_l3', 'Voltage L2-L3', 202, 'voltage'),
  reading('voltage_l3_l1', 'Voltage L3-L1', 204, 'voltage'),
  reading('neutral_current', 'Neutral current', 224, 'current', 0.5),
  ...phases('voltage_thd', 'Voltage THD', 234, 'thd'),
  energy('total_energy', 'Total energy', 342, 160, 7531.75),
  energy('total_reactive_energy', 'Total reactive energy', 344, 30, 1114.1, 'kvarh'),
];

/** Per-phase angles, current THD and per-phase energies (the full map, for the industrial site). */
const EXTENDED: SimPointSpec[] = [
  ...phases('phase_angle', 'Phase angle', 36, 'angle'),
  ...phases('current_thd', 'Current THD', 240, 'thd'),
  ...PHASES.map((p, i) => energy(`import_energy_${p}`, `Import energy ${p.toUpperCase()}`, 346 + 2 * i, 35, 1774.2 + i)),
  ...PHASES.map((p, i) => energy(`export_energy_${p}`, `Export energy ${p.toUpperCase()}`, 352 + 2 * i, 20, 736.8 + i)),
];

export interface MeterOptions {
  name: string;
  unitId: number;
  turnaroundMs: number;
  extended?: boolean;
}

export function meterDevice(o: MeterOptions): SimDeviceSpec {
  return {
    name: o.name, unitId: o.unitId, turnaroundMs: o.turnaroundMs,
    ranges: { input: [[0, 90], [200, 208], [224, 226], [234, 246], [342, 358]] },
    points: [...BASIC, ...(o.extended ? EXTENDED : [])],
  };
}
