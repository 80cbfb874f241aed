import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { MetricsRecorder, type Snapshot } from '../../src/optimizer/metricsRecorder.js';

function rig() {
  const clock = new VirtualClock(0);
  const state: Omit<Snapshot, 'at'> = {
    requests: 0, errors: 0, modelledBusMs: 0, stalenessMs: 1000, clusterCoverage: 0, clusterQuality: 0,
    patternConfidence: 0, predictionAccuracy: undefined,
  };
  const rec = new MetricsRecorder({ clock, read: () => ({ ...state }), sampleEveryMs: 60_000, capacity: 100 });
  return { clock, state, rec };
}

describe('MetricsRecorder', () => {
  it('computes window rates from cumulative counters and averages instantaneous figures', async () => {
    const { clock, state, rec } = rig();
    rec.start();
    for (let minute = 1; minute <= 10; minute++) {
      state.requests += 30; // 30 requests per minute
      state.errors += minute <= 5 ? 3 : 0;
      state.modelledBusMs += 6000; // 10 % of each minute
      state.stalenessMs = minute <= 5 ? 1000 : 3000;
      await clock.advance(60_000);
    }
    const m = rec.window(0, 600_000);
    expect(m?.requestsPerMin).toBeCloseTo(30, 9);
    expect(m?.busUtilisation).toBeCloseTo(0.1, 9);
    expect(m?.errorRate).toBeCloseTo(15 / 300, 9);
    // snapshots at 0..10 min: 1000 at 0–5, 3000 at 6–10
    expect(m?.stalenessMs).toBeCloseTo((6 * 1000 + 5 * 3000) / 11, 6);
    expect(m?.predictionAccuracy).toBeUndefined();
    expect(rec.window(300_000, 600_000)?.errorRate).toBe(0);
    rec.stop();
    expect(clock.pendingCount).toBe(0);
  });

  it('refuses a window it covers less than half of, and keeps only `capacity` snapshots', async () => {
    const { clock, rec } = rig();
    rec.start();
    await clock.advance(200 * 60_000);
    expect(rec.window(0, 60 * 60_000)).toBeUndefined(); // the first 100 minutes were dropped
    expect(rec.window(150 * 60_000, 200 * 60_000)).toBeDefined();
    expect(rec.window(190 * 60_000, 260 * 60_000)).toBeUndefined(); // mostly in the future
    rec.stop();
  });
});
