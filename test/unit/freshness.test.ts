import { describe, expect, it } from '@jest/globals';
import { exponential, seededRandom } from '../../src/core/random.js';
import { expectedAgeMs } from '../../src/metrics/ageModel.js';
import { FreshnessTracker, percentile, siteFreshness } from '../../src/metrics/freshness.js';

const S = 1000;

describe('FreshnessTracker on hand-built timelines (DESIGN.md definitions)', () => {
  it('an unchanging value is never stale', () => {
    const t = new FreshnessTracker('x', 0, 7);
    t.show(5 * S, 5 * S, 7);
    const r = t.finish(20 * S);
    expect(r).toMatchObject({ changes: 0, missed: 0, undetected: 0, meanStalenessMs: 0, meanDelayMs: 0 });
  });

  it('one change read 4 s later and shown 1 s after the read: age ramps 0→5 s, delay 5 s', () => {
    const t = new FreshnessTracker('x', 0, 'A');
    t.change(10 * S, 'B');
    t.show(15 * S, 14 * S, 'B');
    const r = t.finish(20 * S);
    expect(r.stalenessIntegral).toBe((5 * S) ** 2 / 2);
    expect(r.meanStalenessMs).toBe(625);
    expect([...r.delays]).toEqual([5 * S]);
    expect(r).toMatchObject({ changes: 1, missed: 0, undetected: 0, meanDelayMs: 5 * S, p95DelayMs: 5 * S });
  });

  it('a change overwritten before any read is missed but still gets a delay', () => {
    const t = new FreshnessTracker('x', 0, 'A');
    t.change(10 * S, 'B');
    t.change(12 * S, 'C');
    t.show(15 * S, 14 * S, 'C');
    const r = t.finish(20 * S);
    expect(r.meanStalenessMs).toBe(625); // age counts from the first unshown change (10 s)
    expect([...r.delays]).toEqual([5 * S, 3 * S]);
    expect(r).toMatchObject({ missed: 1, meanDelayMs: 4 * S, p95DelayMs: 5 * S });
  });

  it('a reading that is already outdated when shown leaves the later change pending', () => {
    const t = new FreshnessTracker('x', 0, 'A');
    t.change(10 * S, 'B');
    t.change(14.5 * S, 'C');
    t.show(15 * S, 14 * S, 'B'); // B was read at 14 s, C arrived before the reply
    expect(t.currentStalenessMs()).toBe(0.5 * S); // now counted from C
    t.show(20 * S, 19 * S, 'C');
    const r = t.finish(20 * S);
    // 10→15 s: t − 10; 15→20 s: t − 14.5
    expect(r.stalenessIntegral).toBeCloseTo((5 * S) ** 2 / 2 + ((5.5 * S) ** 2 - (0.5 * S) ** 2) / 2, 6);
    expect(r.meanStalenessMs).toBeCloseTo(1375, 9);
    expect([...r.delays]).toEqual([5 * S, 5.5 * S]);
    expect(r.missed).toBe(0);
  });

  it('a value that returns to what HA shows is fresh again from the return; the excursion was missed', () => {
    const t = new FreshnessTracker('x', 0, 'A');
    t.change(10 * S, 'B');
    t.change(12 * S, 'A');
    const r = t.finish(20 * S);
    expect(r.meanStalenessMs).toBe(((2 * S) ** 2 / 2) / (20 * S));
    expect([...r.delays]).toEqual([2 * S, 0]);
    expect(r.missed).toBe(1);
  });

  it('a change never shown by the end is censored: staleness counted, no delay', () => {
    const t = new FreshnessTracker('x', 0, 1);
    t.change(18 * S, 2);
    const r = t.finish(20 * S);
    expect(r).toMatchObject({ changes: 1, undetected: 1, meanDelayMs: 0 });
    expect(r.stalenessIntegral).toBe((2 * S) ** 2 / 2);
  });

  it('rejects events out of time order', () => {
    const t = new FreshnessTracker('x', 0, 1);
    t.change(10, 2);
    expect(() => t.change(5, 3)).toThrow(RangeError);
  });

  it('matches the Poisson expected-age formula for instantaneous periodic polls', () => {
    const random = seededRandom(42);
    const rate = 1 / (10 * S);
    const interval = 15 * S;
    const end = 400_000 * S;
    const t = new FreshnessTracker('x', 0, 0);
    let next = exponential(random, rate);
    let value = 0;
    for (let poll = interval; poll <= end; poll += interval) {
      for (; next <= poll; next += exponential(random, rate)) t.change(next, ++value);
      t.show(poll, poll, value);
    }
    const r = t.finish(end);
    expect(r.meanStalenessMs / expectedAgeMs(interval, rate)).toBeCloseTo(1, 1);
  });
});

describe('percentile and site pooling', () => {
  it('nearest-rank percentile', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.95)).toBe(5);
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
    expect(percentile([], 0.95)).toBe(0);
  });

  it('pools entities (mean of means, delays together) and turns bus totals into rates', () => {
    const a = new FreshnessTracker('a', 0, 0);
    a.change(1000, 1);
    a.show(3000, 3000, 1);
    const b = new FreshnessTracker('b', 0, 0);
    const hour = 3_600_000;
    const site = siteFreshness([a.finish(hour), b.finish(hour)], { buses: 2, requests: 120, registers: 600, busMs: 72_000 }, 30, hour);
    expect(site.meanStalenessMs).toBeCloseTo((2000 ** 2 / 2) / hour / 2, 9);
    expect(site).toMatchObject({
      entities: 2, changes: 1, meanDelayMs: 2000, p95DelayMs: 2000, requestsPerHour: 120, registersPerHour: 600,
      busSecondsPerHour: 72, stateWritesPerHour: 30, busUtilisation: 0.01,
    });
  });
});
