/**
 * Planner benchmark: the poller calls planReads on every tick, so planning a large site (10 units ×
 * 1,000 entities) must stay well inside one tick's budget (goal: 50 ms). Builds a seeded, realistic
 * register map — runs of adjacent values, small and large gaps, coils, a few learned holes — and
 * reports the median planning time and the modelled bus time of the plan at RTU and TCP timing.
 * `run()` returns the report (one line per figure); executed directly it prints it.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { timingOf } from '../src/modbus/costModel.js';
import { HoleSet } from '../src/modbus/holes.js';
import { planCostMs, planReads, type PlanLimits, type ReadItem } from '../src/modbus/planner.js';
import { MAX_BITS_PER_READ, MAX_REGISTERS_PER_READ } from '../src/modbus/readPlan.js';
import type { ReadFunction } from '../src/modbus/types.js';
import { seededRandom } from '../src/core/random.js';

const UNITS = 10;
const ENTITIES_PER_UNIT = 1000;
const WARMUP_RUNS = 5;
const TIMED_RUNS = 25;
const GOAL_MS = 50;

/** Gap before the next value: mostly adjacent, sometimes a few reserved words, now and then a new bank. */
function gapOf(rng: () => number): number {
  const r = rng();
  if (r < 0.6) return 0;
  if (r < 0.85) return 1 + Math.floor(rng() * 4);
  if (r < 0.95) return 5 + Math.floor(rng() * 26);
  return 50 + Math.floor(rng() * 250);
}

function countOf(fn: ReadFunction, rng: () => number): number {
  if (fn === 1 || fn === 2) return 1;
  const r = rng();
  return r < 0.5 ? 1 : r < 0.9 ? 2 : 4;
}

/** One unit's entities of one function code; every 10th gap of 5+ registers becomes a learned hole. */
function buildRange(unitId: number, fn: ReadFunction, n: number, rng: () => number, holes: HoleSet): ReadItem[] {
  const items: ReadItem[] = [];
  let address = 0;
  let wideGaps = 0;
  for (let i = 0; i < n; i++) {
    const gap = i === 0 ? 0 : gapOf(rng);
    if (gap >= 5 && ++wideGaps % 10 === 0) holes.add(unitId, fn, address + 1, address + gap - 1);
    address += gap;
    const count = countOf(fn, rng);
    items.push({ key: `u${unitId}.fc${fn}.${i}`, unitId, fn, address, count });
    address += count;
  }
  return items;
}

export function buildSite(seed = 1): { items: ReadItem[]; holes: HoleSet } {
  const rng = seededRandom(seed);
  const holes = new HoleSet();
  const items: ReadItem[] = [];
  for (let unitId = 1; unitId <= UNITS; unitId++) {
    const holding = Math.round(ENTITIES_PER_UNIT * 0.7);
    const input = Math.round(ENTITIES_PER_UNIT * 0.2);
    items.push(...buildRange(unitId, 3, holding, rng, holes));
    items.push(...buildRange(unitId, 4, input, rng, holes));
    items.push(...buildRange(unitId, 1, ENTITIES_PER_UNIT - holding - input, rng, holes));
  }
  // The poller hands items over in due order, not address order.
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as ReadItem, items[i] as ReadItem];
  }
  return { items, holes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function benchOne(label: string, items: readonly ReadItem[], limits: PlanLimits): string[] {
  for (let i = 0; i < WARMUP_RUNS; i++) planReads(items, limits);
  const times: number[] = [];
  let blocks = planReads(items, limits);
  for (let i = 0; i < TIMED_RUNS; i++) {
    const t0 = performance.now();
    blocks = planReads(items, limits);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const planned = planCostMs(blocks, limits.timing);
  const naive = planCostMs(items.map((it) => ({ ...it, items: [it] })), limits.timing);
  return [
    `planner [${label}]: ${items.length} items -> ${blocks.length} blocks, median ${ms.toFixed(2)} ms `
      + `(goal <= ${GOAL_MS} ms)${ms <= GOAL_MS ? '' : ' OVER GOAL'}`,
    `planner [${label}]: modelled bus time per full sweep ${(planned / 1000).toFixed(2)} s `
      + `vs ${(naive / 1000).toFixed(2)} s one request per item (${limits.holes?.size ?? 0} holes)`,
  ];
}

export async function run(): Promise<string> {
  const { items, holes } = buildSite();
  const rtu = timingOf({ type: 'serial', baudrate: 9600, turnaroundMs: 20 });
  const tcp = timingOf({ type: 'tcp', baudrate: 9600, turnaroundMs: 2 });
  const base = { maxRegisters: MAX_REGISTERS_PER_READ, maxBits: MAX_BITS_PER_READ, holes };
  return [
    ...benchOne('rtu 9600 baud', items, { ...base, timing: rtu }),
    ...benchOne('tcp', items, { ...base, timing: tcp }),
  ].join('\n');
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  console.log(await run());
}
