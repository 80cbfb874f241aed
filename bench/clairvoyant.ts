/**
 * The clairvoyant floor (issue 11, bound c): a reader that knows when every change happens reads each
 * changed entity alone the instant it changes — zero staleness, and bus time = Σ true changes × that
 * entity's single-read cost. It is a reference line, not a reachable policy (no poller knows the
 * instants), and not a lower bound on bus time at non-zero staleness.
 */

export interface FloorEntity {
  /** True changes of the entity inside the measured window (simulator ground truth). */
  changes: number;
  /** Modelled bus time of one read of this entity alone (ms). */
  singleReadMs: number;
  /** The physical bus it is read on. */
  bus: string;
}

export interface Floor {
  busMs: number;
  /** Bus time over the window, averaged over the buses (the same definition as the policies' rows). */
  busUtilisation: number;
  requests: number;
  meanStalenessMs: 0;
}

export function clairvoyantFloor(entities: readonly FloorEntity[], windowMs: number): Floor {
  let busMs = 0;
  let requests = 0;
  const buses = new Set<string>();
  for (const e of entities) {
    busMs += e.changes * e.singleReadMs;
    requests += e.changes;
    buses.add(e.bus);
  }
  const busUtilisation = windowMs > 0 && buses.size > 0 ? busMs / (windowMs * buses.size) : 0;
  return { busMs, busUtilisation, requests, meanStalenessMs: 0 };
}
