/**
 * Seeded randomness. Jitter, simulated devices and benchmarks take a `Random` so runs are
 * reproducible: the same seed gives the same back-off delays, device values and tables.
 */
export type Random = () => number;

/** mulberry32: a small, fast 32-bit generator with a good spread for simulation purposes. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string (FNV-1a), to derive per-item seeds from one site seed. */
export function hashSeed(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An exponentially distributed waiting time with the given rate (events per ms). */
export function exponential(random: Random, ratePerMs: number): number {
  return -Math.log(1 - random()) / ratePerMs;
}
