/**
 * Issue 15 item 10: on a Modbus TCP device (or a WiFi dongle, or a gateway) requests are what the
 * device limits, not modelled wire time. With goal save_bus the app must never send more requests,
 * in any hour, than the configured scan intervals with block reads do — here a block whose fast
 * members would like a faster rung drags the whole block along, and a block of constants slowed down
 * must not "pay" for it in bus time the device does not count.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const HOUR = 3_600_000;
const walk = (perHour: number) => ({ kind: 'walk' as const, initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: () => perHour, peakRatePerHour: perHour });
const still = { kind: 'constant' as const, initial: 7 };
const POINTS: SimPointSpec[] = [
  // one block: two fast values among slow ones and constants
  { id: 'fast_a', name: 'Fast A', registerType: 'holding', address: 0, dataType: 'uint16', process: walk(1800) },
  { id: 'fast_b', name: 'Fast B', registerType: 'holding', address: 1, dataType: 'uint16', process: walk(1200) },
  { id: 'slow_a', name: 'Slow A', registerType: 'holding', address: 2, dataType: 'uint16', process: walk(6) },
  { id: 'slow_b', name: 'Slow B', registerType: 'holding', address: 3, dataType: 'uint16', process: walk(3) },
  { id: 'still_a', name: 'Still A', registerType: 'holding', address: 4, dataType: 'uint16', process: still },
  // a second, long block of constants far away (about 60 registers): slowing it frees much wire time
  ...Array.from({ length: 20 }, (_, i): SimPointSpec => ({ id: `const_${i}`, name: `Const ${i}`, registerType: 'holding', address: 300 + 3 * i, dataType: 'uint16', process: still })),
];
const options = (type: 'tcp' | 'rtuovertcp') => ({
  connections: [{ name: 'dongle', type, host: 'sim', ...(type === 'tcp' ? {} : { baudrate: 9600 }) }],
  entities: POINTS.map((p) => ({ name: p.name, connection: 'dongle', address: p.address, scan_interval: 15 })),
  optimizer: { goal: 'save_bus', quick_every: '30m', full_every: '3h', evaluate_every: '30m', settle: '5m', evaluation_window: '20m' },
});

let dir: string;
let clock: VirtualClock;
let running: App | undefined;
const START = Date.UTC(2026, 0, 5);
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-req-'));
  clock = new VirtualClock(START);
});
afterEach(async () => {
  if (running) await stopSimApp(running, clock);
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

function build(type: 'tcp' | 'rtuovertcp', optimizer: Record<string, unknown>): App {
  const o = options(type);
  running = buildSimApp({ clock, dir, options: { ...o, optimizer: { ...o.optimizer, ...optimizer } }, points: POINTS, logger: createMemoryLogger() });
  return running;
}

/** Requests the app sent in each whole hour of the first `hours`. */
async function requestsPerHour(app: App, hours: number): Promise<number[]> {
  await app.start();
  const out: number[] = [];
  let before = 0;
  for (let h = 0; h < hours; h++) {
    await clock.advance(HOUR);
    const now = app.poller.busStatus().reduce((sum, b) => sum + b.requests, 0);
    out.push(now - before);
    before = now;
  }
  return out;
}

describe('goal save_bus counts requests', () => {
  it.each(['tcp', 'rtuovertcp'] as const)('on a %s connection never sends more requests in any hour than the configured intervals with block reads', async (type) => {
    const HOURS = 8;
    const configured = await requestsPerHour(build(type, { enabled: false }), HOURS);
    await stopSimApp(running as App, clock);
    running = undefined;
    // two blocks, each read once per 15 s
    expect(configured.every((n) => n >= 479 && n <= 481)).toBe(true);
    clock = new VirtualClock(START);
    await rm(dir, { recursive: true, force: true });
    const tuned = build(type, {});
    const perHour = await requestsPerHour(tuned, HOURS);
    const baseline = Math.max(...configured);
    for (const n of perHour) expect(n).toBeLessThanOrEqual(baseline);
    // it did optimise: the constants' block went slower
    expect(tuned.poller.intervalMs('const_0')).toBeGreaterThan(15_000);
  }, 120_000);
});
