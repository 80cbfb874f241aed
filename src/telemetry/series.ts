/**
 * The dashboard's time series, kept in memory and bounded: every tick, per bus, the modelled bus
 * utilisation and the requests and errors per minute over a trailing window (a minute by default:
 * a window shorter than the scan intervals would alias, alternating empty and double cycles), and the
 * estimated mean staleness (the same figure as the sensor, over that bus's entities); and, at a
 * coarser pace, each strategy's learned success rate. Nothing here is persisted: the charts start
 * empty after a restart.
 */
import { repeat, type Clock, type Repeating } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BusWindowDelta, EntityStatus } from '../modbus/pollerTypes.js';
import { meanStalenessMs } from '../optimizer/staleness.js';
import type { StatsView } from '../stats/types.js';
import type { BusWindows } from './busWindows.js';

export interface SeriesSources {
  clock: Clock;
  logger: Logger;
  busWindows: Pick<BusWindows, 'trailing'>;
  entityStatus(): EntityStatus[];
  stats: Pick<StatsView, 'currentRate'>;
  /** Learned success rate per strategy (empty without an optimizer). */
  successRates(): Record<string, number>;
}

export interface BusPoint {
  utilisation: number;
  requestsPerMin: number;
  errorsPerMin: number;
  /** null until some entity on the bus has an estimate. */
  stalenessS: number | null;
}

export interface SeriesPoint {
  at: number;
  buses: Record<string, BusPoint>;
}

export interface StrategyPoint {
  at: number;
  rates: Record<string, number>;
}

export interface SeriesOptions {
  everyMs: number;
  /** Rates are measured over this trailing window (or since the first sample, when shorter). */
  windowMs: number;
  capacity: number;
  /** Success rates are appended at most this often, or when one changed. */
  strategyEveryMs: number;
  strategyCapacity: number;
}

export const DEFAULT_SERIES_OPTIONS: SeriesOptions = {
  everyMs: 10_000, windowMs: 60_000, capacity: 1080, strategyEveryMs: 300_000, strategyCapacity: 2016,
};

/** Columns as uPlot takes them: times in seconds, then one array per series (null = gap). */
export interface SeriesColumns {
  t: number[];
  buses: Record<string, { utilisation: number[]; requestsPerMin: number[]; errorsPerMin: number[]; stalenessS: Array<number | null> }>;
  strategies: { t: number[]; rates: Record<string, number[]> };
}

export class SeriesRecorder {
  private readonly points: SeriesPoint[] = [];
  private readonly strategyPoints: StrategyPoint[] = [];
  private readonly window: { sample(): BusWindowDelta | undefined };
  private ticking: Repeating | undefined;
  private readonly listeners: Array<(p: SeriesPoint) => void> = [];

  constructor(private readonly src: SeriesSources, private readonly options: SeriesOptions = DEFAULT_SERIES_OPTIONS) {
    this.window = src.busWindows.trailing(options.windowMs);
  }

  start(): void {
    this.sample();
    this.ticking = repeat(this.src.clock, this.options.everyMs, () => this.sampleLogged());
  }

  stop(): void {
    this.ticking?.stop();
    this.ticking = undefined;
  }

  /** Called with every new point (the live stream). */
  onPoint(fn: (p: SeriesPoint) => void): void {
    this.listeners.push(fn);
  }

  latest(): SeriesPoint | undefined {
    return this.points.at(-1);
  }

  /** Takes a sample now; the first one only sets the marks the next is measured from. */
  sample(): SeriesPoint | undefined {
    const now = this.src.clock.now();
    const window = this.window.sample();
    this.sampleStrategies(now);
    if (!window) return undefined;
    const minutes = (window.toMs - window.fromMs) / 60_000;
    const byBus = groupByBus(this.src.entityStatus());
    const buses: Record<string, BusPoint> = {};
    for (const delta of window.buses) {
      const staleness = meanStalenessMs(byBus.get(delta.key) ?? [], this.src.stats);
      buses[delta.key] = {
        utilisation: delta.modelledUtilisation,
        requestsPerMin: delta.requestsPerMin,
        errorsPerMin: delta.errors / minutes,
        stalenessS: staleness === undefined ? null : staleness / 1000,
      };
    }
    const point = { at: now, buses };
    this.points.push(point);
    if (this.points.length > this.options.capacity) this.points.splice(0, this.points.length - this.options.capacity);
    for (const fn of this.listeners) {
      try {
        fn(point);
      } catch (err) {
        this.src.logger.error(`A dashboard series listener failed: ${describeError(err)}`);
      }
    }
    return point;
  }

  columns(): SeriesColumns {
    const keys = [...new Set(this.points.flatMap((p) => Object.keys(p.buses)))];
    const buses: SeriesColumns['buses'] = {};
    for (const key of keys) {
      const pick = <K extends keyof BusPoint>(k: K, missing: BusPoint[K]) => this.points.map((p) => p.buses[key]?.[k] ?? missing);
      buses[key] = {
        utilisation: pick('utilisation', 0), requestsPerMin: pick('requestsPerMin', 0),
        errorsPerMin: pick('errorsPerMin', 0), stalenessS: pick('stalenessS', null),
      };
    }
    return { t: this.points.map((p) => p.at / 1000), buses, strategies: this.strategyColumns() };
  }

  /** Each strategy's success rate over time (a point per change, or per strategyEveryMs), ending with the rates now. */
  strategyColumns(): SeriesColumns['strategies'] {
    const now = { at: this.src.clock.now(), rates: this.src.successRates() };
    const points = this.strategyPoints.length > 0 && (this.strategyPoints.at(-1)?.at ?? now.at) < now.at ? [...this.strategyPoints, now] : this.strategyPoints;
    const names = [...new Set(points.flatMap((p) => Object.keys(p.rates)))];
    return {
      t: points.map((p) => p.at / 1000),
      rates: Object.fromEntries(names.map((n) => [n, points.map((p) => p.rates[n] ?? 0.5)])),
    };
  }

  private sampleStrategies(now: number): void {
    const rates = this.src.successRates();
    if (Object.keys(rates).length === 0) return;
    const last = this.strategyPoints.at(-1);
    const changed = !last || Object.entries(rates).some(([k, v]) => last.rates[k] !== v);
    if (!changed && now - last.at < this.options.strategyEveryMs) return;
    this.strategyPoints.push({ at: now, rates });
    if (this.strategyPoints.length > this.options.strategyCapacity) this.strategyPoints.shift();
  }

  private sampleLogged(): void {
    try {
      this.sample();
    } catch (err) {
      this.src.logger.error(`Dashboard series sample failed: ${describeError(err)}`);
    }
  }
}

function groupByBus(entities: readonly EntityStatus[]): Map<string, EntityStatus[]> {
  const out = new Map<string, EntityStatus[]>();
  for (const e of entities) {
    const list = out.get(e.bus);
    if (list) list.push(e);
    else out.set(e.bus, [e]);
  }
  return out;
}
