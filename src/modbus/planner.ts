/**
 * The pure read planner: turns the register spans of the entities due now into the block requests
 * that read them all for the least modelled bus time (DESIGN.md, bus-time cost model). Bridging a
 * gap costs a few characters per register; a second request costs a whole frame pair, gaps and the
 * device turnaround. Which gaps are worth bridging is decided exactly, by a dynamic programme over
 * the items of each (unit, function code) sorted by address, within the protocol and per-connection
 * caps and never across a learned illegal-address hole. No I/O, no clock: table-testable.
 */
import { readBusTimeMs, type BusTiming } from './costModel.js';
import type { HoleSet } from './holes.js';
import type { ReadRequest } from './transport.js';
import { isBitFunction, type ReadFunction } from './types.js';

/** One due entity's span: `count` registers (fc 3/4) or bits (fc 1/2) from `address`. */
export interface ReadItem {
  key: string;
  unitId: number;
  fn: ReadFunction;
  address: number;
  count: number;
}

export interface PlanLimits {
  /** Registers per fc 3/4 request: min(125, the connection's cap). */
  maxRegisters: number;
  /** Bits per fc 1/2 request (<= 2000). */
  maxBits: number;
  timing: BusTiming;
  holes?: HoleSet;
  /** A unit's own limits on fc 3/4 requests (declared or learned), tighter than maxRegisters. */
  unitCaps?: (unitId: number) => UnitCaps;
}

/** What one unit accepts per fc 3/4 request: registers at most, unrequested registers bridged at most. */
export interface UnitCaps {
  maxRegisters: number;
  maxGap: number;
}

/** One request to send, with the items whose values its reply carries. */
export interface BlockRequest extends ReadRequest {
  items: ReadItem[];
}

/** Costs closer than this are a tie, broken toward fewer requests. */
const TIE_MS = 1e-9;

/** Items with the same span, planned as one unit so duplicates always share a block. */
interface Node {
  start: number;
  end: number;
  items: ReadItem[];
}

