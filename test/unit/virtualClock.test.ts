import { describe, expect, it } from '@jest/globals';
import { repeat, sleep } from '../../src/core/clock.js';
import { MinHeap } from '../../src/core/minHeap.js';
import { VirtualClock } from '../../src/core/virtualClock.js';

describe('MinHeap', () => {
  it('pops in key order, equal keys in insertion order', () => {
    const h = new MinHeap<string>();
    [[5, 'e'], [1, 'a'], [3, 'c1'], [3, 'c2'], [2, 'b'], [3, 'c3']].forEach(([k, v]) => h.push(k as number, v as string));
    const out: string[] = [];
    while (h.size) out.push(h.pop()?.value ?? '?');
    expect(out).toEqual(['a', 'b', 'c1', 'c2', 'c3', 'e']);
  });
});

describe('VirtualClock', () => {
  it('fires timers in due order and only when advanced far enough', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b@20'), 20);
    clock.setTimer(() => fired.push('a@10'), 10);
    const c = clock.setTimer(() => fired.push('cancelled'), 15);
    clock.clearTimer(c);
    await clock.advance(10);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(10);
    await clock.advance(100);
    expect(fired).toEqual(['a@10', 'b@20']);
    expect(clock.now()).toBe(110);
    expect(clock.pendingCount).toBe(0);
  });

  it('runs promise chains started by timers before moving on', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const loop = async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(clock, 1000);
        seen.push(clock.now());
      }
    };
    const done = loop();
    await clock.advance(5000);
    await done;
    expect(seen).toEqual([1000, 2000, 3000]);
  });
});

describe('system clock', () => {
  it('runs zero-delay timers on the next turn and cancels both kinds', async () => {
    const { createSystemClock } = await import('../../src/core/clock.js');
    const clock = createSystemClock();
    const fired: string[] = [];
    clock.setTimer(() => fired.push('immediate'), 0);
    const cancelledNow = clock.setTimer(() => fired.push('cancelled immediate'), 0);
    const cancelledLater = clock.setTimer(() => fired.push('cancelled timeout'), 5);
    clock.setTimer(() => fired.push('timeout'), 5);
    clock.clearTimer(cancelledNow);
    clock.clearTimer(cancelledLater);
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(['immediate', 'timeout']);
  });
});

describe('repeat', () => {
  it('runs every period on the given clock until stopped, leaving no timer behind', async () => {
    const clock = new VirtualClock(0);
    const runs: number[] = [];
    const job = repeat(clock, 1000, () => runs.push(clock.now()));
    await clock.advance(3500);
    expect(runs).toEqual([1000, 2000, 3000]);
    job.stop();
    expect(clock.pendingCount).toBe(0);
    await clock.advance(5000);
    expect(runs.length).toBe(3);
  });

  it('stopped from inside its own run, it does not arm again', async () => {
    const clock = new VirtualClock(0);
    let runs = 0;
    const job = repeat(clock, 1000, () => {
      runs++;
      job.stop();
    });
    await clock.advance(5000);
    expect(runs).toBe(1);
    expect(clock.pendingCount).toBe(0);
  });
});
