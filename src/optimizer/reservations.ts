/**
 * Entities set aside for a strategy within one full cycle. Strategies run by priority and an entity
 * is in at most one open experiment, so the interval strategy (run first, and again every quick
 * cycle) would otherwise lock the members of every cluster the cluster strategy finds, and the cluster
 * strategy — one run a day — would never get to propose one. A strategy that can say in advance what
 * it would change (`claims`) has those entities kept from the strategies before it in that cycle;
 * the first claimant of an entity keeps it.
 */

/** Entity → the strategy it is reserved for, from claims in running order. */
export function reservations(claimants: ReadonlyArray<{ name: string; claims: readonly string[] }>): Map<string, string> {
  const out = new Map<string, string>();
  for (const { name, claims } of claimants) for (const id of claims) if (!out.has(id)) out.set(id, name);
  return out;
}

/** Whether `strategy` may propose for `entityId` under the reservations (its own, or nobody's). */
export function reservedFor(reserved: ReadonlyMap<string, string> | undefined, entityId: string, strategy: string): boolean {
  const owner = reserved?.get(entityId);
  return owner === undefined || owner === strategy;
}
