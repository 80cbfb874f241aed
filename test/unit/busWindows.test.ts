// The one bus-window recorder (src/telemetry/busWindows.ts) on a virtual clock with scripted counters:
// windows that advance exactly from the previous advance, a minimum span that keeps the window
// running, a trailing window measured from the latest sample at least its length old, and totals.
import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { BusStatus } from '../../src/modbus/pollerTypes.js';
import { busDelta, BusWindows } from '../../src/telemetry/busWindows.js';

function rig() {
  const clock = new VirtualClock(1_000_000);
  const zero = { requests: 0, registers: 0, busyMs: 0, modelledBusMs: 0, errors: 0, overruns: 0, cycles: 0, since: 0 };
  const a: BusStatus = { ...zero, key: 'a' };
  const b: BusStatus = { ...zero, key: 'b' };
  const windows = new BusWindows({ busStatus: () => [{ ...a }, { ...b }] }, clock);
  return { clock, a, b, windows };
}

describe('busDelta', () => {
  it('gives rates between two snapshots, and since zero without a first one', () => {
    const before: BusStatus = { key: 'a', requests: 10, registers: 40, busyMs: 500, modelledBusMs: 400, errors: 1, overruns: 0, cycles: 1, since: 0 };
    const after: BusStatus = { ...before, requests: 40, registers: 160, busyMs: 6500, modelledBusMs: 3400, errors: 3, overruns: 2 };
    expect(busDelta(before, after, 0, 60_000)).toEqual({
      key: 'a', requests: 30, requestsPerMin: 30, registersPerRequest: 4, utilisation: 0.1, modelledUtilisation: 0.05, errors: 2, overruns: 2,
    });
    expect(busDelta(undefined, after, 0, 60_000).requests).toBe(40);
  });
});

describe('BusWindows', () => {
  it('advances a window from exactly where the previous advance ended', async () => {
    const { clock, a, b, windows } = rig();
    const window = windows.open();
    a.requests = 6;
    b.modelledBusMs = 3000;
    await clock.advance(60_000);
    const first = window.advance();
    expect(first).toMatchObject({ fromMs: 1_000_000, toMs: 1_060_000 });
    expect(first?.buses.map((d) => [d.key, d.requestsPerMin, d.modelledUtilisation])).toEqual([['a', 6, 0], ['b', 0, 0.05]]);
    a.requests = 9;
    await clock.advance(30_000);
    expect(window.advance()?.buses[0]).toMatchObject({ requests: 3, requestsPerMin: 6 });
  });

  it('keeps a window running while it is younger than its minimum span', async () => {
    const { clock, a, windows } = rig();
    const window = windows.open(600_000);
    a.modelledBusMs = 60_000;
    await clock.advance(599_999);
    expect(window.advance()).toBeUndefined();
    await clock.advance(1);
    expect(window.advance()?.buses[0]?.modelledUtilisation).toBeCloseTo(0.1, 9);
    expect(window.advance()).toBeUndefined(); // restarted just now
  });

  it('measures a trailing window from the latest sample at least its length old', async () => {
    const { clock, a, windows } = rig();
    const trailing = windows.trailing(60_000);
    expect(trailing.sample()).toBeUndefined(); // the first sample only sets the base
    for (let i = 1; i <= 12; i++) {
      a.requests += 10;
      await clock.advance(10_000);
      const d = trailing.sample();
      expect(d?.toMs).toBe(1_000_000 + i * 10_000);
      expect(d?.fromMs).toBe(1_000_000 + Math.max(0, i - 6) * 10_000);
      expect(d?.buses[0]?.requests).toBe(10 * Math.min(i, 6));
    }
  });

  it('sums the counters of every bus', () => {
    const { a, b, windows } = rig();
    Object.assign(a, { requests: 4, errors: 1, modelledBusMs: 100 });
    Object.assign(b, { requests: 6, errors: 2, modelledBusMs: 50 });
    expect(windows.totals()).toEqual({ requests: 10, errors: 3, modelledBusMs: 150 });
  });
});
