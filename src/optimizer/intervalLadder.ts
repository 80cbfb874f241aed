/**
 * Intervals that let block reads happen. Neighbours only share a block (and its cost, see
 * modbus/readPlan.ts) when they fall due together, so the optimizer and the benchmark's oracle snap
 * intervals to a power-of-two ladder of seconds: entities on the same rung stay in phase (the poller
 * aligns due times to multiples of the interval), and a faster rung always coincides with every slower one.
 */

const LADDER_BASE_MS = 1000;

/** The nearest (in log scale) power-of-two multiple of 1 s, within [min, max]. */
export function snapToLadder(ms: number, minMs: number, maxMs: number): number {
  const snapped = LADDER_BASE_MS * 2 ** Math.round(Math.log2(ms / LADDER_BASE_MS));
  return Math.min(maxMs, Math.max(minMs, snapped));
}
