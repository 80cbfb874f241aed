import { describe, expect, it } from '@jest/globals';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { createEntityStats, type StatsEvents } from '../../src/stats/entityStats.js';
import { jsonChunks } from '../../src/store/jsonChunks.js';
import { HOUR, START, synthRig, type SynthEntity } from '../helpers/statsSamples.js';

const S = 1000;
const ENTITIES: SynthEntity[] = [
  { id: 'driver', intervalMs: 10 * S, ratePerHour: () => 20, value: (n) => n % 2 === 1 },
  { id: 'follower', intervalMs: 10 * S, follows: 'driver', value: (n) => (n % 2) * 100 },
  { id: 'counter', intervalMs: 15 * S, ratePerHour: () => 120 },
  { id: 'walk', intervalMs: 20 * S, ratePerHour: (t) => ((t - START) % (24 * HOUR) < 12 * HOUR ? 90 : 9), value: (n) => Math.round(50 * Math.sin(n * 1.7)) },
];

describe('stats state as JSON', () => {
  it('restores exactly, and the restored instance goes on learning bit for bit like the original', async () => {
    const options = { contextEntities: ['sun.sun'] };
    const original = synthRig(ENTITIES, options);
    original.events.emit('contextChanged', { entityId: 'sun.sun', state: 'below_horizon', previous: undefined, at: START });
    await original.run(30 * HOUR);
    const saved = JSON.stringify(original.stats.toJSON());
    expect(original.stats.toJSON().entities.every((e) => e.tracker.pollTimesPacked !== undefined)).toBe(true); // the compact form is what round-trips

    const twin = synthRig(ENTITIES, options); // same seeds: the same samples from here on
    await twin.run(30 * HOUR);
    twin.stats.restore(JSON.parse(saved));
    expect(JSON.stringify(twin.stats.toJSON())).toBe(saved);

    await Promise.all([original.run(20 * HOUR), twin.run(20 * HOUR)]);
    expect(JSON.stringify(twin.stats.toJSON())).toBe(JSON.stringify(original.stats.toJSON()));
    for (const id of ENTITIES.map((e) => e.id)) {
      expect(twin.stats.rate(id)).toEqual(original.stats.rate(id));
      expect(twin.stats.regimes(id)).toEqual(original.stats.regimes(id));
    }
    expect(twin.stats.clusters()).toEqual(original.stats.clusters());
    expect(twin.stats.predictionAccuracy()).toEqual(original.stats.predictionAccuracy());
  });

  it('is plain JSON (no Infinity, NaN or typed arrays) and rejects an unknown version', async () => {
    const rig = synthRig(ENTITIES);
    await rig.run(6 * HOUR);
    const json = rig.stats.toJSON();
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(() => rig.stats.restore({ ...json, version: 99 })).toThrow(/version 99/);
  });

  it('gives the store the same text row by row (toLazyJSON), through the piecewise writer too', async () => {
    const rig = synthRig(ENTITIES);
    await rig.run(6 * HOUR);
    const lazy = rig.stats.toLazyJSON() as { entities: unknown[] };
    expect(typeof (lazy.entities[0] as { toJSON?: unknown }).toJSON).toBe('function'); // not copied yet
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(rig.stats.toJSON()));
    expect((await jsonChunks({ stats: lazy }, { chunkChars: 512 })).join('')).toBe(JSON.stringify({ stats: rig.stats.toJSON() }));
  });

  it('loads a file from before poll times were kept, and co-change scoring resumes once partners have polls again', async () => {
    const rig = synthRig(ENTITIES);
    await rig.run(30 * HOUR);
    const old = rig.stats.toJSON();
    for (const e of old.entities) {
      delete e.tracker.pollTimes;
      delete e.tracker.pollTimesPacked;
    }
    const twin = synthRig(ENTITIES);
    await twin.run(30 * HOUR);
    twin.stats.restore(JSON.parse(JSON.stringify(old)));
    const pair = () => twin.stats.clusters().find((c) => c.members.includes('driver'));
    const before = pair()?.coChanges ?? 0;
    expect(before).toBeGreaterThan(10);
    await twin.run(10 * HOUR);
    expect(pair()?.members).toEqual(['driver', 'follower']);
    expect(pair()?.coChanges ?? 0).toBeGreaterThan(before);
  });

  it('keeps rates but drops regime buckets when the bucket layout changed', async () => {
    const rig = synthRig(ENTITIES, { hourBuckets: 24 });
    await rig.run(30 * HOUR);
    const other = synthRig([], { hourBuckets: 12 });
    other.stats.restore(rig.stats.toJSON());
    rig.stats.recompute(); // the original may answer from a cache a few samples old
    expect(other.stats.rate('counter')?.ratePerHour).toBeCloseTo(rig.stats.rate('counter')?.ratePerHour ?? 0, 9);
    expect(other.stats.regimes('walk')?.hourly.every((h) => h.samples === 0)).toBe(true);
  });
});

describe('lifecycle', () => {
  it('start subscribes and arms the prediction window; stop gives both back', () => {
    const clock = new VirtualClock(START);
    const events = new EventBus<StatsEvents>();
    const stats = createEntityStats({ clock, logger: createMemoryLogger(), events });
    expect(clock.pendingCount).toBe(0);
    stats.start();
    expect(events.listenerCount('sample')).toBe(1);
    expect(events.listenerCount('contextChanged')).toBe(1);
    expect(clock.pendingCount).toBe(1);
    stats.stop();
    expect(events.listenerCount('sample')).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });
});
