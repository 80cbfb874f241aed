/**
 * A simulated Modbus device: points (values with a data type at an address) inside readable
 * address ranges. Registers inside a range but not covered by a point read as 0; an address outside
 * every range answers exception 2, as real devices do for unmapped registers. A request longer than
 * the device's own limit answers exception 3. Values are encoded with the app's own codecs.
 */
import { hashSeed, seededRandom } from '../core/random.js';
import { createEncoder } from '../modbus/codecs.js';
import { FUNCTION_OF, type DataType, type ReadFunction, type RegisterType, type Swap } from '../modbus/types.js';
import { HeatPumpModel, type HeatPumpChannel, type HeatPumpSpec } from './heatPumpModel.js';
import type { RegimeRates } from './rates.js';
import { ValueProcess, type ChangeListener, type ProcessSpec } from './valueProcess.js';

/** A point whose value comes from a device's shared model (e.g. the heat pump's cycle). */
export interface LinkedSpec {
  kind: 'linked';
  channel: HeatPumpChannel;
}

export interface SimPointSpec {
  id: string;
  name: string;
  registerType: RegisterType;
  address: number;
  dataType: DataType;
  /** Registers (strings only; others use the natural count). */
  count?: number;
  swap?: Swap;
  /** Raw value = engineering value / scale (what the entity's `scale` option undoes). */
  scale?: number;
  unit?: string;
  deviceClass?: string;
  stateClass?: string;
  /** The entity may be written (holding registers and coils meant as settings). */
  writable?: boolean;
  /** Its own change process, or a channel of the device's shared model (`heatPump`). */
  process: ProcessSpec | LinkedSpec;
  /** For strings: the fixed text. */
  text?: string;
}

export interface SimDeviceSpec {
  name: string;
  unitId: number;
  turnaroundMs: number;
  maxRegistersPerRead?: number;
  /** How a read over maxRegistersPerRead is refused: exception 3 (default, Eastron) or no answer at all. */
  oversize?: 'exception' | 'silence';
  /** The longest run of registers no point covers that a read may span; longer ones are refused like oversize reads. */
  maxGap?: number;
  /** When the device does not answer at all (an inverter asleep at night); absent = always awake. */
  asleep?: (t: number) => boolean;
  /** Readable ranges per register type: [start, endExclusive]. */
  ranges: Partial<Record<RegisterType, Array<[number, number]>>>;
  points: SimPointSpec[];
  /** The shared cycle model that `linked` points read. */
  heatPump?: HeatPumpSpec;
}

export type SimReadResult = { data: number[] } | { exception: number } | { silent: true };

/** Where a point's raw value comes from. */
interface ValueSource {
  valueAt(t: number): number;
}

interface PlacedPoint {
  spec: SimPointSpec;
  process: ValueSource;
  encode: (v: number | string | boolean) => number[];
  count: number;
}

const COUNTS: Partial<Record<DataType, number>> = { int32: 2, uint32: 2, float32: 2, int64: 4, uint64: 4, float64: 4 };

