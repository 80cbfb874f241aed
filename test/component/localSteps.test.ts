/**
 * Fast first learning in the real app (virtual time, a simulated device, the real poller and
 * optimizer with its default schedule): values that change on every poll are sped up within minutes
 * to the fastest interval the goal allows, values that never change are slowed, a value that freezes
 * (night) is slowed within minutes of the evidence, and save_bus keeps the bus time within what the
 * configured intervals use while it does so.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { readBusTimeMs } from '../../src/modbus/costModel.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 5);
const walk = (perHour: (t: number) => number, peak: number) => ({ kind: 'walk' as const, initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: perHour, peakRatePerHour: peak });
/** Changes every 2 s for the first 40 minutes, then freezes (sunset). */
const sunset = (t: number) => (t < START + 40 * MIN ? 1800 : 0);
/** Frozen for the first three hours (night), then changes every 2 s (sunrise). */
const SUNRISE = START + 180 * MIN;
const sunrise = (t: number) => (t < SUNRISE ? 0 : 1800);
const POINTS: SimPointSpec[] = [
  { id: 'fast', name: 'Fast', registerType: 'holding', address: 0, dataType: 'uint16', process: walk(() => 1800, 1800) },
  { id: 'solar', name: 'Solar', registerType: 'holding', address: 100, dataType: 'uint16', process: walk(sunset, 1800) },
  ...[1, 2, 3, 4].map((i): SimPointSpec => ({ id: `still_${i}`, name: `Still ${i}`, registerType: 'holding', address: 100 * (i + 1), dataType: 'uint16', process: { kind: 'constant', initial: i } })),
];
const options = (optimizer: Record<string, unknown> = {}) => ({
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: POINTS.map((p) => ({ name: p.name, connection: 'gw', address: p.address, scan_interval: 15 })),
  optimizer,
});

let dir: string;
let clock: VirtualClock;
let app: App | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-steps-'));
  clock = new VirtualClock(START);
});
afterEach(async () => {
  if (app) await stopSimApp(app, clock);
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

const interval = (id: string) => app?.poller.intervalMs(id) ?? 0;

describe('fast first learning', () => {
  it('within 10 minutes polls what changes on every poll at the fastest allowed interval, and slows what never changes', async () => {
    // goal freshest with the default 30 % budget: the fastest allowed is the interval strategy's min_interval
    app = buildSimApp({ clock, dir, options: options({ goal: 'freshest' }), points: POINTS, logger: createMemoryLogger() });
    await app.start();
    await clock.advance(10 * MIN);
    expect(interval('fast')).toBe(5000); // the interval strategy's min_interval (5 s)
    expect(interval('solar')).toBe(5000);
    for (const i of [1, 2, 3, 4]) expect(interval(`still_${i}`)).toBeGreaterThan(15_000);
    expect(app.optimizer?.loop.state.audit.some((a) => a.by === 'scheduler' && a.what.startsWith('local steps: '))).toBe(true);
    expect(app.optimizer?.localSteps.counts.faster).toBeGreaterThanOrEqual(4);
  });

  it('acts on a regime change within minutes: the value that froze is slowed, the others keep their interval', async () => {
    app = buildSimApp({ clock, dir, options: options({ goal: 'freshest' }), points: POINTS, logger: createMemoryLogger() });
    await app.start();
    await clock.advance(40 * MIN);
    const day = { solar: interval('solar'), fast: interval('fast') };
    expect(day.solar).toBeLessThan(15_000);
    await clock.advance(10 * MIN); // ten minutes after sunset
    expect(interval('solar')).toBeGreaterThan(day.solar);
    expect(interval('fast')).toBeLessThanOrEqual(day.fast);
  });

  it('acts on a sunrise within minutes: a value frozen for hours and slowed is back at (or below) its configured interval soon after its first change', async () => {
    const points: SimPointSpec[] = [...POINTS, { id: 'dawn', name: 'Dawn', registerType: 'holding', address: 700, dataType: 'uint16', process: walk(sunrise, 1800) }];
    app = buildSimApp({
      clock, dir, points, logger: createMemoryLogger(),
      options: { ...options(), entities: points.map((p) => ({ name: p.name, connection: 'gw', address: p.address, scan_interval: 15 })) },
    });
    await app.start();
    await clock.runUntil(SUNRISE);
    const night = interval('dawn');
    expect(night).toBeGreaterThanOrEqual(120_000); // slowed while it never changed
    await clock.advance(night + 2 * MIN); // its next poll sees the change; the next local-step tick acts
    expect(interval('dawn')).toBeLessThanOrEqual(15_000); // its configured interval (or faster once its polls all change there)
    expect(app.optimizer?.localSteps.counts.shifts).toBeGreaterThanOrEqual(1);
    expect(app.optimizer?.loop.state.audit.some((a) => a.what.includes('regime shift'))).toBe(true);
  });

  it('with save_bus never spends more bus time than the configured intervals while stepping', async () => {
    const fixed = buildSimApp({ clock, dir, options: options({ enabled: false }), points: POINTS, logger: createMemoryLogger() });
    await fixed.start();
    await clock.advance(10 * MIN);
    const configured = fixed.poller.busStatus()[0]?.busyMs ?? 0;
    await stopSimApp(fixed, clock);
    clock = new VirtualClock(START);
    await rm(dir, { recursive: true, force: true });
    app = buildSimApp({ clock, dir, options: options(), points: POINTS, logger: createMemoryLogger() });
    await app.start();
    let before = 0;
    const oneRead = readBusTimeMs(3, 1, { baudrate: 9600, turnaroundMs: 20, roundTripMs: 1 });
    for (let m = 1; m <= 10; m++) {
      // it did save (the still values slowed) and bought no freshness beyond the configured intervals':
      // as fresh as configured already, save_bus speeds nothing up locally
      if (m === 10) expect([interval('fast'), interval('still_1') > 15_000]).toEqual([15_000, true]);
      await clock.advance(MIN);
      const busy = app.poller.busStatus()[0]?.busyMs ?? 0;
      // each minute: a minute holds 4 of the 15 s polls, so ±1 poll, and an audit read (random times) may fall in it
      expect(busy - before).toBeLessThanOrEqual((configured / 10) * 1.05 + oneRead);
      before = busy;
    }
    expect(before).toBeLessThanOrEqual(configured * 1.01); // and over the ten minutes, audits included, no more than the configured intervals
  });
});
