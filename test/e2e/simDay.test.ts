import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { readBusTimeMs } from '../../src/modbus/costModel.js';
import { FUNCTION_OF } from '../../src/modbus/types.js';
import { DAY_MS } from '../../src/sim/rates.js';
import type { RunResult } from '../../src/sim/runner.js';
import { siteOptions, solarHome } from '../../src/sim/sites.js';
import { inWorker } from '../helpers/inWorker.js';
import type { SimulationJob } from '../helpers/simJobs.js';

describe('one simulated day of the HA-default baseline on solar-home (real app, virtual time)', () => {
  it('makes exactly one request per entity every 15 s, with the closed-form bus time', async () => {
    const site = solarHome();
    // the day runs in a worker thread (test/helpers/inWorker.ts), outside Jest's slower VM context
    const job: SimulationJob = { site: 'solar-home', policy: 'ha-default', settingValue: 15, seed: 1, durationMs: DAY_MS };
    const result = await inWorker<Pick<RunResult, 'figures' | 'buses'>>(new URL('../helpers/simJobs.ts', import.meta.url), 'simulationFigures', job);

    // Closed form: polls at t = 0, 15, …, 86,385 s (5,760 per entity); the cycle due at exactly 24 h
    // starts but none of its replies arrive inside the window.
    const entities = resolveOptions(siteOptions(site, 'gw', 502)).entities;
    const cycles = DAY_MS / 15_000;
    const turnaround = new Map(site.devices.map(({ device }) => [device.unitId, device.turnaroundMs]));
    const perCycleMs = entities.reduce((sum, e) => sum + readBusTimeMs(FUNCTION_OF[e.registerType], e.count,
      { baudrate: 9600, roundTripMs: 1, turnaroundMs: turnaround.get(e.unitId) ?? 0 }), 0);
    const [bus] = result.buses;
    expect(result.buses).toHaveLength(1);
    expect(bus?.requests).toBe(entities.length * cycles);
    expect(bus?.registers).toBe(entities.reduce((n, e) => n + e.count, 0) * cycles);
    expect(bus?.busyMs).toBeCloseTo(perCycleMs * cycles, 3);
    expect(bus).toMatchObject({ errors: 0, overruns: 0 });
    expect(result.figures.requestsPerHour).toBe(entities.length * 240);
    expect(result.figures.busUtilisation).toBeCloseTo(perCycleMs / 15_000, 9);
    // every entity is shown a value read at most one interval plus one sweep ago
    expect(result.figures.p95DelayMs).toBeLessThan(15_000 + perCycleMs);
    expect(result.figures.undetected).toBeLessThanOrEqual(entities.length);
  }, 600_000); // ~25 s alone on two cores; a loaded machine may take several times that
});
