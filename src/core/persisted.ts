/**
 * The contract between a part that learns something worth keeping and the store that keeps it. Each
 * persisted part names its section of the state file (`key`), gives a plain-JSON `snapshot()`, and
 * restores from whatever the file held under its key — which may be missing, from an older version or
 * edited by hand. `restore` checks what it is given at run time: every item it cannot use is dropped
 * with one warning naming the item and why (never a crash, never a silently wrong value); it throws
 * only when the section as a whole is unusable, and the part then starts fresh.
 */

export interface PersistedPart {
  /** The section of the state file this part owns, e.g. "holes", "stats", "optimizer". */
  readonly key: string;
  /**
   * What to write: plain JSON (no class instances, no undefined inside lists). A big part may give
   * objects with a `toJSON()` that makes their JSON only when the store's writer reaches them.
   */
  snapshot(): unknown;
  /** Restores from the saved section (`undefined`: nothing saved); `warn` once per unusable item. */
  restore(saved: unknown, warn: (problem: string) => void): void;
}

/** A plain object (not null, not a list). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A short rendering of a bad value for a warning (long values cut). */
export function shown(x: unknown): string {
  const text = x === undefined ? 'undefined' : JSON.stringify(x) ?? String(x);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A part saved as a list of items: restore checks each item with `problemOf` (a bad one is dropped
 * with a warning naming its index and why) and hands the good ones to `restore`.
 */
export function persistedList<T>(
  key: string, snapshot: () => readonly T[], problemOf: (item: unknown) => string | undefined, restore: (good: T[]) => void,
): PersistedPart {
  return {
    key,
    snapshot,
    restore(saved, warn) {
      if (saved === undefined) return;
      if (!Array.isArray(saved)) throw new Error(`${key} is ${shown(saved)}, not a list`);
      const good = saved.filter((item: unknown, i) => {
        const problem = problemOf(item);
        if (problem !== undefined) warn(`${key}[${i}] dropped: ${problem}`);
        return problem === undefined;
      }) as T[];
      restore(good);
    },
  };
}
