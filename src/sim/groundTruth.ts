/**
 * A site's devices brought to life for one seed and start time, plus everything the simulator knows
 * that the app must learn: every true change time and value per entity, the true rate of each entity
 * per context regime, the co-change groups, and the context states (the sun, machines running) at any
 * time. The stats and optimizer tests hold their estimates against this; the freshness metrics compare
 * what HA was shown against it.
 */
import { DoubleList } from '../metrics/freshness.js';
import { CO_CHANGING } from './heatPumpModel.js';
import { nextSunTransition, rateInRegime, sunState, SUN_ENTITY, type RegimeRates } from './rates.js';
import { SimDevice } from './simDevice.js';
import type { SiteSpec } from './sites.js';

export type TruthListener = (entityId: string, t: number, value: number) => void;

export interface SimSiteOptions {
  seed: number;
  startMs: number;
  /**
   * Where the random processes begin (default startMs). Runs that start at different times but share
   * the epoch see the identical realisation from their start on — every benchmark policy, whatever its
   * warm-up, is measured on the same change times. Changes before startMs are generated, not recorded.
   */
  epochMs?: number;
  /** Keep every change time (ground truth for tests); off saves memory in long benchmark runs. */
  recordChanges?: boolean;
}

interface EntityTruth {
  device: SimDevice;
  initial: number;
  times: DoubleList | undefined;
  count: number;
}

export class SimSite {
  readonly devices: SimDevice[];
  private readonly entities = new Map<string, EntityTruth>();
  private readonly listeners: TruthListener[] = [];

  constructor(readonly spec: SiteSpec, readonly options: SimSiteOptions) {
    const record = options.recordChanges ?? true;
    const epoch = Math.min(options.epochMs ?? options.startMs, options.startMs);
    this.devices = spec.devices.map(({ device }) => new SimDevice(device, options.seed, epoch, (id) => (t, v) => this.changed(id, t, v)));
    this.devices.forEach((device) => {
      for (const p of device.spec.points) {
        const truth: EntityTruth = { device, initial: 0, times: record ? new DoubleList() : undefined, count: 0 };
        this.entities.set(p.id, truth);
        truth.initial = device.rawValueAt(p.id, options.startMs);
      }
    });
  }

  entityIds(): string[] {
    return [...this.entities.keys()];
  }

  /** Called for every true change on any device, in time order per entity. */
  onChange(listener: TruthListener): void {
    this.listeners.push(listener);
  }

  /** The raw value at the start. */
  initialValue(entityId: string): number {
    return this.mustGet(entityId).initial;
  }

  /** The raw value at t (brings the entity's process up to t; t must not go backwards). */
  valueAt(entityId: string, t: number): number {
    return this.mustGet(entityId).device.rawValueAt(entityId, t);
  }

  /** Generates every change up to t for all entities (e.g. at the end of a run). */
  advanceAll(t: number): void {
    for (const id of this.entities.keys()) this.valueAt(id, t);
  }

  /** True change times recorded so far (generated lazily: call advanceAll first for a complete list). */
  changeTimes(entityId: string): Float64Array {
    return this.mustGet(entityId).times?.toArray() ?? new Float64Array(0);
  }

  changeCount(entityId: string): number {
    return this.mustGet(entityId).count;
  }

  /** The true rate per context regime. */
  regimes(entityId: string): RegimeRates {
    return this.mustGet(entityId).device.regimesOf(entityId);
  }

  /** The true rate (per hour) right now, given the context at t. */
  rateAt(entityId: string, t: number): number {
    return rateInRegime(this.regimes(entityId), (ctx) => this.contextStateAt(ctx, t));
  }

  /** Groups of entities that change at the same instants (one per cycling machine). */
  coChangeGroups(): string[][] {
    return this.devices.filter((d) => d.model).map((d) => d.spec.points
      .filter((p) => p.process.kind === 'linked' && CO_CHANGING.includes(p.process.channel))
      .map((p) => p.id));
  }

  /** The state of a context entity at t (`sun.sun` or a machine's running sensor). */
  contextStateAt(entityId: string, t: number): string | undefined {
    if (entityId === SUN_ENTITY) return sunState(t);
    return this.machineFor(entityId)?.contextStateAt(t);
  }

  /** When a context entity next changes state after t (Infinity if it never does). */
  nextContextChange(entityId: string, t: number): number {
    if (entityId === SUN_ENTITY) return nextSunTransition(t);
    return this.machineFor(entityId)?.nextSwitchAfter(t) ?? Infinity;
  }

  private machineFor(entityId: string) {
    return this.devices.find((d) => d.model?.spec.contextEntity === entityId)?.model;
  }

  private changed(entityId: string, t: number, value: number): void {
    if (t <= this.options.startMs) return; // fast-forwarding from the epoch: before the run, not part of it
    const truth = this.entities.get(entityId);
    if (truth) {
      truth.count++;
      truth.times?.push(t);
    }
    for (const l of this.listeners) l(entityId, t, value);
  }

  private mustGet(entityId: string): EntityTruth {
    const truth = this.entities.get(entityId);
    if (!truth) throw new Error(`${this.spec.name}: no entity ${entityId}`);
    return truth;
  }
}
