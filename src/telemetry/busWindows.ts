/**
 * The one recorder of windows over the poller's cumulative bus counters. The status log, the
 * statistics sensors, the resource check, the optimizer's cost calibration and metrics, and the
 * dashboard series all ask it for "the rates since I last looked" or "over the trailing minute",
 * so a rate is computed by one formula (busDelta) from one kind of snapshot, whoever shows it.
 */
import type { Clock } from '../core/clock.js';
import type { BusDelta, BusStatus, BusWindow, BusWindowDelta } from '../modbus/pollerTypes.js';

export interface BusCounterSource {
  busStatus(): BusStatus[];
}

/** Cumulative counters summed over every bus. */
export interface BusTotals {
  requests: number;
  errors: number;
  modelledBusMs: number;
}

interface Mark {
  at: number;
  buses: Map<string, BusStatus>;
}

/** Rates between two snapshots of the same bus taken at `fromMs` and `toMs` (no `before`: since zero). */
export function busDelta(before: BusStatus | undefined, after: BusStatus, fromMs: number, toMs: number): BusDelta {
  const base = before ?? { requests: 0, registers: 0, busyMs: 0, modelledBusMs: 0, errors: 0, overruns: 0 };
  const wallMs = Math.max(1, toMs - fromMs);
  const requests = after.requests - base.requests;
  return {
    key: after.key,
    requests,
    requestsPerMin: (requests / wallMs) * 60_000,
    registersPerRequest: requests > 0 ? (after.registers - base.registers) / requests : 0,
    utilisation: (after.busyMs - base.busyMs) / wallMs,
    modelledUtilisation: (after.modelledBusMs - base.modelledBusMs) / wallMs,
    errors: after.errors - base.errors,
    overruns: after.overruns - base.overruns,
  };
}

function deltaBetween(from: Mark, to: Mark): BusWindowDelta {
  return { fromMs: from.at, toMs: to.at, buses: [...to.buses.values()].map((b) => busDelta(from.buses.get(b.key), b, from.at, to.at)) };
}

export class BusWindows {
  constructor(private readonly source: BusCounterSource, private readonly clock: Clock) {}

  totals(): BusTotals {
    const buses = this.source.busStatus();
    return {
      requests: buses.reduce((s, b) => s + b.requests, 0),
      errors: buses.reduce((s, b) => s + b.errors, 0),
      modelledBusMs: buses.reduce((s, b) => s + b.modelledBusMs, 0),
    };
  }

  /** A window opening now; each advance() gives the counters since the previous one (at least minSpanMs apart). */
  open(minSpanMs = 0): BusWindow {
    let from = this.mark();
    return {
      advance: () => {
        if (this.clock.now() - from.at < minSpanMs) return undefined;
        const to = this.mark();
        const delta = deltaBetween(from, to);
        from = to;
        return delta;
      },
    };
  }

  /**
   * A trailing window sampled now and then: each sample() measures from the latest earlier sample at
   * least `windowMs` old (or the oldest, while younger); the first sample only sets the base. A window
   * shorter than the scan intervals would alias (alternating empty and double cycles).
   */
  trailing(windowMs: number): { sample(): BusWindowDelta | undefined } {
    const marks: Mark[] = [];
    return {
      sample: () => {
        const now = this.mark();
        let i = 0;
        while (i + 1 < marks.length && (marks[i + 1]?.at ?? now.at) <= now.at - windowMs) i++;
        marks.splice(0, i);
        const base = marks[0];
        marks.push(now);
        return base && base.at < now.at ? deltaBetween(base, now) : undefined;
      },
    };
  }

  private mark(): Mark {
    return { at: this.clock.now(), buses: new Map(this.source.busStatus().map((b) => [b.key, b])) };
  }
}
