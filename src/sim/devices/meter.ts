/**
 * A simulated Eastron SDM630 three-phase meter. Its register map is the app's own SDM630 template
 * (config/templates/eastron.ts: float32 input register pairs, 30001… in the manual, address 0, 2, 4, …
 * on the wire), so the simulator and the template cannot drift apart; this file adds only how each
 * value changes, the banks the device answers (unmapped stretches answer exception 2) and the few
 * registers the template leaves out. Powers and currents move every few seconds, voltages and
 * frequency jitter, energies only climb, demand values settle every few minutes.
 */
import { SDM630 } from '../../config/templates/eastron.js';
import type { TemplateEntity } from '../../config/templates/types.js';
import type { SimDeviceSpec, SimPointSpec } from '../simDevice.js';
import { always } from '../rates.js';
import { counter, row, walk } from '../points.js';
import type { ProcessSpec } from '../valueProcess.js';

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

/** The random walk of one kind of reading (`scale` multiplies its change rate). */
function reading(kind: Kind, scale = 1): ProcessSpec {
  const [, perHour, initial, step, min, max, decimals] = KINDS[kind];
  return walk(always(perHour * scale), initial, step, min, max, decimals);
}

function energy(perHour: number, initial: number): ProcessSpec {
  return counter(always(perHour), initial, 0.01, 2);
}

const PHASES = ['l1', 'l2', 'l3'] as const;

/** The same kind of process for the L1, L2, L3 rows of `key`. */
function phases(key: string, make: (i: number) => ProcessSpec): Record<string, ProcessSpec> {
  return Object.fromEntries(PHASES.map((p, i) => [`${key}_${p}`, make(i)]));
}

/** How each register of the template's map changes, by template key. */
const BASIC_PROCESSES: Record<string, ProcessSpec> = {
  ...phases('voltage', () => reading('voltage')),
  ...phases('current', () => reading('current')),
  ...phases('power', () => reading('power')),
  ...phases('apparent_power', () => reading('apparent')),
  ...phases('reactive_power', () => reading('reactive')),
  ...phases('power_factor', () => reading('pf')),
  total_power: reading('power'),
  total_apparent_power: reading('apparent'),
  total_reactive_power: reading('reactive'),
  total_power_factor: reading('pf'),
  frequency: reading('frequency'),
  import_energy: energy(100, 5321.5),
  export_energy: energy(60, 2210.25),
  import_reactive_energy: energy(20, 812.4),
  export_reactive_energy: energy(10, 301.7),
  total_demand: walk(always(12), 1450, 80, 0, 14000, 1),
  max_demand: counter(always(0.3), 6230, 10, 1),
  voltage_l1_l2: reading('voltage'),
  voltage_l2_l3: reading('voltage'),
  voltage_l3_l1: reading('voltage'),
  neutral_current: reading('current', 0.5),
  ...phases('voltage_thd', () => reading('thd')),
  total_energy: energy(160, 7531.75),
  total_reactive_energy: energy(30, 1114.1),
};

/** Template rows only the industrial site's meters serve (the full map). */
const EXTENDED_PROCESSES: Record<string, ProcessSpec> = {
  ...phases('import_energy', (i) => energy(35, 1774.2 + i)),
  ...phases('export_energy', (i) => energy(20, 736.8 + i)),
};

/** The point a template row describes, changing by `process`. */
function templatePoint(e: TemplateEntity, process: ProcessSpec): SimPointSpec {
  return row(e.key, e.name, e.register_type, e.address, e.data_type, e.unit_of_measurement ?? '', process, { scale: e.scale, count: e.count });
}

/** The template's rows that have a process in `processes`, in the template's order. */
function fromTemplate(processes: Record<string, ProcessSpec>): SimPointSpec[] {
  return SDM630.entities.flatMap((e) => {
    const process = processes[e.key];
    return process ? [templatePoint(e, process)] : [];
  });
}

const unsimulated = SDM630.entities.filter((e) => !(e.key in BASIC_PROCESSES) && !(e.key in EXTENDED_PROCESSES));
if (unsimulated.length > 0) throw new Error(`simulated SDM630: no value process for template rows ${unsimulated.map((e) => e.key).join(', ')}`);

/** Registers the real meter has but the template leaves out: per-phase angles and current THD. */
function beyondTemplate(id: string, name: string, address: number, kind: Kind): SimPointSpec[] {
  const unit = KINDS[kind][0];
  return PHASES.map((p, i) => row(`${id}_${p}`, `${name} ${p.toUpperCase()}`, 'input', address + 2 * i, 'float32', unit, reading(kind)));
}

const BASIC: SimPointSpec[] = fromTemplate(BASIC_PROCESSES);

/** Per-phase angles, current THD and per-phase energies (the full map, for the industrial site). */
const EXTENDED: SimPointSpec[] = [
  ...beyondTemplate('phase_angle', 'Phase angle', 36, 'angle'),
  ...beyondTemplate('current_thd', 'Current THD', 240, 'thd'),
  ...fromTemplate(EXTENDED_PROCESSES),
];

export interface MeterOptions {
  name: string;
  unitId: number;
  turnaroundMs: number;
  extended?: boolean;
  /** Registers per read it serves; default 80, Eastron's documented limit (some units refuse above ~50). */
  maxRegistersPerRead?: number;
  /** How it refuses a longer read: exception 3 (default) or silence. */
  oversize?: 'exception' | 'silence';
  /** The longest run of unmapped registers a read may span (absent: any); longer ones are refused the same way. */
  maxGap?: number;
}

export function meterDevice(o: MeterOptions): SimDeviceSpec {
  return {
    name: o.name, unitId: o.unitId, turnaroundMs: o.turnaroundMs,
    maxRegistersPerRead: o.maxRegistersPerRead ?? 80, oversize: o.oversize ?? 'exception', ...(o.maxGap !== undefined ? { maxGap: o.maxGap } : {}),
    ranges: { input: [[0, 90], [200, 208], [224, 226], [234, 246], [342, 358]] },
    points: [...BASIC, ...(o.extended ? EXTENDED : [])],
  };
}
