/**
 * What other masters read, and how often. A value evcc reads through the proxy every second is worth
 * keeping fresh: polled at least every `max_age`, each of evcc's reads is answered from the cache at
 * once instead of one in a few waiting for a read on a slow line. The demand is learned per entity from
 * the clients' reads (the spacing between them, smoothed) and forgotten when they stop; only a client
 * that reads at least every two `max_age` earns the cap — a slower one costs no more than its own
 * reads, merged into the app's polling, would.
 */
import { repeat, type Clock, type Repeating } from '../../core/clock.js';

/** Smoothing of the spacing between a client's reads of one value. */
const ALPHA = 0.3;
/** A demand lapses after this many of its periods without a read (and at least a minute). */
const LAPSE_PERIODS = 4;

interface Demand {
  lastAt: number;
  periodMs: number | undefined;
}

export class ClientDemand {
  private readonly byEntity = new Map<string, Demand>();

  constructor(private readonly maxAgeMs: number) {}

  /** Clients read these entities' registers at `now`. */
  observe(entityIds: readonly string[], now: number): void {
    for (const id of entityIds) {
      const d = this.byEntity.get(id);
      if (!d) {
        this.byEntity.set(id, { lastAt: now, periodMs: undefined });
        continue;
      }
      const gap = now - d.lastAt;
      if (gap <= 0) continue; // the same moment (two clients, or one read covering it twice)
      d.periodMs = d.periodMs === undefined ? gap : d.periodMs + ALPHA * (gap - d.periodMs);
      d.lastAt = now;
    }
  }

  /** How often clients read this entity (the smoothed spacing, ms), undefined before a second read. */
  periodMs(entityId: string): number | undefined {
    return this.byEntity.get(entityId)?.periodMs;
  }

  /** Per entity with a demand: the cap on its poll interval (ms) now, or undefined where the demand lapsed or is too slow. */
  caps(now: number): Map<string, number | undefined> {
    const out = new Map<string, number | undefined>();
    for (const [id, d] of this.byEntity) {
      const lapsed = d.periodMs === undefined ? now - d.lastAt > 60_000 : now - d.lastAt > Math.max(60_000, LAPSE_PERIODS * d.periodMs);
      const fast = d.periodMs !== undefined && d.periodMs <= 2 * this.maxAgeMs;
      out.set(id, !lapsed && fast ? this.maxAgeMs : undefined);
      if (lapsed) this.byEntity.delete(id);
    }
    return out;
  }
}

/** How often the learned demand is turned into poll-interval caps. */
export const DEMAND_EVERY_MS = 10_000;

/** Applies `demand`'s caps to the poller every DEMAND_EVERY_MS until stopped. */
export function followDemand(clock: Clock, demand: ClientDemand, setCap: (entityId: string, capMs: number | undefined) => void): Repeating {
  return repeat(clock, DEMAND_EVERY_MS, () => {
    for (const [id, cap] of demand.caps(clock.now())) setCap(id, cap);
  });
}
