import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { BusStatus } from '../../src/modbus/pollerTypes.js';
import { BusWindows } from '../../src/telemetry/busWindows.js';
import { busProbes } from '../../src/telemetry/busProbes.js';

const MIN = 60_000;

describe('the resource check\'s bus figures', () => {
  it('give the error share and the busiest bus over the trailing window, not since the start', async () => {
    const clock = new VirtualClock(0);
    const counters = { a: { requests: 0, errors: 0, modelledBusMs: 0 }, b: { requests: 0, errors: 0, modelledBusMs: 0 } };
    const status = (key: 'a' | 'b'): BusStatus => ({ key, registers: 0, busyMs: 0, overruns: 0, cycles: 0, since: 0, ...counters[key] });
    const probes = busProbes(new BusWindows({ busStatus: () => [status('a'), status('b')] }, clock), clock, 10 * MIN);
    const minute = async (a: { requests: number; errors: number }, b: { requests: number; errors: number }) => {
      counters.a.requests += a.requests;
      counters.a.errors += a.errors;
      counters.a.modelledBusMs += a.requests * 60; // 60 ms per request
      counters.b.requests += b.requests;
      counters.b.errors += b.errors;
      await clock.advance(MIN);
      return { errors: probes.errorRate(), bus: probes.busUtilisation() };
    };
    expect(probes.errorRate()).toBe(0); // the first sample only sets the base
    // a dead device on bus a for 10 minutes: every request fails
    for (let i = 0; i < 10; i++) await minute({ requests: 100, errors: 100 }, { requests: 100, errors: 0 });
    expect(probes.errorRate()).toBeCloseTo(0.5, 9);
    expect(probes.busUtilisation()).toBeCloseTo((100 * 60) / MIN, 9);
    // it is fixed: after another 10 minutes the window holds no failures at all
    let last = { errors: 1, bus: 0 };
    for (let i = 0; i < 10; i++) last = await minute({ requests: 50, errors: 0 }, { requests: 100, errors: 0 });
    expect(last.errors).toBe(0);
    expect(last.bus).toBeCloseTo((50 * 60) / MIN, 9);
  });
});
