/**
 * Decides whether a heavy optimization cycle may run now: not while the CPU is loaded beyond what
 * is usual for this host, the event loop lags (polling would suffer), the bus is already near
 * saturation, or requests are failing (learning from a broken site is learning noise). Probes are
 * injected (main.ts measures the process, app.ts the buses); one that fails is reported at debug
 * level and ignored, so a missing figure never blocks the optimizer. CPU load is judged against the
 * host's own recent baseline, sampled every minute: a host that is always busy is its own normal.
 */
import { repeat, type Clock, type Repeating } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ResourceAdapter, ResourceVerdict } from './loopTypes.js';

export interface ResourceProbes {
  /** 1-minute load average per CPU core. */
  cpuLoad?: () => number;
  /** Event-loop delay (ms) since the previous call, e.g. a high percentile of perf_hooks' histogram. */
  loopLagMs?: () => number;
  /** Modelled bus utilisation over the last minutes, highest bus. */
  busUtilisation?: () => number;
  /** Failed requests / requests over the last minutes. */
  errorRate?: () => number;
}

export interface ResourceLimits {
  /** Load per core above which a cycle may wait — if it is also well above the host's baseline. */
  maxCpuLoad: number;
  /** How far above its recent median the load must be to count as busy (factor). */
  cpuAboveBaseline: number;
  maxLoopLagMs: number;
  maxBusUtilisation: number;
  maxErrorRate: number;
}

export const DEFAULT_LIMITS: ResourceLimits = { maxCpuLoad: 0.9, cpuAboveBaseline: 1.25, maxLoopLagMs: 200, maxBusUtilisation: 0.95, maxErrorRate: 0.5 };

const SAMPLE_EVERY_MS = 60_000;
/** The CPU baseline: the median of the last 6 hours of minute samples. */
const BASELINE_SAMPLES = 360;
/** Fewer samples than this and the baseline is not trusted (the absolute limit alone decides). */
const MIN_BASELINE_SAMPLES = 30;

interface Figures {
  cpu: number | undefined;
  lagMs: number | undefined;
  bus: number | undefined;
  errors: number | undefined;
}

export class ResourceMonitor implements ResourceAdapter {
  private ticking: Repeating | undefined;
  private readonly cpuSamples: number[] = [];
  /** The lag of the latest minute sample (lag probes report since their previous call). */
  private recentLagMs: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly probes: ResourceProbes,
    private readonly limits: ResourceLimits = DEFAULT_LIMITS,
  ) {}

  /** Samples every probe once a minute: the CPU baseline, and trailing windows that need regular samples. */
  start(): void {
    this.ticking = repeat(this.clock, SAMPLE_EVERY_MS, () => {
      const f = this.read();
      this.recentLagMs = f.lagMs;
      if (f.cpu !== undefined) {
        this.cpuSamples.push(f.cpu);
        if (this.cpuSamples.length > BASELINE_SAMPLES) this.cpuSamples.shift();
      }
    });
  }

  stop(): void {
    this.ticking?.stop();
    this.ticking = undefined;
  }

  /** The median of recent CPU samples, once there are enough. */
  cpuBaseline(): number | undefined {
    if (this.cpuSamples.length < MIN_BASELINE_SAMPLES) return undefined;
    const sorted = [...this.cpuSamples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  check(): ResourceVerdict {
    const { cpu, lagMs, bus, errors } = this.read();
    // the last minute or two: since the latest sample, and that sample's own minute
    const lag = lagMs === undefined && this.recentLagMs === undefined ? undefined : Math.max(lagMs ?? 0, this.recentLagMs ?? 0);
    const l = this.limits;
    const baseline = this.cpuBaseline();
    const cpuLimit = Math.max(l.maxCpuLoad, (baseline ?? 0) * l.cpuAboveBaseline);
    if (cpu !== undefined && cpu > cpuLimit) {
      const usual = baseline === undefined ? '' : ` (usual here ${baseline.toFixed(2)})`;
      return { ok: false, kind: 'cpu', reason: `CPU load ${cpu.toFixed(2)} per core above ${+cpuLimit.toFixed(2)}${usual}` };
    }
    if (lag !== undefined && lag > l.maxLoopLagMs) return { ok: false, kind: 'event_loop', reason: `event-loop lag ${lag.toFixed(0)} ms above ${l.maxLoopLagMs} ms` };
    if (bus !== undefined && bus > l.maxBusUtilisation) return { ok: false, kind: 'bus', reason: `bus utilisation ${(bus * 100).toFixed(0)} % above ${l.maxBusUtilisation * 100} %` };
    if (errors !== undefined && errors > l.maxErrorRate) return { ok: false, kind: 'errors', reason: `error rate ${(errors * 100).toFixed(0)} % above ${l.maxErrorRate * 100} %` };
    return { ok: true };
  }

  private read(): Figures {
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
    const figures = {
      cpu: read('cpu load', this.probes.cpuLoad),
      lagMs: read('event-loop lag', this.probes.loopLagMs),
      bus: read('bus utilisation', this.probes.busUtilisation),
      errors: read('error rate', this.probes.errorRate),
    };
    if (failed.length) this.logger.debug(`Could not collect all system metrics: ${failed.join('; ')}`);
    return figures;
  }
}
