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
    expect(m.check()).toEqual({ ok: false, kind: 'cpu', reason: 'CPU load 1.50 per core above 0.9' });
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

  it('defers on event-loop lag from its probe, over the last minute or two', async () => {
    const clock = new VirtualClock(0);
    let lag = 0;
    const m = new ResourceMonitor(clock, createMemoryLogger(), { loopLagMs: () => lag });
    m.start();
    await clock.advance(60_000);
    expect(m.check()).toEqual({ ok: true });
    lag = 450; // the minute sample sees it
    await clock.advance(60_000);
    lag = 0; // the probe reports since its previous call: quiet now, but the last minute lagged
    expect(m.check()).toEqual({ ok: false, kind: 'event_loop', reason: 'event-loop lag 450 ms above 200 ms' });
    await clock.advance(60_000);
    expect(m.check()).toEqual({ ok: true });
    m.stop();
  });

  it('judges CPU load against the host\'s own baseline: always busy is not busy, a spike above it is', async () => {
    const clock = new VirtualClock(0);
    let load = 1.6; // a small box that always runs near 1.6 per core
    const m = new ResourceMonitor(clock, createMemoryLogger(), { cpuLoad: () => load });
    m.start();
    expect(m.check()).toMatchObject({ ok: false, kind: 'cpu' }); // no baseline yet: the absolute limit decides
    await clock.advance(60 * 60_000);
    expect(m.cpuBaseline()).toBeCloseTo(1.6, 9);
    expect(m.check()).toEqual({ ok: true });
    load = 2.5;
    expect(m.check()).toEqual({ ok: false, kind: 'cpu', reason: 'CPU load 2.50 per core above 2 (usual here 1.60)' });
    m.stop();
  });
});
