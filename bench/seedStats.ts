/**
 * Figures over seeds: every ratio in the bench tables is reported as its median with the min–max
 * over seeds, so one lucky realisation cannot make a headline. Pure, so the arithmetic is tested.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median, min and max of the defined, finite values; undefined when there is none. */
export function spread(values: ReadonlyArray<number | undefined>): Spread | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = xs.length >> 1;
  const median = xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
  return { median, min: xs[0] as number, max: xs[xs.length - 1] as number, n: xs.length };
}

/** "1.23 (1.10–1.40)"; a single value without a range; `missing` when no seed gave a value; "k of n seeds" when some did not. */
export function formatSpread(s: Spread | undefined, format: (x: number) => string, seeds: number, missing = 'outside the sweep'): string {
  if (!s) return missing;
  const range = s.n === 1 ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
  return s.n < seeds ? `${range} [${s.n} of ${seeds} seeds; the rest ${missing}]` : range;
}