/** The longest run of registers in [address, address + count) that no point covers. */
function longestUnmapped(cells: ReadonlyMap<number, unknown> | undefined, address: number, count: number): number {
  let run = 0;
  let longest = 0;
  for (let a = address; a < address + count; a++) {
    run = cells?.has(a) === true ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

export class SimDevice {
  private readonly byFn = new Map<ReadFunction, Map<number, { point: PlacedPoint; offset: number }>>();
  /** Words or bits written by clients; they override the simulated value at that address. */
  private readonly written = new Map<ReadFunction, Map<number, number>>();
  private readonly points = new Map<string, PlacedPoint>();
  /** The shared cycle model, when the device has one. */
  readonly model: HeatPumpModel | undefined;

  constructor(readonly spec: SimDeviceSpec, seed: number, startMs: number, onChange?: (pointId: string) => ChangeListener) {
    this.model = spec.heatPump ? this.createModel(spec.heatPump, seed, startMs, onChange) : undefined;
    for (const p of spec.points) this.place(p, seed, startMs, onChange?.(p.id));
  }

  read(fn: ReadFunction, address: number, count: number, t: number): SimReadResult {
    if (this.spec.asleep?.(t) === true) return { silent: true };
    if (this.spec.maxRegistersPerRead !== undefined && count > this.spec.maxRegistersPerRead) {
      return this.spec.oversize === 'silence' ? { silent: true } : { exception: 3 };
    }
    if (!this.readable(fn, address, count)) return { exception: 2 };
    const cells = this.byFn.get(fn);
    if (this.spec.maxGap !== undefined && longestUnmapped(cells, address, count) > this.spec.maxGap) {
      return this.spec.oversize === 'silence' ? { silent: true } : { exception: 3 };
    }
    const written = this.written.get(fn);
    const data: number[] = [];
    for (let a = address; a < address + count; a++) {
      const cell = cells?.get(a);
      data.push(written?.get(a) ?? (cell ? (this.wordsOf(cell.point, t)[cell.offset] ?? 0) : 0));
    }
    return { data };
  }

  /** Writes holding registers (fc 6/16) or coils (fc 5); other targets answer exception 2. */
  write(registerType: 'holding' | 'coil', address: number, values: readonly number[]): SimReadResult {
    const fn = FUNCTION_OF[registerType];
    if (!this.readable(fn, address, values.length)) return { exception: 2 };
    const map = this.written.get(fn) ?? new Map<number, number>();
    values.forEach((v, i) => map.set(address + i, v));
    this.written.set(fn, map);
    return { data: [...values] };
  }

  /** Drops written words from `address` on: the simulated values show again (tests of glitches). */
  release(registerType: 'holding' | 'coil', address: number, count: number): void {
    const map = this.written.get(FUNCTION_OF[registerType]);
    for (let a = address; a < address + count; a++) map?.delete(a);
  }

  /** The current engineering value of a point (for tests and the demo log). */
  valueOf(pointId: string, t: number): number {
    const point = this.pointOf(pointId);
    return point.process.valueAt(t) * (point.spec.scale ?? 1);
  }

  /** The raw (register) value of a point at t; brings its change process up to t. */
  rawValueAt(pointId: string, t: number): number {
    return this.pointOf(pointId).process.valueAt(t);
  }

  /** Ground truth: the point's true change rate per context regime. */
  regimesOf(pointId: string): RegimeRates {
    const process = this.pointOf(pointId).spec.process;
    if (process.kind === 'linked') return this.mustModel().regimesOf(process.channel);
    return process.regimes ?? { by: undefined, perHour: { always: process.ratePerHour?.(0) ?? 0 } };
  }

  private pointOf(pointId: string): PlacedPoint {
    const point = this.points.get(pointId);
    if (!point) throw new Error(`${this.spec.name}: no point ${pointId}`);
    return point;
  }

  private mustModel(): HeatPumpModel {
    if (!this.model) throw new Error(`${this.spec.name}: linked points need a heatPump model`);
    return this.model;
  }

  private createModel(spec: HeatPumpSpec, seed: number, startMs: number, onChange?: (pointId: string) => ChangeListener): HeatPumpModel {
    const listeners = new Map<string, ChangeListener | undefined>();
    for (const p of this.spec.points) {
      if (p.process.kind === 'linked') listeners.set(p.process.channel, onChange?.(p.id));
    }
    const cycle = seededRandom(hashSeed(`${this.spec.name}/cycle`, seed));
    const events = seededRandom(hashSeed(`${this.spec.name}/model`, seed));
    return new HeatPumpModel(spec, cycle, events, startMs, (channel, t, v) => listeners.get(channel)?.(t, v));
  }

  private place(p: SimPointSpec, seed: number, startMs: number, listener: ChangeListener | undefined): void {
    const count = p.dataType === 'string' ? (p.count ?? 1) : (COUNTS[p.dataType] ?? 1);
    const process = this.sourceOf(p, seed, startMs, listener);
    const encode = createEncoder({ dataType: p.dataType, swap: p.swap ?? 'none', count, scale: 1, offset: 0, precision: undefined });
    const fn = FUNCTION_OF[p.registerType];
    const cells = this.byFn.get(fn) ?? new Map<number, { point: PlacedPoint; offset: number }>();
    const placed = { spec: p, process, encode, count };
    for (let i = 0; i < count; i++) cells.set(p.address + i, { point: placed, offset: i });
    this.byFn.set(fn, cells);
    this.points.set(p.id, placed);
  }

  private sourceOf(p: SimPointSpec, seed: number, startMs: number, listener: ChangeListener | undefined): ValueSource {
    const spec = p.process;
    if (spec.kind === 'linked') {
      const model = this.mustModel();
      return { valueAt: (t) => model.valueAt(spec.channel, t) };
    }
    return new ValueProcess(spec, seededRandom(hashSeed(`${this.spec.name}/${p.id}`, seed)), startMs, listener);
  }

  private wordsOf(point: PlacedPoint, t: number): number[] {
    const v = point.process.valueAt(t);
    if (point.spec.dataType === 'string') return point.encode(point.spec.text ?? '');
    if (point.spec.dataType === 'bool') return [v ? 1 : 0];
    return point.encode(v);
  }

  private readable(fn: ReadFunction, address: number, count: number): boolean {
    const type = (Object.keys(FUNCTION_OF) as RegisterType[]).find((k) => FUNCTION_OF[k] === fn);
    const ranges = type ? (this.spec.ranges[type] ?? []) : [];
    return ranges.some(([start, end]) => address >= start && address + count <= end);
  }
}
