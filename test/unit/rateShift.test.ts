/**
 * Regime shifts in the last polls (stats/rateShift.ts): a value frozen all night that starts changing
 * is seen as shifted on its first change, a rarely changing one after a few changes its rate cannot
 * explain, a value changing at its learned rate is not (false alarms counted over many seeded runs),
 * the recent rate is used once settled, and the shift ends when the polls agree with the long run again.
 */
import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../src/core/random.js';
import { SETTLE_POLLS, ShiftWatch, shiftedUp } from '../../src/stats/rateShift.js';

const S = 1000;
const HOUR = 3_600_000;
const poll = (T: number, changed: boolean) => ({ T, changed });

describe('shiftedUp', () => {
  it('a rate of zero (a constant) is contradicted by one change', () => {
    expect(shiftedUp([poll(300 * S, false), poll(300 * S, true)], { ratePerMs: 0, c: 1 })).toBe(true);
  });

  it('a rare value (once an hour) polled every 5 minutes: a few changes are no shift, a change on every poll for an hour is', () => {
    const rare = { ratePerMs: 1 / HOUR, c: 1 };
    const quiet = Array.from({ length: 20 }, () => poll(300 * S, false));
    const changed = (n: number) => Array.from({ length: n }, () => poll(300 * S, true));
    expect(shiftedUp([...quiet, ...changed(3)], rare)).toBe(false);
    expect(shiftedUp([...quiet, ...changed(12)], rare)).toBe(true);
  });

  it('polls without a change, or with no more changes than expected, are never a shift', () => {
    const busy = { ratePerMs: 360 / HOUR, c: 1 }; // every 10 s: a 15 s poll sees a change 78 % of the time
    expect(shiftedUp(Array.from({ length: 32 }, () => poll(15 * S, false)), busy)).toBe(false);
    expect(shiftedUp(Array.from({ length: 32 }, (_, i) => poll(15 * S, i % 4 !== 0)), busy)).toBe(false);
  });
});

describe('ShiftWatch', () => {
  /** Feeds `n` polls every `T` ms from `from`, changed with probability p (seeded), at a fixed long-run rate. */
  const feed = (w: ShiftWatch, from: number, n: number, T: number, p: () => boolean, ratePerMs: number) => {
    let at = from;
    for (let i = 0; i < n; i++) {
      at += T;
      w.observe(at, T, p(), () => ({ ratePerMs, c: 1 }));
    }
    return at;
  };

  it('a value changing at its learned rate raises a false alarm on under 5 % of simulated days (2 of 100 measured)', () => {
    let alarms = 0;
    const days = 100;
    for (let seed = 1; seed <= days; seed++) {
      const random = seededRandom(seed);
      const rate = 120 / HOUR; // every 30 s on average, polled every 15 s: 39 % of polls see a change
      const w = new ShiftWatch();
      const T = 15 * S;
      const p = 1 - Math.exp(-rate * T);
      let at = 0;
      for (let i = 0; i < 5760; i++) { // a day of 15 s polls
        at += T;
        w.observe(at, T, random() < p, () => ({ ratePerMs: rate, c: 1 }));
        if (w.since !== undefined) {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / days).toBeLessThan(0.05);
  });

  it('sunrise: frozen all night, then a change on every poll — shifted on the first change, the recent rate once settled', () => {
    const w = new ShiftWatch();
    const night = feed(w, 0, 60, 300 * S, () => false, 0);
    expect(w.since).toBeUndefined();
    w.observe(night + 300 * S, 300 * S, true, () => ({ ratePerMs: 1 / (5 * HOUR), c: 1 })); // the long run already "knows" the change
    expect(w.since).toBe(night + 300 * S);
    expect(w.recentFit(1)).toBeUndefined(); // settling: the rate is unknown
    feed(w, night + 300 * S, SETTLE_POLLS, 15 * S, () => true, 1 / (5 * HOUR));
    const fit = w.recentFit(1);
    expect(fit?.saturated).toBe(true); // every poll changed: at least this fast
    expect((fit?.ratePerMs ?? 0) * HOUR).toBeGreaterThan(240); // at least one change per 15 s poll
    expect(w.since).toBe(night + 300 * S); // still contradicting the long run
  });

  it('ends when the polls since the shift agree with the long run again (sunset, or the learning caught up)', () => {
    const w = new ShiftWatch();
    const night = feed(w, 0, 60, 300 * S, () => false, 0);
    const day = feed(w, night, 10, 15 * S, () => true, 0);
    expect(w.since).toBeDefined();
    feed(w, day, 40, 15 * S, () => false, 0); // frozen again: 32 quiet polls push the changes out of the ring
    expect(w.since).toBeUndefined();
  });

  it('a context state never polled in makes the rate unknown until 8 polls there; a change then makes the shift observed, no change ends it', () => {
    const still = new ShiftWatch();
    let at = feed(still, 0, 60, 300 * S, () => false, 0);
    still.unseen(at);
    expect([still.since, still.observed]).toEqual([at, false]);
    feed(still, at, SETTLE_POLLS, 300 * S, () => false, 0);
    expect(still.since).toBeUndefined(); // a constant stays a constant

    const woken = new ShiftWatch();
    at = feed(woken, 0, 60, 300 * S, () => false, 0);
    woken.unseen(at);
    feed(woken, at, 1, 300 * S, () => true, 0);
    expect([woken.since, woken.observed]).toEqual([at, true]); // the unknown period started at the context change
  });
});