function compareItems(a: ReadItem, b: ReadItem): number {
  return a.unitId - b.unitId || a.fn - b.fn || a.address - b.address || a.count - b.count
    || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function compareBlocks(a: BlockRequest, b: BlockRequest): number {
  const ka = a.items[0]?.key ?? '';
  const kb = b.items[0]?.key ?? '';
  return a.unitId - b.unitId || a.fn - b.fn || a.address - b.address || a.count - b.count
    || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

function checkItem(item: ReadItem): void {
  if (!Number.isInteger(item.address) || item.address < 0 || !Number.isInteger(item.count) || item.count < 1) {
    throw new RangeError(`read item ${item.key}: unit ${item.unitId} fc${item.fn} @${item.address}+${item.count} is not a valid span`);
  }
}

/** Splits sorted items into runs of one (unit, fn). */
function splitGroups(sorted: readonly ReadItem[]): ReadItem[][] {
  const groups: ReadItem[][] = [];
  let current: ReadItem[] = [];
  for (const item of sorted) {
    const head = current[0];
    if (head !== undefined && (head.unitId !== item.unitId || head.fn !== item.fn)) {
      groups.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Modelled cost of a block of every span 0..cap (index = span). */
function costTable(fn: ReadFunction, cap: number, timing: BusTiming): Float64Array {
  const table = new Float64Array(cap + 1);
  for (let span = 1; span <= cap; span++) table[span] = readBusTimeMs(fn, span, timing);
  return table;
}

/** Sorted items to nodes, coalescing identical spans. */
function toNodes(items: readonly ReadItem[]): Node[] {
  const nodes: Node[] = [];
  for (const item of items) {
    const last = nodes[nodes.length - 1];
    if (last !== undefined && last.start === item.address && last.end === item.address + item.count) {
      last.items.push(item);
    } else {
      nodes.push({ start: item.address, end: item.address + item.count, items: [item] });
    }
  }
  return nodes;
}

/**
 * Optimal contiguous partition of `nodes` (sorted by start). `holeLimit[i]` is the first hole
 * address at or after node i's start: a segment starting at node i is legal while its end stays at
 * or below it. Spans only grow as a segment extends leftward, so each scan stops at the first
 * illegal segment, or once the segment alone costs more than the best plan found: O(n·k) for k
 * nodes per cap-wide window. `gapReach[i]`, when given, is the last node a segment starting at node i
 * may reach without bridging more unrequested registers at once than the unit takes. Returns, per
 * segment end j + 1, its start.
 */
function partition(nodes: readonly Node[], cap: number, holeLimit: Float64Array, cost: Float64Array, gapReach: Int32Array | undefined): Int32Array {
  const n = nodes.length;
  const best = new Float64Array(n + 1);
  const requests = new Int32Array(n + 1);
  const from = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    let bestCost = Infinity;
    let bestRequests = 0;
    let bestFrom = j;
    let maxEnd = 0;
    for (let i = j; i >= 0; i--) {
      const node = nodes[i] as Node;
      if (node.end > maxEnd) maxEnd = node.end;
      const span = maxEnd - node.start;
      if (span > cap || maxEnd > (holeLimit[i] ?? 0)) break;
      const spanCost = cost[span] ?? 0;
      // a segment bridging a wider gap than the unit takes is skipped, not a stop: a longer one may cover the gap
      if (gapReach !== undefined && j > (gapReach[i] ?? j)) continue;
      // best[] never decreases and cost[] only grows with span: no longer segment can win any more.
      if (spanCost > bestCost + TIE_MS) break;
      const c = (best[i] ?? 0) + spanCost;
      const r = (requests[i] ?? 0) + 1;
      if (c < bestCost - TIE_MS || (c <= bestCost + TIE_MS && r < bestRequests)) {
        bestCost = c;
        bestRequests = r;
        bestFrom = i;
      }
    }
    best[j + 1] = bestCost;
    requests[j + 1] = bestRequests;
    from[j + 1] = bestFrom;
  }
  return from;
}

/** Walks the partition back from the end and emits one block per segment. */
function blocksOf(nodes: readonly Node[], from: Int32Array, unitId: number, fn: ReadFunction): BlockRequest[] {
  const blocks: BlockRequest[] = [];
  let end = nodes.length;
  while (end > 0) {
    const start = from[end] ?? 0;
    const segment = nodes.slice(start, end);
    const address = segment[0]?.start ?? 0;
    const maxEnd = segment.reduce((m, node) => Math.max(m, node.end), address);
    blocks.push({ unitId, fn, address, count: maxEnd - address, items: segment.flatMap((node) => node.items) });
    end = start;
  }
  return blocks.reverse();
}

/**
 * For each node i, the last node j such that reading nodes i..j as one block bridges no run of
 * unrequested registers longer than `maxGap` (scanning forward at most a cap-wide window).
 */
function gapReachOf(nodes: readonly Node[], maxGap: number, cap: number): Int32Array {
  const reach = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    let covered = (nodes[i] as Node).end;
    let j = i;
    for (; j + 1 < nodes.length; j++) {
      const next = nodes[j + 1] as Node;
      if (next.start - covered > maxGap || next.end - (nodes[i] as Node).start > cap) break;
      covered = Math.max(covered, next.end);
    }
    reach[i] = j;
  }
  return reach;
}

/** Plans one (unit, fn) group of items sorted by address. */
function planGroup(items: readonly ReadItem[], limits: PlanLimits): BlockRequest[] {
  const head = items[0];
  if (head === undefined) return [];
  const { unitId, fn } = head;
  const unit = isBitFunction(fn) ? undefined : limits.unitCaps?.(unitId);
  const cap = isBitFunction(fn) ? limits.maxBits : Math.min(limits.maxRegisters, unit?.maxRegisters ?? Infinity);
  const holes = limits.holes;
  const lone: ReadItem[] = [];
  const mergeable: ReadItem[] = [];
  for (const item of items) {
    const end = item.address + item.count;
    const isLone = item.count > cap || holes?.intersects(unitId, fn, item.address, end) === true;
    (isLone ? lone : mergeable).push(item);
  }
  const alone = toNodes(lone).map((node): BlockRequest =>
    ({ unitId, fn, address: node.start, count: node.end - node.start, items: node.items }));
  const nodes = toNodes(mergeable);
  const holeLimit = new Float64Array(nodes.length);
  nodes.forEach((node, i) => {
    holeLimit[i] = holes === undefined ? Infinity : holes.firstHoleAtOrAfter(unitId, fn, node.start);
  });
  // no segment spans more than the group does: the cost table need not reach the cap (2,000 for bits)
  const reach = nodes.reduce((m, node) => Math.max(m, node.end), 0) - (nodes[0]?.start ?? 0);
  const gaps = unit !== undefined && Number.isFinite(unit.maxGap) ? gapReachOf(nodes, unit.maxGap, cap) : undefined;
  const from = partition(nodes, cap, holeLimit, costTable(fn, Math.max(Math.min(Math.floor(cap), reach), 0), limits.timing), gaps);
  return [...blocksOf(nodes, from, unitId, fn), ...alone].sort(compareBlocks);
}

/**
 * Block requests covering every item for the least total modelled bus time. Each block is one unit
 * and one function code, fits the cap, and (when it carries more than one item) spans no known hole.
 * Items that exceed the cap or touch a hole are planned alone (identical copies of one still share
 * its block); their failure is the caller's to handle.
 * Output is ordered by unitId, fn, address.
 */
export function planReads(items: readonly ReadItem[], limits: PlanLimits): BlockRequest[] {
  items.forEach(checkItem);
  const sorted = [...items].sort(compareItems);
  return splitGroups(sorted).flatMap((group) => planGroup(group, limits));
}

/** Total modelled bus time of a plan, in ms. */
export function planCostMs(blocks: readonly BlockRequest[], timing: BusTiming): number {
  let total = 0;
  for (const block of blocks) total += readBusTimeMs(block.fn, block.count, timing);
  return total;
}
