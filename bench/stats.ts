/**
 * Stats benchmark: what learning costs at scale. A seeded synthetic site of 10,000 entities —
 * continuous values, counters, two- and three-state values, constants, day/night values and
 * co-changing groups of four, polled every 2, 5 or 10 minutes — feeds one simulated day of samples
 * straight into the stats service, then times the per-sample update (also at 1,000 entities: the
 * cost must stay bounded as the site grows), a full recomputation of every estimate and regime test
 * (goal: ≤ 100 ms of CPU for 10,000 entities), clustering (and how many simulated groups it finds
 * whole, and whether any cluster holds an unrelated entity), and the JSON round trip.
 * `run()` returns the report (one line per figure); executed directly it prints it.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { EventBus } from '../src/core/eventBus.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { exponential, hashSeed, seededRandom, type Random } from '../src/core/random.js';
import { VirtualClock } from '../src/core/virtualClock.js';
import type { EntityValue } from '../src/modbus/types.js';
import { clusterQuality, type ClusterQuality } from './clusterQuality.js';
import { createEntityStats, type EntityStatsService, type StatsEvents } from '../src/stats/entityStats.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 5);
const GOAL_RECOMPUTE_MS = 100;
const TIMED_RUNS = 7;
const INTERVAL_MINUTES = [2, 5, 10];
const KINDS = ['continuous', 'counter', 'toggle', 'three', 'constant', 'daytime', 'group'] as const;
const GROUP_SIZE = 4;

interface SynthEntity {
  id: string;
  kind: (typeof KINDS)[number];
  everyTicks: number;
  perHour: number;
  /** Index of the entity whose changes this one copies (co-changing group), or -1. */
  leader: number;
  changes: number;
  lastAt: number | undefined;
  lastValue: EntityValue | undefined;
}

const GROUP_KIND = KINDS.indexOf('group');

/** Group members copy the changes of their group's first member (and poll with it). */
function leaderOf(i: number): number {
  if (i % KINDS.length !== GROUP_KIND) return -1;
  const member = Math.floor(i / KINDS.length);
  const leader = (member - (member % GROUP_SIZE)) * KINDS.length + GROUP_KIND;
  return leader === i ? -1 : leader;
}

function buildSite(n: number, random: Random): SynthEntity[] {
  const site: SynthEntity[] = [];
  for (let i = 0; i < n; i++) {
    const leader = leaderOf(i);
    const everyTicks = INTERVAL_MINUTES[Math.floor(random() * INTERVAL_MINUTES.length)] ?? 5;
    site.push({
      id: `e${i}`, kind: KINDS[i % KINDS.length] ?? 'continuous', everyTicks: site[leader]?.everyTicks ?? everyTicks,
      perHour: 2 + random() * 40, leader, changes: 0, lastAt: undefined, lastValue: undefined,
    });
  }
  return site;
}

function valueOf(e: SynthEntity): EntityValue {
  if (e.kind === 'toggle') return e.changes % 2 === 1;
  if (e.kind === 'three') return [1, 2, 3][e.changes % 3] ?? 1;
  if (e.kind === 'continuous' || e.kind === 'daytime' || e.kind === 'group') return Math.round(1000 * Math.sin(e.changes * 0.7));
  return e.changes; // counter (constant never changes)
}

/** Poisson changes in (t − T, t] for one entity (a group member copies its leader's). */
function changesSince(e: SynthEntity, T: number, t: number, random: Random, fresh: Map<number, number>, index: number): number {
  if (e.leader >= 0) return fresh.get(e.leader) ?? 0;
  if (e.kind === 'constant') return 0;
  const hour = ((t - START) % DAY) / HOUR;
  const rate = e.kind === 'daytime' && (hour < 6 || hour >= 18) ? 0 : e.perHour;
  let k = 0;
  for (let s = exponential(random, rate / HOUR); s < T; s += exponential(random, rate / HOUR)) k++;
  fresh.set(index, k);
  return k;
}

