/**
 * Learned read sizes. Many devices refuse a block longer than they can handle — with exception 3
 * (illegal data value) or 4 (device failure), or by not answering at all — while every register of it
 * reads fine in smaller requests; manuals often do not say the limit (openWB saw some Eastron meters
 * refuse more than 50 of the documented 80). Per unit of one bus this keeps the largest read that
 * succeeded and the smallest that was refused, and gives the planner a cap between them: a binary
 * search that converges on the largest working size within a few refused requests (each refused block
 * is still read, in halves, so no value is lost on the way). A timeout alone is weaker evidence than an
 * exception: it counts only when a second block larger than any that succeeded times out too.
 *
 * Some devices refuse a block not for its length but for the unmapped registers inside it (a gap
 * between two values). A refused block no longer than a read that succeeded, with a longer gap than
 * any successful read had, is taken as a gap refusal: the same search then runs on the longest gap the
 * planner may bridge, and the size cap is left alone.
 */
import { isRecord, persistedList, shown, type PersistedPart } from '../core/persisted.js';

/** What was learned about one unit's read size. */
export interface ReadSizeRecord {
  unitId: number;
  /** Registers of the largest fc 3/4 read that succeeded (0 = none yet). */
  largestOk: number;
  /** Registers of the smallest read refused for its size; absent = none refused. */
  smallestRefused?: number;
  /** The cap the planner uses now (shown, not restored: it follows from the two above). */
  maxRegisters?: number;
  /** Longest run of unmapped registers inside a read that succeeded (absent = 0). */
  largestOkGap?: number;
  /** Shortest such run in a read refused for it; absent = no gap refused. */
  smallestRefusedGap?: number;
  /** The longest gap the planner bridges now (shown, not restored). */
  maxGap?: number;
}

interface UnitSizes {
  largestOk: number;
  smallestRefused: number | undefined;
  /** A timed-out size not yet confirmed by a second timeout. */
  suspect: number | undefined;
  largestOkGap: number;
  smallestRefusedGap: number | undefined;
}

/** The binary search's next cap between what worked and the least that was refused. */
function between(ok: number, refused: number | undefined, floor: number): number {
  if (refused === undefined) return Infinity;
  if (ok >= refused - 1) return Math.max(floor, refused - 1);
  return Math.max(floor, Math.floor((ok + refused) / 2));
}

export class ReadSizes {
  private readonly units = new Map<number, UnitSizes>();

  /** The most registers a request to `unitId` should read now; Infinity while nothing was refused. */
  capOf(unitId: number): number {
    const u = this.units.get(unitId);
    return u ? between(u.largestOk, u.smallestRefused, 1) : Infinity;
  }

  /** The longest run of unmapped registers a request to `unitId` should bridge now; Infinity while none was refused. */
  gapCapOf(unitId: number): number {
    const u = this.units.get(unitId);
    return u ? between(u.largestOkGap, u.smallestRefusedGap, 0) : Infinity;
  }

  /**
   * A read of `count` registers with `gap` unmapped ones in a row inside succeeded. A success at a
   * refused size (or gap) means the size (or gap) was not the reason.
   */
  succeeded(unitId: number, count: number, gap = 0): void {
    const u = this.unit(unitId);
    if (count > u.largestOk) u.largestOk = count;
    if (u.smallestRefused !== undefined && count >= u.smallestRefused) u.smallestRefused = undefined;
    if (u.suspect !== undefined && count >= u.suspect) u.suspect = undefined;
    if (gap > u.largestOkGap) u.largestOkGap = gap;
    if (u.smallestRefusedGap !== undefined && gap >= u.smallestRefusedGap) u.smallestRefusedGap = undefined;
  }

  /**
   * A block of `count` registers (longest inner gap `gap`) was refused while its halves read fine.
   * Returns what fell: the size cap, the gap cap (a read this long worked, one with this gap never), or nothing.
   */
  refused(unitId: number, count: number, gap = 0): 'size' | 'gap' | undefined {
    const u = this.unit(unitId);
    if (gap > u.largestOkGap && count <= u.largestOk) {
      const before = this.gapCapOf(unitId);
      if (u.smallestRefusedGap === undefined || gap < u.smallestRefusedGap) u.smallestRefusedGap = gap;
      return this.gapCapOf(unitId) < before ? 'gap' : undefined;
    }
    return this.sizeRefused(unitId, u, count) ? 'size' : undefined;
  }

