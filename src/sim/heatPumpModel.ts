/**
 * A heat pump (or chiller) whose values change together: it alternates between running and idle
 * (exponential on and off times), and at every switch the compressor state, electrical power,
 * compressor frequency, circulation pump speed and flow temperature all jump at the same instant;
 * while running, modulation moves power, frequency, pump speed and flow temperature together again.
 * Idle, only the flow temperature drifts down; the energy counter climbs only while running. These
 * are the co-change groups and context regimes the stats and optimizer tests are held against.
 * Events are generated lazily from seeded streams: the on/off schedule has its own stream, so it can
 * be looked ahead (to feed the HA context in virtual time) without disturbing anything else.
 */
import { exponential, type Random } from '../core/random.js';
import { HOUR_MS, type RegimeRates } from './rates.js';

export const HEAT_PUMP_CHANNELS = ['compressor', 'power', 'frequency', 'pump_speed', 'flow_temperature', 'energy'] as const;
export type HeatPumpChannel = (typeof HEAT_PUMP_CHANNELS)[number];
/** The channels that change at the same instants (a co-change group). */
export const CO_CHANGING: readonly HeatPumpChannel[] = ['compressor', 'power', 'frequency', 'pump_speed', 'flow_temperature'];

export interface HeatPumpSpec {
  /** HA context entity that mirrors the running state (`on`/`off`), e.g. binary_sensor.heat_pump_running. */
  contextEntity: string;
  meanOnMinutes: number;
  meanOffMinutes: number;
  /** Modulation events per hour while running. */
  modulationPerHour: number;
  /** Flow temperature cooling steps per hour while idle. */
  coolingPerHour: number;
  /** Energy counter increments per hour while running. */
  energyPerHour: number;
  /** Initial flow temperature (raw, 0.1 °C) and energy counter (raw). */
  initialFlow: number;
  initialEnergy: number;
}

export type ChannelListener = (channel: HeatPumpChannel, t: number, value: number) => void;

const ON = 'on';
const OFF = 'off';

export class HeatPumpModel {
  private readonly values: Record<HeatPumpChannel, number>;
  private running = false;
  private t: number;
  /** Generated switch times (even index: idle→running), consumed from `consumed`. */
  private readonly switches: number[] = [];
  private consumed = 0;
  private nextModulation: number;
  private nextEnergy: number;

  constructor(
    readonly spec: HeatPumpSpec,
    private readonly cycleRandom: Random,
    private readonly random: Random,
    startMs: number,
    private readonly onChange?: ChannelListener,
  ) {
    this.t = startMs;
    this.values = { compressor: 0, power: 0, frequency: 0, pump_speed: 0, flow_temperature: spec.initialFlow, energy: spec.initialEnergy };
    this.nextModulation = this.draw(startMs, spec.coolingPerHour);
    this.nextEnergy = Infinity;
    this.switchAt(0);
  }

  /** Running state at t from the switch schedule alone (t may be ahead of the values). */
  runningAt(t: number): boolean {
    let n = 0;
    for (;; n++) {
      if (this.switchAt(n) > t) return n % 2 === 1;
    }
  }

  contextStateAt(t: number): string {
    return this.runningAt(t) ? ON : OFF;
  }

  /** The first switch strictly after t. */
  nextSwitchAfter(t: number): number {
    for (let n = this.consumed; ; n++) {
      const at = this.switchAt(n);
      if (at > t) return at;
    }
  }

  /** A channel's raw value at t; t must not go backwards. */
  valueAt(channel: HeatPumpChannel, t: number): number {
    this.advance(t);
    return this.values[channel];
  }

