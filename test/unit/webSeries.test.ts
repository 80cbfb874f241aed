// The dashboard's series recorder on a virtual clock with scripted bus counters: rates over the
// trailing window (no aliasing when ticks are shorter than the scan interval), bounded capacity, and
// success-rate points only on change or at the coarse pace, ending with the rates now.
import { describe, expect, it } from '@jest/globals';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { BusStatus } from '../../src/modbus/pollerTypes.js';
import { BusWindows } from '../../src/telemetry/busWindows.js';
import { SeriesRecorder } from '../../src/telemetry/series.js';

function rig(options: Partial<ConstructorParameters<typeof SeriesRecorder>[1]> = {}) {
  const clock = new VirtualClock(1_000_000);
  const bus: BusStatus = { key: 'tcp://gw:502', requests: 0, registers: 0, busyMs: 0, modelledBusMs: 0, errors: 0, overruns: 0, cycles: 0, since: 0 };
  const rates = { interval: 0.5 };
  const recorder = new SeriesRecorder({
    clock, logger: createMemoryLogger(), busWindows: new BusWindows({ busStatus: () => [{ ...bus }] }, clock), entityStatus: () => [],
    stats: { currentRate: () => undefined }, successRates: () => ({ ...rates }),
  }, { everyMs: 10_000, windowMs: 60_000, capacity: 5, strategyEveryMs: 300_000, strategyCapacity: 100, ...options });
  return { clock, bus, rates, recorder };
}

describe('SeriesRecorder', () => {
  it('measures rates over the trailing window, so a 15 s poll seen by 10 s ticks reads steady', async () => {
    const { clock, bus, recorder } = rig({ capacity: 100 });
    recorder.start();
    // One poll cycle every 15 s: 10 requests, 300 ms of modelled bus time, 1 error.
    for (let t = 15_000; t <= 300_000; t += 15_000) {
      clock.setTimer(() => {
        bus.requests += 10;
        bus.modelledBusMs += 300;
        bus.errors += 1;
      }, t - 1);
    }
    await clock.advance(300_000);
    const late = recorder.columns().buses['tcp://gw:502'];
    const steady = (xs: number[] | undefined) => xs?.slice(6) ?? [];
    expect(steady(late?.requestsPerMin).every((r) => r >= 30 && r <= 50)).toBe(true); // 40/min ± one cycle in the window
    expect(steady(late?.utilisation).every((u) => Math.abs(u - 0.02) <= 0.006)).toBe(true);
    expect(steady(late?.errorsPerMin).every((e) => e >= 3 && e <= 5)).toBe(true);
    expect(late?.stalenessS.every((s) => s === null)).toBe(true); // no entity has an estimate
  });

  it('keeps at most `capacity` points and tells listeners about each', async () => {
    const { clock, recorder } = rig();
    const seen: number[] = [];
    recorder.onPoint((p) => seen.push(p.at));
    recorder.start();
    await clock.advance(100_000);
    expect(seen).toHaveLength(10);
    expect(recorder.columns().t).toEqual(seen.slice(-5).map((at) => at / 1000));
    recorder.stop();
    await clock.advance(100_000);
    expect(seen).toHaveLength(10);
  });

  it('adds a success-rate point when a rate changes or the coarse period passed, and ends with now', async () => {
    const { clock, rates, recorder } = rig();
    recorder.start();
    await clock.advance(60_000);
    expect(recorder.strategyColumns()).toEqual({ t: [1000, 1060], rates: { interval: [0.5, 0.5] } });
    rates.interval = 0.7;
    await clock.advance(10_000);
    expect(recorder.strategyColumns().rates.interval).toEqual([0.5, 0.7]);
    await clock.advance(300_000);
    expect(recorder.strategyColumns().rates.interval).toEqual([0.5, 0.7, 0.7]);
  });
});
