/**
 * The optimizer inside the real app (virtual time, simulated devices, a real state file): its
 * commands through the one registry, every error path, statistics, persistence of parameter changes
 * at once, and a restart that restores what was learned.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import type { Caller, CommandResult } from '../../src/commands/types.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { expectedAgeMs } from '../../src/metrics/ageModel.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const HOUR = 3_600_000;
const walk = (perHour: number) => ({ kind: 'walk' as const, initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: () => perHour, peakRatePerHour: perHour });
const POINTS: SimPointSpec[] = [
  // far apart, so each is its own request: moving one changes what the bus does (neighbours in one
  // block would be read together whatever their intervals, and the judge knows it)
  { id: 'fast', name: 'Fast', registerType: 'holding', address: 0, dataType: 'uint16', process: walk(1800) },
  { id: 'slow', name: 'Slow', registerType: 'holding', address: 100, dataType: 'uint16', process: walk(6) },
  { id: 'still', name: 'Still', registerType: 'holding', address: 200, dataType: 'uint16', process: { kind: 'constant', initial: 7 } },
];
const OPTIONS = {
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: POINTS.map((p) => ({ name: p.name, connection: 'gw', address: p.address, scan_interval: 15 })),
  optimizer: { goal: 'freshest', quick_every: '1h', full_every: '6h', evaluate_every: '30m', settle: '5m', evaluation_window: '20m', bus_budget: 0.01 },
};

let dir: string;
let clock: VirtualClock;
let running: App | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-opt-'));
  clock = new VirtualClock(Date.UTC(2026, 0, 5));
});
afterEach(async () => {
  if (running) await stop(running);
  await rm(dir, { recursive: true, force: true });
});

function build(logger = createMemoryLogger(), optimizer: Record<string, unknown> = {}): App {
  const app = buildSimApp({ clock, dir, options: { ...OPTIONS, optimizer: { ...OPTIONS.optimizer, ...optimizer } }, points: POINTS, logger });
  running = app;
  return app;
}

async function stop(app: App): Promise<void> {
  await stopSimApp(app, clock);
  running = undefined;
}

const user: Caller = { source: 'event', userId: 'user-42' };
const send = (app: App, request: Record<string, unknown>): Promise<CommandResult> => app.commands.handle(request, user);
const stateFile = async () => JSON.parse(await readFile(path.join(dir, 'modbus_optimizer_state.json'), 'utf8')) as { data: { optimizer: { loop: { strategies: Record<string, { parameters: Record<string, number> }> }; intervals: Record<string, number> } } };

describe('the optimizer in the app', () => {
  it('answers every optimizer command and names what is wrong in bad ones', async () => {
    const app = build();
    await app.start();
    await clock.advance(3 * HOUR);
    const bad = async (request: Record<string, unknown>) => (await send(app, request)).error;
    expect(await bad({ command: 'run_strategy' })).toEqual({ code: 'missing_argument', message: 'strategy is required' });
    expect(await bad({ command: 'run_strategy', strategy: 'magic' })).toEqual({ code: 'invalid_argument', message: 'strategy "magic" is not one of interval, cluster, pattern' });
    expect(await bad({ command: 'update_strategy_parameters', strategy: 'interval' })).toEqual({ code: 'missing_argument', message: 'parameters is required' });
    expect((await bad({ command: 'update_strategy_parameters', strategy: 'interval', parameters: { speed: 2 } }))?.message).toBe('interval has no parameter "speed" (known: min_interval, max_interval, aggressiveness, max_entities_per_run)');
    expect((await bad({ command: 'update_strategy_parameters', strategy: 'cluster', parameters: { correlation_threshold: 1.5 } }))?.message).toBe('correlation_threshold 1.5 is outside 0…1');
    expect((await bad({ command: 'run_quick_optimization', extra: 1 }))?.code).toBe('invalid_argument');

    const quick = await send(app, { command: 'run_quick_optimization', request_id: 'q1' });
    expect(quick).toMatchObject({ success: true, request_id: 'q1', result: { cycle: 'quick', runs: [{ strategy: 'interval' }] } });
    const full = await send(app, { command: 'run_full_optimization' });
    expect((full.result as { runs: Array<{ strategy: string }> }).runs.map((r) => r.strategy)).toEqual(['interval', 'pattern', 'cluster']);
    expect(await send(app, { command: 'run_strategy', strategy: 'cluster' })).toMatchObject({ success: true, result: { cycle: 'strategy' } });
    expect(await send(app, { command: 'evaluate_optimizations' })).toMatchObject({ success: true, result: { evaluated: expect.any(Array) } });
    const stats = await send(app, { command: 'get_statistics' });
    const optimizer = (stats.result as { optimizer: { strategies: Array<{ name: string }>; history_length: number } }).optimizer;
    expect(optimizer.strategies.map((s) => s.name)).toEqual(['interval', 'cluster', 'pattern']);
    expect(optimizer.history_length).toBeGreaterThan(0);
    expect(await send(app, { command: 'update_strategy_parameters', strategy: 'pattern', parameters: { max_patterns: 3 } })).toMatchObject({ success: true });
    expect(app.optimizer?.loop.state.audit.at(-1)).toMatchObject({ by: 'user-42', what: 'parameters of pattern', before: { max_patterns: 8 }, after: { max_patterns: 3 } });
  });

  it('learns faster polling for the fast value and slower for the constant', async () => {
    const app = build();
    await app.start();
    await clock.advance(12 * HOUR);
    const interval = (id: string) => app.poller.intervalMs(id) ?? 0;
    expect(interval('fast')).toBeLessThan(15_000);
    expect(interval('still')).toBeGreaterThan(60_000);
    expect(interval('slow')).toBeGreaterThan(interval('fast'));
  });

  it('with goal save_bus never spends more bus time than the configured intervals, in any hour, and is no staler', async () => {
    const RATES: Record<string, number> = { fast: 1800 / HOUR, slow: 6 / HOUR, still: 0 };
    // expected age at the true rates (the simulator's processes are Poisson walks)
    const meanAge = (app: App) => POINTS.reduce((sum, p) => sum + expectedAgeMs(app.poller.intervalMs(p.id) ?? 0, RATES[p.id] ?? 0), 0) / POINTS.length;
    const busyOver = async (app: App, fromH: number, toH: number) => {
      await clock.advance(fromH * HOUR - (clock.now() - START));
      const before = app.poller.busStatus()[0]?.busyMs ?? 0;
      await clock.advance((toH - fromH) * HOUR);
      return (app.poller.busStatus()[0]?.busyMs ?? 0) - before;
    };
    const START = clock.now();
    const fixed = build(createMemoryLogger(), { enabled: false });
    await fixed.start();
    const configuredBusy = await busyOver(fixed, 0, 12);
    const configuredAge = meanAge(fixed);
    await stop(fixed);
    clock = new VirtualClock(START);
    await rm(dir, { recursive: true, force: true });
    const tuned = build(createMemoryLogger(), { goal: 'save_bus' });
    await tuned.start();
    for (let h = 0; h < 12; h++) {
      const busy = await busyOver(tuned, h, h + 1);
      expect(busy).toBeLessThanOrEqual((configuredBusy / 12) * 1.001); // every hour, not only on average
      // a split experiment can leave it a little staler until its other half follows; then fresher
      expect(meanAge(tuned)).toBeLessThanOrEqual(configuredAge * (h < 3 ? 1.05 : 1));
    }
    expect(tuned.poller.intervalMs('still')).toBeGreaterThan(15_000); // it did save something
  }, 120_000); // two simulated half-days

  it('persists a parameter change at once and restores parameters, intervals and history after a restart', async () => {
    const first = build();
    await first.start();
    await clock.advance(6 * HOUR);
    const update = await send(first, { command: 'update_strategy_parameters', strategy: 'interval', parameters: { aggressiveness: 0.9 } });
    expect(update.result).toMatchObject({ strategy: 'interval', before: { aggressiveness: 0.5 }, after: { aggressiveness: 0.9 } });
    expect((await stateFile()).data.optimizer.loop.strategies.interval?.parameters.aggressiveness).toBe(0.9);
    const learned = { fast: first.poller.intervalMs('fast'), still: first.poller.intervalMs('still') };
    const history = first.optimizer?.loop.state.history.length ?? 0;
    expect(history).toBeGreaterThan(0);
    await stop(first);

    const second = build();
    await second.start();
    expect(second.optimizer?.loop.state.strategies.interval?.parameters.aggressiveness).toBe(0.9);
    expect(second.optimizer?.loop.state.history.length).toBe(history);
    expect({ fast: second.poller.intervalMs('fast'), still: second.poller.intervalMs('still') }).toEqual(learned);
    expect(second.stats.rate('fast')?.samples ?? 0).toBeGreaterThan(100); // learned statistics came back too
  });
});
