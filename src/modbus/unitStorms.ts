/**
 * A unit that answers, but only with trouble: "server device failure" (4), "busy" (6) after its
 * retries, or its gateway's "path unavailable" (10) / "target failed to respond" (11). Such answers
 * keep the line alive, so the silent-unit back-off never starts — and every poll goes on hitting the
 * device, a block split in halves under exception 4 and each request retried under 6: three to four
 * times the normal request rate for as long as the trouble lasts (measured by the reliability suite).
 * After a few troubled answers in a row with no good one between, the unit is given room: its
 * requests wait out a capped exponential back-off (short, so a device that recovers is read again
 * within seconds); the first good answer ends it.
 */
import { backoffDelay } from '../core/backoff.js';

/** Exception codes that say the device (or the path to it) is in trouble, not the request. */
export const TROUBLE_CODES: ReadonlySet<number> = new Set([4, 6, 10, 11]);
/** Troubled answers in a row before the unit is backed off. */
export const TROUBLE_IN_A_ROW = 3;
/** The storm back-off's cap: a recovered device waits at most this long for its next read. */
export const STORM_BACKOFF_MAX_MS = 10_000;

interface Storm { inARow: number; backoffs: number; retryAt: number }

export class StormTracker {
  private readonly units = new Map<number, Storm>();

  constructor(private readonly baseMs: number, private readonly random: () => number) {}

  /** A troubled answer from the unit at `now`: the back-off when one starts or grows (first: it starts), else undefined. */
  troubled(unitId: number, now: number): { delayMs: number; first: boolean } | undefined {
    const storm = this.units.get(unitId) ?? { inARow: 0, backoffs: 0, retryAt: 0 };
    storm.inARow++;
    this.units.set(unitId, storm);
    if (storm.inARow < TROUBLE_IN_A_ROW) return undefined;
    const delay = backoffDelay(storm.backoffs, this.baseMs, STORM_BACKOFF_MAX_MS, this.random);
    storm.backoffs++;
    storm.retryAt = now + delay;
    return { delayMs: delay, first: storm.backoffs === 1 };
  }

  /** A good answer: true when it ends a back-off. */
  answered(unitId: number): boolean {
    const storm = this.units.get(unitId);
    this.units.delete(unitId);
    return storm !== undefined && storm.backoffs > 0;
  }

  /** How long the unit's requests must still wait (ms), or undefined. */
  waitMs(unitId: number, now: number): number | undefined {
    const storm = this.units.get(unitId);
    return storm && storm.backoffs > 0 && now < storm.retryAt ? storm.retryAt - now : undefined;
  }
}
