/**
 * Co-change clusters from scored pairs: average-linkage agglomeration, strongest edges first. Two
 * groups merge only when the mean score over all their cross pairs (a missing pair scores 0) reaches
 * the threshold and the result stays within the maximum size, so one strong link cannot chain an
 * unrelated entity into a group. Pure; the number of edges is bounded by the candidate pairs.
 */
import type { ClusterParams } from './types.js';

export interface ScoredEdge {
  a: number;
  b: number;
  score: number;
  coChanges: number;
}

export interface IndexCluster {
  members: number[];
  score: number;
  minPairScore: number;
  coChanges: number;
}

/** One number per unordered pair (entity indexes stay far below 2^26). */
const key = (a: number, b: number) => (a < b ? a * 2 ** 26 + b : b * 2 ** 26 + a);

export function buildClusters(edges: readonly ScoredEdge[], params: ClusterParams, minCoChanges: number): IndexCluster[] {
  const strong = edges.filter((e) => e.score >= params.threshold && e.coChanges >= minCoChanges)
    .sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  // Only pairs among entities with a strong edge can matter for merging and for the summaries.
  const involved = new Set(strong.flatMap((e) => [e.a, e.b]));
  const byKey = new Map(edges.filter((e) => involved.has(e.a) && involved.has(e.b)).map((e) => [key(e.a, e.b), e]));
  const scoreOf = (a: number, b: number) => byKey.get(key(a, b))?.score ?? 0;
  const groupOf = new Map<number, number[]>();
  const group = (e: number) => groupOf.get(e) ?? [e];
  for (const edge of strong) {
    const ga = group(edge.a);
    const gb = group(edge.b);
    if (ga === gb || ga.includes(edge.b) || ga.length + gb.length > params.maxSize) continue;
    let sum = 0;
    for (const x of ga) for (const y of gb) sum += scoreOf(x, y);
    if (sum / (ga.length * gb.length) < params.threshold) continue;
    const merged = [...ga, ...gb];
    for (const m of merged) groupOf.set(m, merged);
  }
  const seen = new Set<number[]>();
  const out: IndexCluster[] = [];
  for (const members of groupOf.values()) {
    if (seen.has(members) || members.length < params.minSize) continue;
    seen.add(members);
    out.push(summarise(members, byKey));
  }
  return out.sort((x, y) => y.score - x.score);
}

function summarise(members: number[], byKey: Map<number, ScoredEdge>): IndexCluster {
  let sum = 0;
  let co = 0;
  let min = Infinity;
  let pairs = 0;
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      const e = byKey.get(key(members[i] ?? 0, members[j] ?? 0));
      const s = e?.score ?? 0;
      sum += s;
      co += e?.coChanges ?? 0;
      min = Math.min(min, s);
      pairs++;
    }
  }
  return { members: [...members].sort((a, b) => a - b), score: sum / pairs, minPairScore: min, coChanges: co / pairs };
}
