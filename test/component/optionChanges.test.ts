/**
 * Options edited between two runs: the app restarted with one entity removed and one added keeps what
 * it learned about the entities that remain (statistics, intervals), drops everything about the removed
 * one (its statistics are gone from memory and from the state file), and records the change in the
 * audit. Plus the pruning of saved statistics on its own: co-change pairs and predictions renumbered.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { retainEntities } from '../../src/stats/retain.js';
import type { StatsJSON } from '../../src/stats/statsJson.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';
import { HOUR, synthRig, type SynthEntity } from '../helpers/statsSamples.js';

const walk = (perHour: number) => ({ kind: 'walk' as const, initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: () => perHour, peakRatePerHour: perHour });
const POINTS: SimPointSpec[] = [
  { id: 'fast', name: 'Fast', registerType: 'holding', address: 0, dataType: 'uint16', process: walk(1800) },
  { id: 'slow', name: 'Slow', registerType: 'holding', address: 1, dataType: 'uint16', process: walk(6) },
  { id: 'still', name: 'Still', registerType: 'holding', address: 2, dataType: 'uint16', process: { kind: 'constant', initial: 7 } },
  { id: 'added', name: 'Added', registerType: 'holding', address: 3, dataType: 'uint16', process: walk(60) },
];
const optionsWith = (ids: string[]) => ({
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: POINTS.filter((p) => ids.includes(p.id)).map((p) => ({ name: p.name, connection: 'gw', address: p.address, scan_interval: 15 })),
  optimizer: { quick_every: '1h', full_every: '6h', evaluate_every: '30m', settle: '5m', evaluation_window: '20m', bus_budget: 0.01 },
});

let dir: string;
let clock: VirtualClock;
let running: App | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-change-'));
  clock = new VirtualClock(Date.UTC(2026, 0, 5));
});
afterEach(async () => {
  if (running) await stop(running);
  await rm(dir, { recursive: true, force: true });
});

function build(ids: string[], logger = createMemoryLogger()): App {
  const app = buildSimApp({ clock, dir, options: optionsWith(ids), points: POINTS, logger });
  running = app;
  return app;
}

async function stop(app: App): Promise<void> {
  await stopSimApp(app, clock);
  running = undefined;
}

const savedStatsIds = async () => {
  const file = JSON.parse(await readFile(path.join(dir, 'modbus_optimizer_state.json'), 'utf8')) as { data: { stats: StatsJSON } };
  return file.data.stats.entities.map((e) => e.id);
};

describe('a restart after the options changed', () => {
  it('keeps learned state of the remaining entities, drops the removed one, and audits the change', async () => {
    const first = build(['fast', 'slow', 'still']);
    await first.start();
    await clock.advance(6 * HOUR);
    const learned = { fast: first.poller.intervalMs('fast'), still: first.poller.intervalMs('still') };
    const samples = first.stats.rate('fast')?.samples ?? 0;
    expect(first.stats.rate('slow')?.samples ?? 0).toBeGreaterThan(10);
    await stop(first);
    expect(await savedStatsIds()).toEqual(expect.arrayContaining(['fast', 'slow', 'still']));

    const logger = createMemoryLogger();
    const second = build(['fast', 'still', 'added'], logger);
    await second.start();
    expect({ fast: second.poller.intervalMs('fast'), still: second.poller.intervalMs('still') }).toEqual(learned);
    expect(second.stats.rate('fast')?.samples).toBeGreaterThan(samples * 0.95); // decayed a little during the stop
    expect(second.stats.rate('slow')).toBeUndefined();
    expect(second.optimizer?.loop.state.audit.find((a) => /^options changed: .* added/.test(a.what))).toMatchObject({
      by: 'scheduler', what: expect.stringMatching(/1 entities added, 1 removed/), before: { removed: ['slow'] }, after: { added: ['added'] },
    });
    expect(logger.lines.join('\n')).toMatch(/Dropped the learned statistics of 1 entities no longer configured/);
    await clock.advance(HOUR);
    await second.save();
    const ids = await savedStatsIds();
    expect(ids).toEqual(expect.arrayContaining(['fast', 'still', 'added']));
    expect(ids).not.toContain('slow');
  });
});

describe('retainEntities (saved statistics)', () => {
  const S = 1000;
  const ENTITIES: SynthEntity[] = [
    { id: 'driver', intervalMs: 10 * S, ratePerHour: () => 20, value: (n) => n % 2 === 1 },
    { id: 'follower', intervalMs: 10 * S, follows: 'driver', value: (n) => (n % 2) * 100 },
    { id: 'partner', intervalMs: 10 * S, follows: 'driver', value: (n) => (n % 2) * 7 },
    { id: 'counter', intervalMs: 15 * S, ratePerHour: () => 120 },
  ];

  it('drops a removed entity with its pairs and renumbers the rest; restoring the result is exact', async () => {
    const rig = synthRig(ENTITIES);
    await rig.run(30 * HOUR);
    rig.stats.recompute();
    const saved = rig.stats.toJSON();
    expect(rig.stats.clusters().some((c) => c.members.includes('follower'))).toBe(true);
    const kept = retainEntities(structuredClone(saved), new Set(['driver', 'partner', 'counter']));
    expect(kept.entities.map((e) => e.id)).toEqual(['driver', 'partner', 'counter']);
    expect(kept.coChange.pairs.length).toBeLessThan(saved.coChange.pairs.length);
    expect(kept.coChange.pairs.every(([a, b]) => a < 3 && b < 3)).toBe(true);

    const twin = synthRig([]);
    twin.stats.restore(structuredClone(kept));
    expect(twin.stats.toJSON()).toEqual(kept); // well formed: nothing left pointing at a dropped entity
    expect(twin.stats.rate('follower')).toBeUndefined();
    expect(twin.stats.rate('counter')?.ratePerHour).toBeCloseTo(rig.stats.rate('counter')?.ratePerHour ?? 0, 9);
    expect(twin.stats.clusters().flatMap((c) => c.members)).not.toContain('follower');
    expect(twin.stats.clusters().some((c) => c.members.includes('driver') && c.members.includes('partner'))).toBe(true);
  });

  it('leaves a state with nothing to drop as it is', async () => {
    const rig = synthRig(ENTITIES);
    await rig.run(2 * HOUR);
    const saved = rig.stats.toJSON();
    expect(retainEntities(saved, new Set(['driver', 'follower', 'partner', 'counter', 'more']))).toBe(saved);
  });
});
