/**
 * The modelled bus time of a whole polling schedule, with block sharing as it really happens: the
 * poller aligns every entity's due times to multiples of its interval (poller.ts `alignUp`), so at
 * each instant exactly the entities whose interval divides it are due together and are read in the
 * blocks the planner forms for that set. Summing those plans over one hyperperiod (the least common
 * multiple of the intervals, capped) gives the bus fraction of the schedule — what amortised shares
 * (readPlan.ts) only approximate, since an entity moved to another rung leaves its block behind and
 * the block's cost stays with the others. The optimizer's judge compares two schedules with it. The
 * same pass counts requests: a Modbus TCP device, a WiFi dongle or a gateway limits requests per
 * second, whatever each one's wire time, so goal save_bus holds in both units.
 */
import { readBusTimeMs } from './costModel.js';
import { planLimitsOf, readItemOf, type HolesOfBus } from './readPlan.js';
import { planReads, type ReadItem } from './planner.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from './types.js';

/** Hyperperiods longer than this are cut (the tail is then sampled, not exact). */
const MAX_HYPERPERIOD_MS = 8 * 3_600_000;
/** Instants visited at most per connection; a longer schedule is sampled evenly within it. */
const MAX_INSTANTS = 20_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function lcmCapped(values: readonly number[], cap: number): number {
  let l = 1;
  for (const v of values) {
    l = (l / gcd(l, v)) * v;
    if (l > cap) return cap;
  }
  return l;
}

/** What a schedule asks of a bus: modelled bus ms per wall ms, and requests per wall ms. */
export interface ScheduleLoad {
  busFraction: number;
  requestsPerMs: number;
}

/**
 * Bus fraction (modelled bus ms per wall ms) of polling `entities` of `connections` at
 * `intervalOf(id)` ms (whole ms; entities without a positive interval are not polled).
 */
export function scheduledBusFraction(
  connections: readonly ConnectionDef[], entities: readonly EntityDef[], intervalOf: (id: string) => number | undefined, holesOf: HolesOfBus,
): number {
  return scheduledLoad(connections, entities, intervalOf, holesOf).busFraction;
}

/** Bus fraction and request rate of the schedule (see scheduledBusFraction). */
export function scheduledLoad(
  connections: readonly ConnectionDef[], entities: readonly EntityDef[], intervalOf: (id: string) => number | undefined, holesOf: HolesOfBus,
): ScheduleLoad {
  const total: ScheduleLoad = { busFraction: 0, requestsPerMs: 0 };
  for (const conn of connections) {
    // only the read items: the connection's whole block plan (planConnectionReads) is not needed here
    const items = entities.filter((d) => d.connection === conn.name).map(readItemOf);
    if (items.length === 0) continue;
    const load = connectionLoad(conn, items, intervalOf, holesOf);
    total.busFraction += load.busFraction;
    total.requestsPerMs += load.requestsPerMs;
  }
  return total;
}

/**
 * The planner never merges across unit and function, so a connection's schedule is the sum of its
 * (unit, function) groups' — each over its own hyperperiod. A group's figure depends only on its items
 * and their intervals, so it is remembered: comparing schedules that differ in one group (the judge's
 * question for each block group) re-plans only that group.
 */
function connectionLoad(conn: ConnectionDef, items: readonly ReadItem[], intervalOf: (id: string) => number | undefined, holesOf: HolesOfBus): ScheduleLoad {
  const limits = planLimitsOf(conn, holesOf(busKeyOf(conn)));
  const groups = new Map<string, ReadItem[]>();
  for (const item of items) {
    const key = `${item.unitId}:${item.fn}`;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  // everything the cost depends on besides the items: the limits (holes listed) and the line timing
  const context = JSON.stringify({ ...limits, holes: limits.holes?.list() ?? [] });
  const total: ScheduleLoad = { busFraction: 0, requestsPerMs: 0 };
  for (const group of groups.values()) {
    const timed = group.map((item) => ({ item, ms: Math.round(intervalOf(item.key) ?? 0) })).filter((x) => x.ms > 0);
    if (timed.length === 0) continue;
    const signature = `${context}|${timed.map((x) => `${x.item.key}:${x.item.address}+${x.item.count}@${x.ms}`).join(',')}`;
    let load = remembered.get(signature);
    if (load === undefined) {
      load = groupLoad(timed, limits);
      if (remembered.size >= MEMO_SIZE) remembered.clear();
      remembered.set(signature, load);
    }
    total.busFraction += load.busFraction;
    total.requestsPerMs += load.requestsPerMs;
  }
  return total;
}

/** Recent group figures by their signature (bounded; pure inputs → pure output). */
const remembered = new Map<string, ScheduleLoad>();
const MEMO_SIZE = 5_000;

function groupLoad(timed: ReadonlyArray<{ item: ReadItem; ms: number }>, limits: ReturnType<typeof planLimitsOf>): ScheduleLoad {
  const byInterval = new Map<number, ReadItem[]>();
  for (const { item, ms } of timed) {
    const list = byInterval.get(ms);
    if (list) list.push(item);
    else byInterval.set(ms, [item]);
  }
  const intervals = [...byInterval.keys()].sort((a, b) => a - b);
  const period = lcmCapped(intervals, MAX_HYPERPERIOD_MS);
  const instants = instantsOf(intervals, period);
  const costOfSet = new Map<string, { ms: number; requests: number }>();
  let busMs = 0;
  let requests = 0;
  for (const t of instants.times) {
    const due = intervals.filter((ms) => t % ms === 0);
    const key = due.join(',');
    let cost = costOfSet.get(key);
    if (cost === undefined) {
      const blocks = planReads(due.flatMap((ms) => byInterval.get(ms) ?? []), limits);
      cost = { ms: blocks.reduce((sum, b) => sum + readBusTimeMs(b.fn, b.count, limits.timing), 0), requests: blocks.length };
      costOfSet.set(key, cost);
    }
    busMs += cost.ms;
    requests += cost.requests;
  }
  return { busFraction: (busMs * instants.weight) / period, requestsPerMs: (requests * instants.weight) / period };
}

/** Every instant in [0, period) where some interval falls due, or an even sample of them (with its weight). */
function instantsOf(intervals: readonly number[], period: number): { times: number[]; weight: number } {
  const count = intervals.reduce((sum, ms) => sum + period / ms, 0);
  const set = new Set<number>();
  if (count <= MAX_INSTANTS) {
    for (const ms of intervals) for (let t = 0; t < period; t += ms) set.add(t);
    return { times: [...set], weight: 1 };
  }
  // too many: visit the first MAX_INSTANTS-worth of the period and scale up
  const span = (period * MAX_INSTANTS) / count;
  for (const ms of intervals) for (let t = 0; t < span; t += ms) set.add(t);
  return { times: [...set], weight: period / span };
}
