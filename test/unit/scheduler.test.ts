import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createSystemClock } from '../../src/core/clock.js';
import {
  createClockScheduler, createNodeScheduler, nextAlignedRun, type JobErrorHandler, type Scheduler,
} from '../../src/core/scheduler.js';
import { VirtualClock } from '../../src/core/virtualClock.js';

const H = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 0, 5);
const hourOf = (t: number) => (t - MIDNIGHT) / H;

describe('nextAlignedRun', () => {
  it('is the next multiple of the period since the epoch, strictly after now', () => {
    expect(hourOf(nextAlignedRun(MIDNIGHT + 1.5 * H, 4 * H))).toBe(4);
    expect(hourOf(nextAlignedRun(MIDNIGHT + 4 * H, 4 * H))).toBe(8);
    expect(() => nextAlignedRun(0, 0)).toThrow(RangeError);
  });
});

describe('clock scheduler (virtual time)', () => {
  it('fires an every-4-hours job at 04:00 and 08:00 in a 9-hour advance from 01:30', async () => {
    const clock = new VirtualClock(MIDNIGHT + 1.5 * H);
    const errors: unknown[] = [];
    const scheduler = createClockScheduler(clock, (_n, e) => errors.push(e));
    const fired: number[] = [];
    const job = scheduler.every('quick', 4 * H, () => { fired.push(hourOf(clock.now())); });
    expect(hourOf(job.nextRunAt() ?? 0)).toBe(4);
    await clock.advance(9 * H);
    expect(fired).toEqual([4, 8]);
    expect(hourOf(job.nextRunAt() ?? 0)).toBe(12);
    scheduler.stop();
    expect(clock.pendingCount).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reports a throwing or rejecting job and keeps its schedule', async () => {
    const clock = new VirtualClock(MIDNIGHT);
    const errors: string[] = [];
    const onError: JobErrorHandler = (name, e) => errors.push(`${name}: ${(e as Error).message}`);
    const scheduler = createClockScheduler(clock, onError);
    let n = 0;
    scheduler.every('sync', H, () => { throw new Error(`boom ${++n}`); });
    scheduler.every('async', 2 * H, async () => { throw new Error('late'); });
    await clock.advance(2 * H);
    expect([...errors].sort()).toEqual(['async: late', 'sync: boom 1', 'sync: boom 2']);
    scheduler.stop();
  });

  it('cancel stops one job only', async () => {
    const clock = new VirtualClock(MIDNIGHT);
    const scheduler = createClockScheduler(clock, () => undefined);
    const seen: string[] = [];
    const a = scheduler.every('a', H, () => { seen.push('a'); });
    scheduler.every('b', H, () => { seen.push('b'); });
    await clock.advance(H);
    a.cancel();
    expect(a.nextRunAt()).toBeUndefined();
    await clock.advance(2 * H);
    expect(seen).toEqual(['a', 'b', 'b', 'b']);
    scheduler.stop();
  });
});

describe('node-schedule scheduler (production)', () => {
  let scheduler: Scheduler | undefined;
  afterEach(() => {
    scheduler?.stop();
    jest.useRealTimers();
  });

  it('fires through node-schedule at the same aligned instants (modern fake timers)', async () => {
    jest.useFakeTimers({ now: MIDNIGHT + 1.5 * H });
    const clock = createSystemClock();
    const fired: number[] = [];
    scheduler = createNodeScheduler(clock, () => undefined);
    scheduler.every('quick', 4 * H, () => { fired.push(hourOf(clock.now())); });
    await jest.advanceTimersByTimeAsync(9 * H);
    expect(fired).toEqual([4, 8]);
  });
});
