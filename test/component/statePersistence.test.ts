/**
 * The state file as a user may leave it: hand-edited, half broken, or unchanged between saves. Each
 * bad item gives one warning naming it and is dropped; the good items are restored; no interval is
 * ever taken from a bad value; the app starts. And a part that fails to start is named while the
 * parts already started stop again (no timer left behind).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const walk = (perHour: number) => ({ kind: 'walk' as const, initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: () => perHour, peakRatePerHour: perHour });
const POINTS: SimPointSpec[] = [
  { id: 'fast', name: 'Fast', registerType: 'holding', address: 0, dataType: 'uint16', process: walk(1800) },
  { id: 'slow', name: 'Slow', registerType: 'holding', address: 1, dataType: 'uint16', process: walk(6) },
];
const OPTIONS = {
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: POINTS.map((p) => ({ name: p.name, connection: 'gw', address: p.address, scan_interval: 15 })),
  optimizer: { quick_every: '1h', full_every: '6h', evaluate_every: '30m', settle: '5m', evaluation_window: '20m' },
};
const STATE = 'modbus_optimizer_state.json';

let dir: string;
let clock: VirtualClock;
let running: App | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-state-'));
  clock = new VirtualClock(Date.UTC(2026, 0, 5));
});
afterEach(async () => {
  if (running) await stopSimApp(running, clock);
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

const writeState = (data: unknown) => writeFile(path.join(dir, STATE), JSON.stringify({ version: 1, savedAt: 0, data }));
const warnings = (lines: string[]) => lines.filter((l) => l.startsWith('WARNING'));

describe('a hand-edited state file', () => {
  it('warns once per bad item, restores the good ones, and never applies a bad interval', async () => {
    await writeState({
      entityIds: ['fast', 'slow'],
      holes: [{ bus: 'rtu://sim:502', unitId: 1, fn: 3, start: 40, end: 50 }, { bus: 'rtu://sim:502', unitId: 1, fn: 9, start: 0, end: 1 }, 'junk'],
      stats: { version: 99 },
      optimizer: {
        loop: undefined,
        intervals: { fast: 30_000, slow: 'often' },
        clusters: [{ id: 'c1', members: ['fast'], score: 1 }, { id: 'c2', members: ['fast', 'slow'], score: 0.9 }],
        patterns: [{ entityId: 'fast', key: 'weekday' }],
      },
    });
    const logger = createMemoryLogger();
    running = buildSimApp({ clock, dir, options: OPTIONS, points: POINTS, logger });
    await running.start();
    expect(warnings(logger.lines)).toEqual([
      'WARNING State file: holes[1] dropped: fn 9 is not a read function (1…4)',
      'WARNING State file: holes[2] dropped: not an object',
      'WARNING Could not restore stats (stats version 99 is not 1); starting it fresh',
      'WARNING State file: optimizer.patterns[0] dropped: key "weekday" is not a split (timeOfDay:… or context:…)',
      'WARNING State file: optimizer.intervals.slow dropped: "often" is not a positive number of ms (the configured interval stays)',
      'WARNING State file: optimizer.clusters[0] dropped: members ["fast"] are not two or more distinct entity ids',
    ]);
    expect(running.poller.intervalMs('fast')).toBe(30_000);
    expect(running.poller.intervalMs('slow')).toBe(15_000);
    expect(running.optimizer?.snapshot().clusters.map((c) => c.id)).toEqual(['c2']);
    expect(running.poller.holeList()).toEqual([{ bus: 'rtu://sim:502', unitId: 1, fn: 3, start: 40, end: 50 }]);
  });

  it('clamps a saved interval outside the entity bounds and says so', async () => {
    await writeState({ entityIds: ['fast', 'slow'], holes: [], optimizer: { intervals: { fast: 1 } } });
    const logger = createMemoryLogger();
    running = buildSimApp({ clock, dir, options: OPTIONS, points: POINTS, logger });
    await running.start();
    const applied = running.poller.intervalMs('fast');
    expect(applied).toBeGreaterThan(1);
    expect(warnings(logger.lines)).toEqual([`WARNING State file: optimizer.intervals.fast: saved 1 ms is outside the entity's bounds; using ${applied} ms`]);
  });

  it('starts fresh from a file that is not a state at all, moving it aside', async () => {
    await writeState([1, 2, 3]);
    const logger = createMemoryLogger();
    running = buildSimApp({ clock, dir, options: { ...OPTIONS, optimizer: { enabled: false } }, points: POINTS, logger });
    await running.start();
    expect(warnings(logger.lines).join('\n')).toMatch(/could not be loaded \(state is not an object\); moved it to .*unreadable/);
    await running.save();
    const written = JSON.parse(await readFile(path.join(dir, STATE), 'utf8')) as { data: { entityIds: string[] } };
    expect(written.data.entityIds).toEqual(['fast', 'slow']);
  });
});

describe('save only on change', () => {
  it('leaves the state file untouched by periodic saves when learning is off and nothing changed', async () => {
    const resolved = resolveOptions({ ...OPTIONS, optimizer: { enabled: false } });
    const device = new SimDevice({ name: 'dev', unitId: 1, turnaroundMs: 20, ranges: { holding: [[0, 10]] }, points: POINTS }, 3, clock.now());
    const app = createApp({
      clock, random: seededRandom(1), logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities,
      statusEveryMs: 0, dataDir: dir, learning: false,
      createBus: (_conn, key) => new VirtualBus({ key, clock, devices: [device], timing: { baudrate: 9600, roundTripMs: 1 } }),
    });
    running = app;
    await app.start();
    await app.save();
    const savedAt = async () => (JSON.parse(await readFile(path.join(dir, STATE), 'utf8')) as { savedAt: number }).savedAt;
    const first = await savedAt();
    expect(first).toBe(clock.now());
    await clock.advance(30 * 60_000); // six periodic saves
    await app.save();
    expect(await savedAt()).toBe(first);
  });
});

describe('a part that fails to start', () => {
  it('is named, and the parts already started stop again', async () => {
    const options = { ...OPTIONS, connections: [...OPTIONS.connections, { name: 'usb', type: 'serial', serial_port: '/dev/ttyUSB9', baudrate: 9600 }] };
    const resolved = resolveOptions({ ...options, entities: [...OPTIONS.entities, { name: 'Other', connection: 'usb', address: 0 }] });
    const device = new SimDevice({ name: 'dev', unitId: 1, turnaroundMs: 20, ranges: { holding: [[0, 10]] }, points: POINTS }, 3, clock.now());
    const logger = createMemoryLogger();
    const stopped: string[] = [];
    const app = createApp({
      clock, random: seededRandom(1), logger, connections: resolved.connections, entities: resolved.entities,
      statusEveryMs: 60_000, optimizer: resolved.optimizer, dataDir: dir,
      createBus: (_conn, key) => {
        const bus = new VirtualBus({ key, clock, devices: [device], timing: { baudrate: 9600, roundTripMs: 1 } });
        const stop = bus.stop.bind(bus);
        bus.stop = async () => {
          stopped.push(key);
          await stop();
        };
        if (key.startsWith('serial:')) bus.start = () => Promise.reject(new Error('cannot open /dev/ttyUSB9'));
        return bus;
      },
    });
    const err = await app.start().catch((e: unknown) => e);
    expect((err as Error).message).toBe('Starting bus serial:/dev/ttyUSB9 failed: cannot open /dev/ttyUSB9');
    expect(logger.lines.filter((l) => l.startsWith('ERROR'))).toEqual(['ERROR Starting bus serial:/dev/ttyUSB9 failed: cannot open /dev/ttyUSB9']);
    expect(stopped).toEqual(['rtu://sim:502']); // the started bus was stopped again, the failed one was never started
    expect(clock.pendingCount).toBe(0); // no timer left behind
    expect(JSON.parse(await readFile(path.join(dir, STATE), 'utf8'))).toMatchObject({ data: { entityIds: ['fast', 'slow', 'other'] } });
    await app.stop(); // main's shutdown after a failed start: nothing stops twice
    expect(stopped).toEqual(['rtu://sim:502']);
  });
});
