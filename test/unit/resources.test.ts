import { describe, expect, it } from '@jest/globals';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { ResourceMonitor } from '../../src/optimizer/resources.js';

describe('ResourceMonitor', () => {
  it('says no with a reason for each exceeded limit, yes otherwise', () => {
    const probes = { cpuLoad: () => 0.2, busUtilisation: () => 0.3, errorRate: () => 0 };
    const m = new ResourceMonitor(new VirtualClock(0), createMemoryLogger(), probes);
    expect(m.check()).toEqual({ ok: true });
    probes.cpuLoad = () => 1.5;
    expect(m.check()).toEqual({ ok: false, reason: 'CPU load 1.50 per core above 0.9' });
    probes.cpuLoad = () => 0.2;
    probes.busUtilisation = () => 0.99;
    expect(m.check().reason).toBe('bus utilisation 99 % above 95 %');
    probes.busUtilisation = () => 0.1;
    probes.errorRate = () => 0.8;
    expect(m.check().reason).toBe('error rate 80 % above 50 %');
  });

  it('ignores a failing probe, logging it at debug level', () => {
    const logger = createMemoryLogger();
    const m = new ResourceMonitor(new VirtualClock(0), logger, { cpuLoad: () => { throw new Error('no /proc'); } });
    expect(m.check()).toEqual({ ok: true });
    expect(logger.lines).toEqual(['DEBUG Could not collect all system metrics: cpu load: no /proc']);
  });

  it('measures event-loop lag from late timers', () => {
    // a hand-driven clock: the test decides when the armed timer fires, as a blocked loop would
    let now = 0;
    let armed: (() => void) | undefined;
    const clock = {
      now: () => now,
      setTimer: (fn: () => void) => { armed = fn; return { id: 1 }; },
      clearTimer: () => { armed = undefined; },
    };
    const m = new ResourceMonitor(clock, createMemoryLogger(), {});
    m.start();
    for (let i = 0; i < 5; i++) {
      now += 1000; // on time
      armed?.();
    }
    expect(m.check()).toEqual({ ok: true });
    for (let i = 0; i < 5; i++) {
      now += 3000; // each tick 2 s late
      armed?.();
    }
    expect(m.check().reason).toMatch(/^event-loop lag \d+ ms above 200 ms$/);
    m.stop();
    expect(armed).toBeUndefined();
  });
});
