/**
 * Learned read sizes. Many devices refuse a block longer than they can handle — with exception 3
 * (illegal data value) or 4 (device failure), or by not answering at all — while every register of it
 * reads fine in smaller requests; manuals often do not say the limit (openWB saw some Eastron meters
 * refuse more than 50 of the documented 80). Per unit of one bus this keeps the largest read that
 * succeeded and the smallest that was refused, and gives the planner a cap between them: a binary
 * search that converges on the largest working size within a few refused requests (each refused block
 * is still read, in halves, so no value is lost on the way). A timeout alone is weaker evidence than an
 * exception: it counts only when a second block larger than any that succeeded times out too.
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
}

interface UnitSizes {
  largestOk: number;
  smallestRefused: number | undefined;
  /** A timed-out size not yet confirmed by a second timeout. */
  suspect: number | undefined;
}

export class ReadSizes {
  private readonly units = new Map<number, UnitSizes>();

  /** The most registers a request to `unitId` should read now; Infinity while nothing was refused. */
  capOf(unitId: number): number {
    const u = this.units.get(unitId);
    if (u?.smallestRefused === undefined) return Infinity;
    const { largestOk, smallestRefused } = u;
    if (largestOk >= smallestRefused - 1) return Math.max(1, smallestRefused - 1);
    return Math.max(1, Math.floor((largestOk + smallestRefused) / 2));
  }

  /** A read of `count` registers succeeded. A success at a refused size means the size was not the reason. */
  succeeded(unitId: number, count: number): void {
    const u = this.unit(unitId);
    if (count > u.largestOk) u.largestOk = count;
    if (u.smallestRefused !== undefined && count >= u.smallestRefused) u.smallestRefused = undefined;
    if (u.suspect !== undefined && count >= u.suspect) u.suspect = undefined;
  }

  /** A block of `count` registers was refused while its halves read fine. Returns true when the cap fell. */
  refused(unitId: number, count: number): boolean {
    const u = this.unit(unitId);
    const before = this.capOf(unitId);
    if (u.smallestRefused === undefined || count < u.smallestRefused) u.smallestRefused = count;
    if (u.largestOk >= count) u.largestOk = count - 1; // the device changed its mind: believe the newer answer
    return this.capOf(unitId) < before;
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
    return this.refused(unitId, size);
  }

  /** Units that refused a read (the lesson worth keeping); a unit that never refused has nothing to say. */
  list(): ReadSizeRecord[] {
    return [...this.units].flatMap(([unitId, u]) => (u.smallestRefused === undefined ? []
      : [{ unitId, largestOk: u.largestOk, smallestRefused: u.smallestRefused, maxRegisters: this.capOf(unitId) }]));
  }

  restore(record: ReadSizeRecord): void {
    this.units.set(record.unitId, { largestOk: record.largestOk, smallestRefused: record.smallestRefused, suspect: undefined });
  }

  private unit(unitId: number): UnitSizes {
    let u = this.units.get(unitId);
    if (!u) this.units.set(unitId, (u = { largestOk: 0, smallestRefused: undefined, suspect: undefined }));
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
  return undefined;
}

/** The learned read sizes as a persisted part: checked item by item, a bad one dropped with a warning. */
export function persistedReadSizes(poller: ReadSizeKeeper): PersistedPart {
  return persistedList<BusReadSize>('read_sizes', () => poller.readSizeList(), readSizeProblem, (good) => { poller.restoreReadSizes(good); });
}
