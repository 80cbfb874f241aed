/**
 * Which raw register writes the options permit: a write (from the proxy's clients) may touch only
 * registers or coils that belong to entities marked `writable` on that connection and unit — the same
 * permission the write commands check by entity.
 */
import type { EntityDef } from '../types.js';

/** Whether every register (or coil) of a write belongs to a writable entity on that connection and unit. */
export function writableRange(entities: readonly EntityDef[], connection: string, unitId: number, table: 'holding' | 'coil', address: number, count: number): boolean {
  const covered = new Set<number>();
  for (const e of entities) {
    if (!e.writable || e.connection !== connection || e.unitId !== unitId || e.registerType !== table) continue;
    for (let a = e.address; a < e.address + e.count; a++) covered.add(a);
  }
  for (let a = address; a < address + count; a++) if (!covered.has(a)) return false;
  return true;
}