/** Feeds one simulated day of polls, one minute tick at a time; returns samples fed and CPU ms spent ingesting. */
async function feedDay(stats: EntityStatsService, clock: VirtualClock, site: SynthEntity[], random: Random): Promise<{ samples: number; ms: number }> {
  let samples = 0;
  let ms = 0;
  for (let tick = 0; tick < DAY / MINUTE; tick++) {
    const t = START + tick * MINUTE;
    await clock.runUntil(t);
    if (tick === 6 * 60 || tick === 18 * 60) {
      const up = tick === 6 * 60;
      stats.contextChanged({ entityId: 'sun.sun', state: up ? 'above_horizon' : 'below_horizon', previous: undefined, at: t });
    }
    const fresh = new Map<number, number>();
    const c0 = process.cpuUsage();
    site.forEach((e, i) => {
      if (tick % e.everyTicks !== 0) return;
      const since = e.lastAt === undefined ? undefined : t - e.lastAt;
      e.changes += since === undefined ? 0 : changesSince(e, since, t, random, fresh, i);
      const value = valueOf(e);
      stats.ingest({
        entityId: e.id, value, raw: [], at: t, changed: e.lastAt !== undefined && value !== e.lastValue,
        sincePreviousMs: since, intervalMs: e.everyTicks * MINUTE, reason: 'schedule',
      });
      e.lastAt = t;
      e.lastValue = value;
      samples++;
    });
    const c = process.cpuUsage(c0);
    ms += (c.user + c.system) / 1000;
  }
  return { samples, ms };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? NaN;
}

/**
 * Median CPU time of `work` (process user + system time, so other processes sharing the machine do
 * not inflate it) and the median wall time next to it.
 */
function timeMedian(work: () => unknown): { cpuMs: number; wallMs: number } {
  work(); // warm-up
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    work();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

interface LearnedSite {
  stats: EntityStatsService;
  site: SynthEntity[];
  samples: number;
  ingestMs: number;
}

export async function learnedSite(n: number): Promise<LearnedSite> {
  const clock = new VirtualClock(START);
  const stats = createEntityStats({
    clock, logger: createMemoryLogger(), events: new EventBus<StatsEvents>(), options: { contextEntities: ['sun.sun'] },
  });
  stats.contextChanged({ entityId: 'sun.sun', state: 'below_horizon', previous: undefined, at: START });
  const random = seededRandom(hashSeed(`stats-bench-${n}`, 1));
  const site = buildSite(n, random);
  const { samples, ms } = await feedDay(stats, clock, site, random);
  return { stats, site, samples, ingestMs: ms };
}

/** Simulated groups found whole (one cluster, nothing else in it) and clusters holding an unrelated entity. */
function groupQuality(site: readonly SynthEntity[], clusters: ReadonlyArray<{ members: string[] }>): ClusterQuality {
  const groupOf = (id: string) => {
    const i = Number(id.slice(1));
    const e = site[i];
    return e?.kind === 'group' ? String(e.leader >= 0 ? e.leader : i) : undefined;
  };
  return clusterQuality(groupOf, site.map((e) => e.id), clusters);
}

export async function run(): Promise<string> {
  const small = await learnedSite(1_000);
  const heapBefore = process.memoryUsage().heapUsed;
  const big = await learnedSite(10_000);
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const perSample = (x: { samples: number; ingestMs: number }) => (1000 * x.ingestMs) / x.samples;
  const recompute = timeMedian(() => big.stats.recompute());
  const clustering = timeMedian(() => big.stats.clusters());
  const clusters = big.stats.clusters();
  const quality = groupQuality(big.site, clusters);
  let text = '';
  const toJson = timeMedian(() => {
    text = JSON.stringify(big.stats.toJSON());
  });
  const restore = timeMedian(() => big.stats.restore(JSON.parse(text)));
  const tag = `stats [${(10_000).toLocaleString('en')} entities, 1 simulated day]`;
  const ok = recompute.cpuMs <= GOAL_RECOMPUTE_MS;
  return [
    `${tag}: update ${perSample(big).toFixed(2)} µs CPU/sample (with sample generation) over ${big.samples.toLocaleString('en')} samples`
      + ` (${perSample(small).toFixed(2)} µs/sample at 1,000 entities)`,
    `${tag}: full recomputation median ${recompute.cpuMs.toFixed(1)} ms CPU (${recompute.wallMs.toFixed(1)} ms wall;`
      + ` goal <= ${GOAL_RECOMPUTE_MS} ms)${ok ? '' : ' OVER GOAL'}, of which clustering ${clustering.cpuMs.toFixed(1)} ms`,
    `${tag}: ${big.stats.pairCount().toLocaleString('en')} candidate pairs; ${clusters.length} clusters, ${quality.whole} of`
      + ` ${quality.groups} simulated groups found whole, ${quality.mixed} clusters with an unrelated member`,
    `${tag}: state ${(text.length / 1e6).toFixed(1)} MB of JSON, toJSON+stringify ${toJson.cpuMs.toFixed(0)} ms,`
      + ` parse+restore ${restore.cpuMs.toFixed(0)} ms; heap ≈ ${heapMb.toFixed(0)} MB`,
  ].join('\n');
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  console.log(await run());
}
