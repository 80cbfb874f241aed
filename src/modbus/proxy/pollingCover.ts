/**
 * Which of the app's own entities a client's read is made of. When another master asks for registers
 * the app polls anyway, the proxy does not send its own request: it pulls those entities' next polls
 * forward, so the planner reads them together with whatever else is due (one block instead of two
 * requests), and answers from the fresh cache. Only when the entities cover every requested register;
 * otherwise the read goes to the device as asked.
 */
import { FUNCTION_OF, type EntityDef, type ReadFunction } from '../types.js';

/** Ids of the entities of `connection` whose spans together cover [address, address + count) of unit and fn; undefined if they do not. */
export function entitiesCovering(
  entities: readonly EntityDef[], connection: string, unitId: number, fn: ReadFunction, address: number, count: number,
): string[] | undefined {
  const end = address + count;
  const byId = new Map(entities.map((e) => [e.id, e]));
  const spans = entitiesTouching(entities, connection, unitId, fn, address, count)
    .map((id) => byId.get(id) as EntityDef).sort((a, b) => a.address - b.address);
  let covered = address;
  for (const e of spans) {
    if (e.address > covered) return undefined; // a register nobody polls
    covered = Math.max(covered, e.address + e.count);
    if (covered >= end) break;
  }
  return covered >= end ? spans.map((e) => e.id) : undefined;
}

/** Ids of the entities of `connection` on that unit and table whose registers overlap [address, address + count). */
export function entitiesTouching(
  entities: readonly EntityDef[], connection: string, unitId: number, fn: ReadFunction, address: number, count: number,
): string[] {
  const end = address + count;
  return entities.filter((e) => e.connection === connection && e.unitId === unitId && FUNCTION_OF[e.registerType] === fn
    && e.address < end && e.address + e.count > address).map((e) => e.id);
}
