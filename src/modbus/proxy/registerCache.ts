/**
 * What the app last read from each device, register by register, with when: every reply on the bus
 * (the app's own block reads, gap registers included, and reads made for other masters) and every
 * value written. The proxy answers a read from here when every requested register was read within its
 * `max_age`, so another master's poll costs the device nothing.
 */
import { isBitFunction, type ReadFunction } from '../types.js';

type Table = 'coil' | 'discrete' | 'holding' | 'input';

const TABLE_OF: Record<ReadFunction, Table> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };

interface Cell {
  value: number;
  at: number;
}

export class RegisterCache {
  private readonly cells = new Map<string, Map<number, Cell>>();

  private table(unitId: number, table: Table): Map<number, Cell> {
    const key = `${unitId}:${table}`;
    let t = this.cells.get(key);
    if (!t) this.cells.set(key, (t = new Map()));
    return t;
  }

  /** A reply to a read of `values.length` registers (or bits) at `address`. */
  recordRead(unitId: number, fn: ReadFunction, address: number, values: readonly number[], at: number): void {
    const t = this.table(unitId, TABLE_OF[fn]);
    values.forEach((value, i) => t.set(address + i, { value: isBitFunction(fn) ? (value ? 1 : 0) : value, at }));
  }

  /** What a write put into holding registers or coils (the device now holds it). */
  recordWrite(unitId: number, table: 'holding' | 'coil', address: number, values: readonly number[], at: number): void {
    const t = this.table(unitId, table);
    values.forEach((value, i) => t.set(address + i, { value, at }));
  }

  /** Whether every register answered a read (or took a write) before, however long ago: the range is legal. */
  answeredBefore(unitId: number, fn: ReadFunction, address: number, count: number): boolean {
    return this.fresh(unitId, fn, address, count, -Infinity) !== undefined;
  }

  /** The registers if every one was read at or after `notBefore`, else undefined. */
  fresh(unitId: number, fn: ReadFunction, address: number, count: number, notBefore: number): number[] | undefined {
    const t = this.cells.get(`${unitId}:${TABLE_OF[fn]}`);
    if (!t) return undefined;
    const out: number[] = [];
    for (let a = address; a < address + count; a++) {
      const c = t.get(a);
      if (!c || c.at < notBefore) return undefined;
      out.push(c.value);
    }
    return out;
  }
}
