/**
 * How a simulated value evolves. Changes arrive as a (possibly time-varying) Poisson process,
 * generated lazily and exactly by thinning: candidate events at the peak rate are kept with
 * probability rate(t)/peak. Each process owns a seeded generator, so the change times do not depend
 * on how often anyone looks — the ground truth the metrics compare against.
 */
import { exponential, type Random } from '../core/random.js';
import type { RegimeRates } from './rates.js';

export type ProcessKind = 'constant' | 'walk' | 'counter' | 'states';

export interface ProcessSpec {
  kind: ProcessKind;
  initial: number;
  /** Changes per hour at time t (ms since epoch); omitted for constants. */
  ratePerHour?: (t: number) => number;
  /** Upper bound of ratePerHour over all t (for thinning). */
  peakRatePerHour?: number;
  /** walk: largest step (uniform in ±step, never 0); counter: increment. */
  step?: number;
  min?: number;
  max?: number;
  /** states: the values it switches between. */
  states?: readonly number[];
  /** Round values to this many decimals (registers hold scaled integers or floats). */
  decimals?: number;
  /** Ground truth only (stats tests, the oracle): the true rate per context regime. */
  regimes?: RegimeRates;
}

export type ChangeListener = (t: number, value: number) => void;

const MS_PER_HOUR = 3_600_000;

export class ValueProcess {
  private value: number;
  private nextCandidate: number;
  private readonly peakPerMs: number;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly random: Random,
    startMs: number,
    private readonly onChange?: ChangeListener,
  ) {
    this.value = spec.initial;
    this.peakPerMs = spec.kind === 'constant' ? 0 : (spec.peakRatePerHour ?? 0) / MS_PER_HOUR;
    this.nextCandidate = this.peakPerMs > 0 ? startMs + exponential(random, this.peakPerMs) : Infinity;
  }

  /** The value at time t; t must not go backwards across calls. */
  valueAt(t: number): number {
    while (this.nextCandidate <= t) {
      const at = this.nextCandidate;
      const rate = (this.spec.ratePerHour?.(at) ?? 0) / MS_PER_HOUR;
      if (this.random() * this.peakPerMs < rate) this.change(at);
      this.nextCandidate = at + exponential(this.random, this.peakPerMs);
    }
    return this.value;
  }

  private change(at: number): void {
    const next = this.nextValue();
    if (next === this.value) return;
    this.value = next;
    this.onChange?.(at, next);
  }

  private nextValue(): number {
    const s = this.spec;
    switch (s.kind) {
      case 'counter':
        return this.round(this.value + (s.step ?? 1));
      case 'states': {
        const others = (s.states ?? []).filter((v) => v !== this.value);
        return others[Math.floor(this.random() * others.length)] ?? this.value;
      }
      case 'walk': {
        const step = s.step ?? 1;
        const delta = (this.random() < 0.5 ? -1 : 1) * Math.max(10 ** -(s.decimals ?? 0), this.random() * step);
        const bounded = Math.min(s.max ?? Infinity, Math.max(s.min ?? -Infinity, this.value + delta));
        return this.round(bounded === this.value ? this.value - delta : bounded);
      }
      default:
        return this.value;
    }
  }

  private round(x: number): number {
    const d = this.spec.decimals ?? 0;
    const f = 10 ** d;
    return Math.round(x * f) / f;
  }
}
