/**
 * The read plan of a connection: how its entities become planner items, which limits a request on it
 * obeys (the protocol's, the connection's cap and the bus's learned illegal-address holes), the block
 * requests the planner forms when they are due together, and what each entity's poll costs as its
 * share of that block. The poller, the dashboard's plan view and the optimizer's cost figures all plan
 * through here, so they can never disagree about what a read of an entity is.
 */
import { readBusTimeMs, timingOf } from './costModel.js';
import { readSpanOf } from './codecs/scaleFactor.js';
import { HoleSet } from './holes.js';
import { planReads, type BlockRequest, type PlanLimits, type ReadItem, type UnitCaps } from './planner.js';
import type { ReadSizes } from './readSizes.js';
import { busKeyOf, FUNCTION_OF, isBitFunction, type ConnectionDef, type EntityDef, type ReadFunction } from './types.js';

/** Registers one fc 3/4 request may read (Modbus application protocol). */
export const MAX_REGISTERS_PER_READ = 125;
/** Bits one fc 1/2 request may read (Modbus application protocol). */
export const MAX_BITS_PER_READ = 2000;
/** Registers one fc 16 request may write, coils one fc 15 request may write (Modbus application protocol). */
export const MAX_REGISTERS_PER_WRITE = 123;
export const MAX_COILS_PER_WRITE = 1968;

/** The most registers (fc 3/4) or bits (fc 1/2) one request of `fn` may carry under the protocol alone. */
export function protocolLimitOf(fn: ReadFunction): number {
  return isBitFunction(fn) ? MAX_BITS_PER_READ : MAX_REGISTERS_PER_READ;
}

/**
 * The span the planner reads for an entity: `count` registers or bits of its unit and function from
 * `address`, widened to its scale-factor register when it has one (both must come in one reply).
 */
export function readItemOf(def: Pick<EntityDef, 'id' | 'unitId' | 'registerType' | 'address' | 'count' | 'scaleFactorAt'>): ReadItem {
  const span = readSpanOf(def.address, def.count, def.scaleFactorAt);
  return { key: def.id, unitId: def.unitId, fn: FUNCTION_OF[def.registerType], address: span.address, count: span.count };
}

/**
 * What a request on `conn` may span. `holes` are the learned illegal-address ranges of the connection's
 * bus; callers that plan from the definitions alone pass `new HoleSet()` and say so. Each unit's
 * declared limits apply, and `sizes`, when given, the read sizes learned on the bus.
 */
export function planLimitsOf(conn: ConnectionDef, holes: HoleSet, sizes?: ReadSizes): PlanLimits {
  const limits: PlanLimits = {
    maxRegisters: Math.min(MAX_REGISTERS_PER_READ, conn.maxRegistersPerRead),
    maxBits: MAX_BITS_PER_READ,
    timing: timingOf(conn),
    holes,
  };
  if ((conn.unitLimits?.size ?? 0) > 0 || sizes !== undefined) limits.unitCaps = (unitId) => unitCapsOf(conn, unitId, sizes);
  return limits;
}

/** A unit's fc 3/4 caps on `conn`: the tightest of its declared limits and its learned read size. */
export function unitCapsOf(conn: ConnectionDef, unitId: number, sizes?: ReadSizes): UnitCaps {
  const declared = conn.unitLimits?.get(unitId);
  return {
    maxRegisters: Math.min(declared?.maxRegisters ?? Infinity, sizes?.capOf(unitId) ?? Infinity),
    maxGap: Math.min(declared?.maxGap ?? Infinity, sizes?.gapCapOf(unitId) ?? Infinity),
  };
}

/** The read plan of a connection's entities when all fall due at once. */
export interface ConnectionReads {
  /** The connection's entities as planner items, in definition order. */
  items: ReadItem[];
  blocks: BlockRequest[];
  limits: PlanLimits;
}

/** Plans every entity of `entities` that sits on `conn` (others are ignored) within `planLimitsOf(conn, holes)`. */
export function planConnectionReads(conn: ConnectionDef, entities: readonly EntityDef[], holes: HoleSet, sizes?: ReadSizes): ConnectionReads {
  const items = entities.filter((d) => d.connection === conn.name).map(readItemOf);
  const limits = planLimitsOf(conn, holes, sizes);
  return { items, blocks: planReads(items, limits), limits };
}

/** Learned holes of a physical bus, by `busKeyOf(connection)`. */
export type HolesOfBus = (busKey: string) => HoleSet;

/**
 * For figures planned from the definitions alone (the optimizer's targets, the benchmark's oracle, the
 * dashboard's savings): no bus has a hole. A fresh set per call, so nobody can fill a shared one.
 */
export const NO_HOLES: HolesOfBus = () => new HoleSet();

/**
 * Each entity's share (ms) of the block it is read in when every entity of its connection is due at
 * once: the block's modelled bus time divided among the entities its reply carries.
 */
export function amortizedCosts(
  ctx: { connections: readonly ConnectionDef[]; entities: readonly EntityDef[] }, holesOf: HolesOfBus,
): Map<string, number> {
  const costs = new Map<string, number>();
  for (const conn of ctx.connections) {
    const { blocks, limits } = planConnectionReads(conn, ctx.entities, holesOf(busKeyOf(conn)));
    for (const block of blocks) {
      const share = readBusTimeMs(block.fn, block.count, limits.timing) / block.items.length;
      for (const item of block.items) costs.set(item.key, share);
    }
  }
  return costs;
}

/**
 * The modelled bus utilisation (bus ms per wall ms) of polling each entity at its interval, every poll
 * charged its share from `amortizedCosts`. Entities without an interval (undefined or not positive)
 * add nothing; entities without a share cost nothing.
 */
export function modelledUtilisation(costs: ReadonlyMap<string, number>, polls: Iterable<readonly [id: string, intervalMs: number | undefined]>): number {
  let sum = 0;
  for (const [id, intervalMs] of polls) {
    if (intervalMs !== undefined && intervalMs > 0) sum += (costs.get(id) ?? 0) / intervalMs;
  }
  return sum;
}
