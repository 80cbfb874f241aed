/**
 * The read planners of the peers the benchmark compares against, as plan functions for the real
 * poller. All three are the same greedy walk over items sorted by address, differing only in when
 * the next item may join the current block: Home Assistant core never merges (each entity its own
 * request); Telegraf's max_insert bridges gaps of up to 50 registers; SolaX-like blocks read any gap
 * within a 100-register span. Every variant respects the per-connection cap and — charitably, as a
 * user would after the first failures — the illegal-address holes and unit read sizes the poller has
 * learned, and each unit's declared limits.
 */
import type { BlockRequest, PlanLimits, ReadItem } from '../../modbus/planner.js';
import { isBitFunction } from '../../modbus/types.js';
import type { PlanFn } from '../policy.js';

export interface GreedyRule {
  /** Largest gap (registers or bits) a block may bridge; -1 = never merge. */
  maxGap: number;
  /** Largest span of one block (further capped by the connection). */
  maxSpan: number;
}

function sameGroup(a: ReadItem, b: ReadItem): boolean {
  return a.unitId === b.unitId && a.fn === b.fn;
}

function canJoin(block: BlockRequest, item: ReadItem, rule: GreedyRule, limits: PlanLimits): boolean {
  const head = block.items[0];
  if (!head || !sameGroup(head, item)) return false;
  const end = block.address + block.count;
  const gap = item.address - end;
  const unit = isBitFunction(item.fn) ? undefined : limits.unitCaps?.(item.unitId);
  if (gap > Math.min(rule.maxGap, unit?.maxGap ?? Infinity)) return false;
  const cap = Math.min(rule.maxSpan, isBitFunction(item.fn) ? limits.maxBits : Math.min(limits.maxRegisters, unit?.maxRegisters ?? Infinity));
  const newEnd = Math.max(end, item.address + item.count);
  if (newEnd - block.address > cap) return false;
  return !(limits.holes?.intersects(item.unitId, item.fn, block.address, newEnd) ?? false);
}

export function greedyPlan(rule: GreedyRule): PlanFn {
  return (items, limits) => {
    const sorted = [...items].sort((a, b) => a.unitId - b.unitId || a.fn - b.fn || a.address - b.address || a.count - b.count);
    const blocks: BlockRequest[] = [];
    for (const item of sorted) {
      const current = blocks[blocks.length - 1];
      if (current && canJoin(current, item, rule, limits)) {
        current.count = Math.max(current.address + current.count, item.address + item.count) - current.address;
        current.items.push(item);
      } else {
        blocks.push({ unitId: item.unitId, fn: item.fn, address: item.address, count: item.count, items: [item] });
      }
    }
    return blocks;
  };
}

/** Home Assistant core: every entity its own request. */
export const onePerEntity = greedyPlan({ maxGap: -1, maxSpan: Infinity });
/** Telegraf `optimization = "max_insert"` with `optimization_max_register_fill = 50`. */
export const telegrafMaxInsert = greedyPlan({ maxGap: 50, maxSpan: Infinity });
/** SolaX Modbus automatic blocks: up to a 100-register span, gaps read. */
export const solaxBlocks = greedyPlan({ maxGap: Infinity, maxSpan: 100 });
