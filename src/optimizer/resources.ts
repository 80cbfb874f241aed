/**
 * Decides whether a heavy optimization cycle may run now: not while the CPU is loaded, the event
 * loop lags (polling would suffer), the bus is already near saturation, or requests are failing
 * (learning from a broken site is learning noise). Probes are injected; one that fails is reported
 * at debug level and ignored, so a missing figure never blocks the optimizer.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ResourceAdapter } from './loop.js';

export interface ResourceProbes {
  /** 1-minute load average per CPU core. */
  cpuLoad?: () => number;
  /** Modelled bus utilisation over the last minutes, highest bus. */
  busUtilisation?: () => number;
  /** Failed requests / requests over the last minutes. */
  errorRate?: () => number;
}

export interface ResourceLimits {
  maxCpuLoad: number;
  maxLoopLagMs: number;
  maxBusUtilisation: number;
  maxErrorRate: number;
}

export const DEFAULT_LIMITS: ResourceLimits = { maxCpuLoad: 0.9, maxLoopLagMs: 200, maxBusUtilisation: 0.95, maxErrorRate: 0.5 };

const LAG_PROBE_EVERY_MS = 1000;

export class ResourceMonitor implements ResourceAdapter {
  private lagMs = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly probes: ResourceProbes,
    private readonly limits: ResourceLimits = DEFAULT_LIMITS,
  ) {}

  /** Starts measuring event-loop lag: how late a 1 s timer fires. */
  start(): void {
    const expected = this.clock.now() + LAG_PROBE_EVERY_MS;
    this.timer = this.clock.setTimer(() => {
      const late = this.clock.now() - expected;
      this.lagMs = 0.7 * this.lagMs + 0.3 * Math.max(0, late);
      this.start();
    }, LAG_PROBE_EVERY_MS);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  check(): { ok: boolean; reason?: string } {
    const failed: string[] = [];
    const read = (name: string, probe: (() => number) | undefined): number | undefined => {
      if (!probe) return undefined;
      try {
        const v = probe();
        return Number.isFinite(v) ? v : undefined;
      } catch (err) {
        failed.push(`${name}: ${describeError(err)}`);
        return undefined;
      }
    };
    const cpu = read('cpu load', this.probes.cpuLoad);
    const bus = read('bus utilisation', this.probes.busUtilisation);
    const errors = read('error rate', this.probes.errorRate);
    if (failed.length) this.logger.debug(`Could not collect all system metrics: ${failed.join('; ')}`);
    const l = this.limits;
    if (cpu !== undefined && cpu > l.maxCpuLoad) return { ok: false, reason: `CPU load ${cpu.toFixed(2)} per core above ${l.maxCpuLoad}` };
    if (this.lagMs > l.maxLoopLagMs) return { ok: false, reason: `event-loop lag ${this.lagMs.toFixed(0)} ms above ${l.maxLoopLagMs} ms` };
    if (bus !== undefined && bus > l.maxBusUtilisation) return { ok: false, reason: `bus utilisation ${(bus * 100).toFixed(0)} % above ${l.maxBusUtilisation * 100} %` };
    if (errors !== undefined && errors > l.maxErrorRate) return { ok: false, reason: `error rate ${(errors * 100).toFixed(0)} % above ${l.maxErrorRate * 100} %` };
    return { ok: true };
  }
}
