/**
 * Intervals that let block reads happen. Neighbours only share a block (and its cost, see
 * modbus/readPlan.ts) when they fall due together, so the optimizer and the benchmark's oracle snap
 * intervals to a power-of-two ladder: entities on the same rung stay in phase (the poller aligns due
 * times to multiples of the interval), and a faster rung always coincides with every slower one. The
 * ladder runs through 15 s (HA's default scan interval) and so 7.5 s, 30 s, 60 s, 120 s, 240 s: an
 * entity kept at its configured 15 s is polled every 15 s, not every 16.
 */

const LADDER_BASE_MS = 15_000 / 16;

/**
 * The nearest (in log scale) rung of the ladder (15 s · 2^k) to `ms` clamped into [min, max], then
 * clamped again: every path that means "as slow as allowed" lands on the same interval (240 s for the
 * default 300 s bound, whether it asked for 300 s or for twice 240 s), so cycles and local steps do not
 * flip an entity between 240 s and 300 s.
 */
export function snapToLadder(ms: number, minMs: number, maxMs: number): number {
  const clamp = (x: number) => Math.min(maxMs, Math.max(minMs, x));
  return clamp(LADDER_BASE_MS * 2 ** Math.round(Math.log2(clamp(ms) / LADDER_BASE_MS)));
}
