/**
 * The bus figures the optimizer's resource check asks for — the highest modelled bus utilisation
 * and the share of requests that failed — over one trailing window of the one bus-window recorder,
 * so the check sees the last minutes (not "since it last asked", which for a 12-hourly cycle would
 * be half a day). The resource monitor samples every minute, which keeps the window trailing.
 */
import type { Clock } from '../core/clock.js';
import type { BusWindowDelta } from '../modbus/pollerTypes.js';
import type { BusWindows } from './busWindows.js';

/** The resource check's window. */
export const RESOURCE_WINDOW_MS = 10 * 60_000;

export interface BusProbes {
  busUtilisation: () => number;
  errorRate: () => number;
}

export function busProbes(busWindows: BusWindows, clock: Clock, windowMs = RESOURCE_WINDOW_MS): BusProbes {
  const trailing = busWindows.trailing(windowMs);
  let sampledAt: number | undefined;
  let last: BusWindowDelta | undefined;
  // both probes are read at the same instant: sample once, so the second does not see an empty window
  const current = (): BusWindowDelta | undefined => {
    const now = clock.now();
    if (sampledAt !== now) {
      sampledAt = now;
      last = trailing.sample() ?? last;
    }
    return last;
  };
  return {
    busUtilisation: () => Math.max(0, ...(current()?.buses ?? []).map((b) => b.modelledUtilisation)),
    errorRate: () => {
      const buses = current()?.buses ?? [];
      const requests = buses.reduce((sum, b) => sum + b.requests, 0);
      return requests > 0 ? buses.reduce((sum, b) => sum + b.errors, 0) / requests : 0;
    },
  };
}
