/**
 * Drops what stats learned about entities that are no longer configured, in the saved JSON, before it
 * is restored: after an option change the entities that remain keep their statistics, the removed ones
 * leave no record, no co-change pair, candidate or prediction slot behind (a removed entity must not
 * turn up in a cluster the optimizer then tries to poll). Entities are numbered by their place in
 * `entities`, so every index-carrying part is renumbered (the candidate sketch, a cache, starts empty).
 * Parts are handled by what they hold, so the co-change layout may grow fields: unknown ones are kept.
 */
import type { StatsJSON } from './statsJson.js';

type Renumber = (index: number) => number | undefined;

/** `[e, …]` rows of entity e: the kept ones, renumbered. */
function rows<T extends readonly unknown[]>(list: unknown, renumber: Renumber): T[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[]).flatMap((row) => {
    if (!Array.isArray(row) || typeof row[0] !== 'number') return [];
    const e = renumber(row[0]);
    return e === undefined ? [] : [[e, ...row.slice(1)] as unknown as T];
  });
}

/** The co-change state: pairs of two kept entities, partner lists pointing at the renumbered pairs. */
function retainCoChange(json: Record<string, unknown>, renumber: Renumber): Record<string, unknown> {
  const pairIndex = new Map<number, number>();
  const pairs: unknown[][] = [];
  (Array.isArray(json.pairs) ? json.pairs as unknown[][] : []).forEach((pair, old) => {
    const a = renumber(pair[0] as number);
    const b = renumber(pair[1] as number);
    if (a === undefined || b === undefined) return;
    pairIndex.set(old, pairs.length);
    pairs.push([a, b, ...pair.slice(2)]);
  });
  const out: Record<string, unknown> = { ...json, pairs };
  for (const key of ['recent', 'pending', 'fullUntil']) if (key in json) out[key] = rows(json[key], renumber);
  if ('partners' in json) {
    out.partners = rows<[number, number[]]>(json.partners, renumber)
      .map(([e, list]): [number, number[]] => [e, list.flatMap((p) => { const n = pairIndex.get(p); return n === undefined ? [] : [n]; })])
      .filter(([, list]) => list.length > 0);
  }
  // The candidate sketch is a cache of near-misses in a packed layout of its own: start it afresh.
  if ('sketch' in json) out.sketch = [];
  return out;
}

/** The saved stats with only the entities in `keep`; the same object when nothing is dropped. */
export function retainEntities(json: StatsJSON, keep: ReadonlySet<string> | ((row: unknown, index: number) => boolean)): StatsJSON {
  const kept = typeof keep === 'function' ? keep : (row: unknown) => keep.has((row as { id: string }).id);
  if (json.entities.every((e, i) => kept(e, i))) return json;
  const renumbering = new Map<number, number>();
  const entities = json.entities.filter((e, old) => {
    if (!kept(e, old)) return false;
    renumbering.set(old, renumbering.size);
    return true;
  });
  const renumber: Renumber = (index) => renumbering.get(index);
  return {
    ...json,
    entities,
    coChange: retainCoChange(json.coChange as unknown as Record<string, unknown>, renumber) as unknown as StatsJSON['coChange'],
    predictions: { ...json.predictions, slots: rows(json.predictions.slots, renumber) },
  };
}