  /** True rates per regime of each channel (ground truth). */
  regimesOf(channel: HeatPumpChannel): RegimeRates {
    const s = this.spec;
    const leaveOn = 60 / s.meanOnMinutes;
    const leaveOff = 60 / s.meanOffMinutes;
    const perHour: Record<HeatPumpChannel, [number, number]> = {
      compressor: [leaveOn, leaveOff],
      power: [leaveOn + s.modulationPerHour, leaveOff],
      frequency: [leaveOn + s.modulationPerHour, leaveOff],
      pump_speed: [leaveOn + s.modulationPerHour, leaveOff],
      flow_temperature: [leaveOn + s.modulationPerHour, leaveOff + s.coolingPerHour],
      energy: [s.energyPerHour, 0],
    };
    const [on, off] = perHour[channel];
    return { by: s.contextEntity, perHour: { [ON]: on, [OFF]: off } };
  }

  private switchAt(n: number): number {
    while (this.switches.length <= n) {
      const last = this.switches[this.switches.length - 1] ?? this.t;
      const meanMinutes = this.switches.length % 2 === 0 ? this.spec.meanOffMinutes : this.spec.meanOnMinutes;
      this.switches.push(last + exponential(this.cycleRandom, 1 / (meanMinutes * 60_000)));
    }
    return this.switches[n] ?? Infinity;
  }

  private advance(t: number): void {
    for (;;) {
      const sw = this.switchAt(this.consumed);
      const next = Math.min(sw, this.nextModulation, this.nextEnergy);
      if (next > t) break;
      this.t = next;
      if (next === sw) this.toggle(sw);
      else if (next === this.nextModulation) this.modulate(next);
      else this.countEnergy(next);
    }
    this.t = Math.max(this.t, t);
  }

  private toggle(at: number): void {
    this.consumed++;
    this.running = !this.running;
    const r = this.random;
    if (this.running) {
      this.set(at, { compressor: 1, power: 800 + 10 * Math.round(r() * 120), frequency: 30 + Math.round(r() * 40),
        pump_speed: 60 + Math.round(r() * 40), flow_temperature: this.values.flow_temperature + 20 + Math.round(r() * 20) });
    } else {
      this.set(at, { compressor: 0, power: 0, frequency: 0, pump_speed: 0,
        flow_temperature: Math.max(200, this.values.flow_temperature - 10 - Math.round(r() * 10)) });
    }
    this.nextModulation = this.draw(at, this.running ? this.spec.modulationPerHour : this.spec.coolingPerHour);
    this.nextEnergy = this.running ? this.draw(at, this.spec.energyPerHour) : Infinity;
  }

  private modulate(at: number): void {
    const v = this.values;
    if (this.running) {
      this.set(at, { power: this.step(v.power, 100, 500, 3000, 10), frequency: this.step(v.frequency, 3, 20, 90, 1),
        pump_speed: this.step(v.pump_speed, 5, 40, 100, 1), flow_temperature: this.step(v.flow_temperature, 5, 250, 550, 1) });
    } else {
      this.set(at, { flow_temperature: Math.max(200, v.flow_temperature - 1 - Math.round(this.random() * 2)) });
    }
    this.nextModulation = this.draw(at, this.running ? this.spec.modulationPerHour : this.spec.coolingPerHour);
  }

  private countEnergy(at: number): void {
    this.set(at, { energy: this.values.energy + 1 });
    this.nextEnergy = this.draw(at, this.spec.energyPerHour);
  }

  /** A non-zero step of up to ±max in units of `quantum`, kept within [lo, hi]. */
  private step(value: number, max: number, lo: number, hi: number, quantum: number): number {
    const delta = quantum * Math.max(1, Math.round((this.random() * max) / quantum)) * (this.random() < 0.5 ? -1 : 1);
    const next = value + delta;
    return next < lo || next > hi ? value - delta : next;
  }

  private set(at: number, changes: Partial<Record<HeatPumpChannel, number>>): void {
    for (const channel of HEAT_PUMP_CHANNELS) {
      const value = changes[channel];
      if (value === undefined || value === this.values[channel]) continue;
      this.values[channel] = value;
      this.onChange?.(channel, at, value);
    }
  }

  private draw(from: number, perHour: number): number {
    return perHour > 0 ? from + exponential(this.random, perHour / HOUR_MS) : Infinity;
  }
}
