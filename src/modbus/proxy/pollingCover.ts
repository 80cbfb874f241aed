/**
 * Which of the app's own entities a client's read touches: the demand other masters put on each
 * value (clientDemand.ts) is learned from these, so a value evcc reads every second is polled often
 * enough for its reads to hit the cache.
 */
import { FUNCTION_OF, type EntityDef, type ReadFunction } from '../types.js';

/** Ids of the entities of `connection` on that unit and table whose registers overlap [address, address + count). */
export function entitiesTouching(
  entities: readonly EntityDef[], connection: string, unitId: number, fn: ReadFunction, address: number, count: number,
): string[] {
  const end = address + count;
  return entities.filter((e) => e.connection === connection && e.unitId === unitId && FUNCTION_OF[e.registerType] === fn
    && e.address < end && e.address + e.count > address).map((e) => e.id);
}
