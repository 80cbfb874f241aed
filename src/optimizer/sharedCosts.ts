/**
 * What one poll of an entity really costs on its bus, and intervals that let block reads happen.
 * Read alone, every entity pays a whole request's overhead; read with its neighbours, it pays its
 * share of the block the planner would form. And neighbours only share a block when they fall due
 * together, so intervals are snapped to a power-of-two ladder of seconds: entities on the same rung
 * stay in phase, and a faster rung always coincides with every slower one. The optimizer's targets
 * and the benchmark's oracle both use these.
 */
import { readBusTimeMs, timingOf } from '../modbus/costModel.js';
import { planReads } from '../modbus/planner.js';
import { FUNCTION_OF, type ConnectionDef, type EntityDef } from '../modbus/types.js';

/** Each entity's share (ms) of the block the cost-model planner reads it in when all are due at once. */
export function amortizedCosts(ctx: { connections: readonly ConnectionDef[]; entities: readonly EntityDef[] }): Map<string, number> {
  const costs = new Map<string, number>();
  for (const conn of ctx.connections) {
    const mine = ctx.entities.filter((d) => d.connection === conn.name);
    const timing = timingOf(conn);
    const items = mine.map((d) => ({ key: d.id, unitId: d.unitId, fn: FUNCTION_OF[d.registerType], address: d.address, count: d.count }));
    for (const block of planReads(items, { maxRegisters: Math.min(125, conn.maxRegistersPerRead), maxBits: 2000, timing })) {
      const share = readBusTimeMs(block.fn, block.count, timing) / block.items.length;
      for (const item of block.items) costs.set(item.key, share);
    }
  }
  return costs;
}

const LADDER_BASE_MS = 1000;

/** The nearest (in log scale) power-of-two multiple of 1 s, within [min, max]. */
export function snapToLadder(ms: number, minMs: number, maxMs: number): number {
  const snapped = LADDER_BASE_MS * 2 ** Math.round(Math.log2(ms / LADDER_BASE_MS));
  return Math.min(maxMs, Math.max(minMs, snapped));
}