  /** A block of `count` registers timed out. Returns true when this confirmed a size refusal. */
  timedOut(unitId: number, count: number): boolean {
    const u = this.unit(unitId);
    if (count <= u.largestOk || count <= 1) return false; // that size worked before: the line, not the size
    if (u.suspect === undefined) {
      u.suspect = count;
      return false;
    }
    const size = Math.min(u.suspect, count);
    u.suspect = undefined;
    return this.sizeRefused(unitId, u, size); // a timeout says nothing about gaps: always a size lesson
  }

  /** A read of `count` registers was refused for its size: true when the cap fell. */
  private sizeRefused(unitId: number, u: UnitSizes, count: number): boolean {
    const before = this.capOf(unitId);
    if (u.smallestRefused === undefined || count < u.smallestRefused) u.smallestRefused = count;
    if (u.largestOk >= count) u.largestOk = count - 1; // the device changed its mind: believe the newer answer
    return this.capOf(unitId) < before;
  }

  /** Units that refused a read (the lesson worth keeping); a unit that never refused has nothing to say. */
  list(): ReadSizeRecord[] {
    return [...this.units].flatMap(([unitId, u]) => {
      if (u.smallestRefused === undefined && u.smallestRefusedGap === undefined) return [];
      const record: ReadSizeRecord = { unitId, largestOk: u.largestOk };
      if (u.smallestRefused !== undefined) Object.assign(record, { smallestRefused: u.smallestRefused, maxRegisters: this.capOf(unitId) });
      if (u.smallestRefusedGap !== undefined) {
        Object.assign(record, { largestOkGap: u.largestOkGap, smallestRefusedGap: u.smallestRefusedGap, maxGap: this.gapCapOf(unitId) });
      }
      return [record];
    });
  }

  restore(record: ReadSizeRecord): void {
    this.units.set(record.unitId, {
      largestOk: record.largestOk, smallestRefused: record.smallestRefused, suspect: undefined,
      largestOkGap: record.largestOkGap ?? 0, smallestRefusedGap: record.smallestRefusedGap,
    });
  }

  private unit(unitId: number): UnitSizes {
    let u = this.units.get(unitId);
    if (!u) this.units.set(unitId, (u = { largestOk: 0, smallestRefused: undefined, suspect: undefined, largestOkGap: 0, smallestRefusedGap: undefined }));
    return u;
  }
}

type BusReadSize = ReadSizeRecord & { bus: string };

export interface ReadSizeKeeper {
  readSizeList(): BusReadSize[];
  restoreReadSizes(list: readonly BusReadSize[]): number;
}

/** Why `r` is not a usable saved read size, or undefined when it is. */
export function readSizeProblem(r: unknown): string | undefined {
  if (!isRecord(r)) return 'not an object';
  if (typeof r.bus !== 'string' || r.bus === '') return 'bus is not a name';
  if (!Number.isInteger(r.unitId) || (r.unitId as number) < 0 || (r.unitId as number) > 255) return `unitId ${shown(r.unitId)} is not 0…255`;
  if (!Number.isInteger(r.largestOk) || (r.largestOk as number) < 0 || (r.largestOk as number) > 125) return `largestOk ${shown(r.largestOk)} is not 0…125`;
  const refused = r.smallestRefused;
  if (refused !== undefined && (!Number.isInteger(refused) || (refused as number) <= (r.largestOk as number) || (refused as number) > 125)) {
    return `smallestRefused ${shown(refused)} is not above largestOk and at most 125`;
  }
  const okGap = r.largestOkGap ?? 0;
  if (!Number.isInteger(okGap) || (okGap as number) < 0 || (okGap as number) > 123) return `largestOkGap ${shown(r.largestOkGap)} is not 0…123`;
  const gap = r.smallestRefusedGap;
  if (gap !== undefined && (!Number.isInteger(gap) || (gap as number) <= (okGap as number) || (gap as number) > 123)) {
    return `smallestRefusedGap ${shown(gap)} is not above largestOkGap and at most 123`;
  }
  return undefined;
}

/** The learned read sizes as a persisted part: checked item by item, a bad one dropped with a warning. */
export function persistedReadSizes(poller: ReadSizeKeeper): PersistedPart {
  return persistedList<BusReadSize>('read_sizes', () => poller.readSizeList(), readSizeProblem, (good) => { poller.restoreReadSizes(good); });
}
