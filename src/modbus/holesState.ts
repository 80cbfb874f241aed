/**
 * The learned illegal-address holes as a persisted part: saved per bus, restored after checking each
 * range (unit 0…255, read function 1…4, whole addresses 0…65535 with end > start). A bad range is
 * dropped with a warning; ranges of buses that no longer exist are ignored (the options changed).
 */
import { isRecord, persistedList, shown, type PersistedPart } from '../core/persisted.js';
import type { HoleRange } from './holes.js';

type BusHole = HoleRange & { bus: string };

export interface HoleKeeper {
  holeList(): BusHole[];
  restoreHoles(list: readonly BusHole[]): number;
}

/** Why `h` is not a usable saved hole, or undefined when it is. */
export function holeProblem(h: unknown): string | undefined {
  if (!isRecord(h)) return 'not an object';
  const address = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65_536;
  if (typeof h.bus !== 'string' || h.bus === '') return 'bus is not a name';
  if (!Number.isInteger(h.unitId) || (h.unitId as number) < 0 || (h.unitId as number) > 255) return `unitId ${shown(h.unitId)} is not 0…255`;
  if (![1, 2, 3, 4].includes(h.fn as number)) return `fn ${shown(h.fn)} is not a read function (1…4)`;
  if (!address(h.start) || !address(h.end) || (h.end as number) <= (h.start as number)) {
    return `start ${shown(h.start)} / end ${shown(h.end)} is not an address range`;
  }
  return undefined;
}

export function persistedHoles(poller: HoleKeeper, onRestored: (count: number) => void): PersistedPart {
  return persistedList<BusHole>('holes', () => poller.holeList(), holeProblem, (good) => {
    const n = poller.restoreHoles(good);
    if (n > 0) onRestored(n);
  });
}
