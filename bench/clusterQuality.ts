/**
 * How well learned clusters match the true co-change groups, for the stats benchmark (synthetic
 * groups) and the optimizer runs (the simulator's groups): groups found whole, clusters holding an
 * unrelated entity, and pairwise precision / recall (a pair of entities put in one cluster is right
 * when they truly share a group; every truly co-changing pair should be in one cluster).
 */

export interface ClusterQuality {
  /** True groups found whole: one cluster holding exactly that group. */
  whole: number;
  groups: number;
  /** Clusters with a member from another group or from no group. */
  mixed: number;
  clusters: number;
  /** Share of clustered pairs that truly co-change (undefined with no clustered pair). */
  precision: number | undefined;
  /** Share of truly co-changing pairs clustered together (undefined with no true pair). */
  recall: number | undefined;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** `groupOf(id)`: the true group of an entity, or undefined when it co-changes with nothing. */
export function clusterQuality(
  groupOf: (id: string) => string | undefined, entityIds: Iterable<string>, clusters: ReadonlyArray<{ members: readonly string[] }>,
): ClusterQuality {
  const sizes = new Map<string, number>();
  for (const id of entityIds) {
    const g = groupOf(id);
    if (g !== undefined) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  }
  let whole = 0;
  let mixed = 0;
  let clustered = 0;
  let right = 0;
  for (const c of clusters) {
    const perGroup = new Map<string | undefined, number>();
    for (const id of c.members) perGroup.set(groupOf(id), (perGroup.get(groupOf(id)) ?? 0) + 1);
    clustered += pairs(c.members.length);
    for (const [g, n] of perGroup) if (g !== undefined) right += pairs(n);
    const [g] = perGroup.keys();
    if (perGroup.size > 1 || g === undefined) mixed++;
    else if (sizes.get(g) === c.members.length) whole++;
  }
  const truePairs = [...sizes.values()].reduce((s, n) => s + pairs(n), 0);
  return {
    whole, groups: sizes.size, mixed, clusters: clusters.length,
    precision: clustered > 0 ? right / clustered : undefined, recall: truePairs > 0 ? right / truePairs : undefined,
  };
}
