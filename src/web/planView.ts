/**
 * The plan view: the block reads the poller's read plan (modbus/readPlan.ts) forms when every
 * entity of a connection is due at once, with the learned illegal-address holes of its bus. Each
 * block says which registers it covers, which entities it carries, how many registers it bridges
 * that nobody asked for, what it costs on the wire, and whether a hole forced it apart from the
 * previous block. The totals compare with reading every entity on its own.
 */
import { readBusTimeMs } from '../modbus/costModel.js';
import { HoleSet, type HoleRange } from '../modbus/holes.js';
import type { BlockRequest } from '../modbus/planner.js';
import { planConnectionReads } from '../modbus/readPlan.js';
import { ReadSizes, type ReadSizeRecord } from '../modbus/readSizes.js';
import { busKeyOf, type ConnectionDef } from '../modbus/types.js';
import type { DashboardSource } from './overviewView.js';

export interface PlannedBlock {
  unitId: number;
  fn: number;
  address: number;
  count: number;
  /** [entity id, address, count] of every entity the reply carries. */
  items: Array<[string, number, number]>;
  /** Registers (or bits) read that no entity asked for. */
  bridged: number;
  costMs: number;
  /** The learned hole between the previous block of the same unit and function and this one, if any. */
  holeBefore: HoleRange | null;
}

export interface ConnectionPlan {
  name: string;
  blocks: PlannedBlock[];
  costMs: number;
  /** The same entities read one request each. */
  singleRequests: number;
  singleCostMs: number;
  holesAvoided: number;
}

export interface BusPlan {
  key: string;
  connections: ConnectionPlan[];
  holes: HoleRange[];
  /** Units that refused long reads: what was learned and the cap the plan obeys. */
  readSizes: ReadSizeRecord[];
}

export function buildPlan(src: Pick<DashboardSource, 'poller' | 'entities' | 'connections'>): { buses: BusPlan[] } {
  const holesByBus = new Map<string, HoleRange[]>();
  for (const h of src.poller.holeList()) {
    const { bus, ...range } = h;
    holesByBus.set(bus, [...(holesByBus.get(bus) ?? []), range]);
  }
  const sizesByBus = new Map<string, ReadSizeRecord[]>();
  for (const { bus, ...record } of src.poller.readSizeList()) sizesByBus.set(bus, [...(sizesByBus.get(bus) ?? []), record]);
  const buses = new Map<string, BusPlan>();
  for (const conn of src.connections) {
    const key = busKeyOf(conn);
    const bus = buses.get(key) ?? { key, connections: [], holes: holesByBus.get(key) ?? [], readSizes: sizesByBus.get(key) ?? [] };
    buses.set(key, bus);
    bus.connections.push(connectionPlan(src, conn, bus.holes, bus.readSizes));
  }
  return { buses: [...buses.values()] };
}

function connectionPlan(src: Pick<DashboardSource, 'entities'>, conn: ConnectionDef, holes: readonly HoleRange[], learned: readonly ReadSizeRecord[]): ConnectionPlan {
  const sizes = new ReadSizes();
  for (const r of learned) sizes.restore(r);
  const { items, blocks: planned, limits: { timing } } = planConnectionReads(conn, src.entities, HoleSet.fromList(holes), sizes);
  let previous: BlockRequest | undefined;
  const blocks = planned.map((b): PlannedBlock => {
    const sameGroup = previous !== undefined && previous.unitId === b.unitId && previous.fn === b.fn;
    const gapStart = sameGroup && previous ? previous.address + previous.count : b.address;
    const hole = sameGroup ? holes.find((h) => h.unitId === b.unitId && h.fn === b.fn && h.start < b.address && h.end > gapStart) : undefined;
    previous = b;
    return {
      unitId: b.unitId, fn: b.fn, address: b.address, count: b.count,
      items: b.items.map((i) => [i.key, i.address, i.count]),
      bridged: b.count - covered(b),
      costMs: readBusTimeMs(b.fn, b.count, timing),
      holeBefore: hole ?? null,
    };
  });
  return {
    name: conn.name, blocks,
    costMs: blocks.reduce((s, b) => s + b.costMs, 0),
    singleRequests: items.length,
    singleCostMs: items.reduce((s, i) => s + readBusTimeMs(i.fn, i.count, timing), 0),
    holesAvoided: blocks.filter((b) => b.holeBefore !== null).length,
  };
}

/** Addresses in the block that some item covers (items may overlap). */
function covered(b: BlockRequest): number {
  const seen = new Uint8Array(b.count);
  for (const i of b.items) for (let a = i.address; a < i.address + i.count; a++) seen[a - b.address] = 1;
  return seen.reduce((s, x) => s + x, 0);
}
