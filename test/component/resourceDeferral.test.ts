/**
 * Issue 15 item 8 in the app: the process probes passed in (here a fake event-loop lag, as main.ts
 * passes perf_hooks' histogram) defer the full cycle, and the deferrals show per reason in
 * get_statistics and in sensor.modbus_optimizer_deferred_cycles.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { OptimizerStatistics } from '../../src/telemetry/optimizerFigures.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const MIN = 60_000;
const OPTIONS = {
  connections: [{ name: 'dongle', type: 'tcp', host: 'sim' }],
  entities: [{ name: 'Power', connection: 'dongle', address: 0, scan_interval: 15 }],
  optimizer: { goal: 'save_bus' },
};

let dir: string;
let clock: VirtualClock;
let app: App | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-res-'));
  clock = new VirtualClock(Date.UTC(2026, 0, 5, 1));
});
afterEach(async () => {
  if (app) await stopSimApp(app, clock);
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('resource deferrals in the app', () => {
  it('defers the full cycle while the event loop lags and shows the count per reason', async () => {
    let lagMs = 0;
    const logger = createMemoryLogger();
    app = buildSimApp({
      clock, dir, options: OPTIONS, logger, resourceProbes: { loopLagMs: () => lagMs },
      points: [{ id: 'power', name: 'Power', registerType: 'holding', address: 0, dataType: 'uint16', process: { kind: 'constant', initial: 5 } }],
    });
    await app.start();
    await clock.advance(5 * MIN);
    lagMs = 350;
    const full = await app.commands.handle({ command: 'run_full_optimization' }, { source: 'stdin' });
    expect(full.result).toMatchObject({ cycle: 'full', deferred: 'event-loop lag 350 ms above 200 ms', runs: [] });
    expect(logger.lines).toContain('INFO Deferring full optimization cycle: event-loop lag 350 ms above 200 ms; retrying in 10 min');
    lagMs = 0;
    await clock.advance(12 * MIN); // the retry runs once the lag is gone
    const stats = await app.commands.handle({ command: 'get_statistics' }, { source: 'stdin' });
    const optimizer = (stats.result as { optimizer: OptimizerStatistics }).optimizer;
    expect(optimizer.deferrals).toEqual({ cpu: 0, event_loop: 1, bus: 0, errors: 0, total: 1, run_anyway: 0 });
    expect(optimizer.last_full_optimization).not.toBeNull();
    const sensor = app.statistics.tick(clock.now()).find((s) => s.entityId === 'sensor.modbus_optimizer_deferred_cycles');
    expect(sensor).toMatchObject({ state: '1', attributes: { event_loop: 1, total: 1, unit_of_measurement: 'cycles', state_class: 'total_increasing' } });
  });
});
