/**
 * Turning raw device numbers into the values shown in Home Assistant and back: value = raw * scale +
 * offset, rounded to `precision` decimals. Rounding is half away from zero on the decimal the user
 * reads, so 1.005 to two places is 1.01 even though the double nearest 1.005 lies just below it.
 */

/**
 * A relative nudge of two ulps lifts products like 1.005 * 100 = 100.49999999999999 back onto the
 * tie they stand for; it is far below any difference a configured precision can express.
 */
const TIE_NUDGE = 1 + 2 * Number.EPSILON;
/** Beyond 2^52 every double is an integer, so there is nothing left to round at that scale. */
const INTEGRAL_LIMIT = 2 ** 52;

/** Maps -0 to 0 so that no sensor ever shows "-0". */
export function withoutNegativeZero(x: number): number {
  return x === 0 ? 0 : x;
}

/** Rounds to `decimals` places (an integer in 0..20), half away from zero. */
export function roundTo(x: number, decimals: number): number {
  const factor = 10 ** decimals;
  const scaled = Math.abs(x) * factor;
  if (!Number.isFinite(scaled) || scaled >= INTEGRAL_LIMIT) return x;
  const rounded = Math.round(scaled * TIE_NUDGE) / factor;
  return withoutNegativeZero(x < 0 ? -rounded : rounded);
}

export interface Scaling {
  scale: number;
  offset: number;
  precision: number | undefined;
}

/** Engineering value of a raw device number; null when the result is not a finite number. */
export function toEngineering(raw: number, s: Scaling): number | null {
  const value = raw * s.scale + s.offset;
  if (!Number.isFinite(value)) return null;
  return withoutNegativeZero(s.precision === undefined ? value : roundTo(value, s.precision));
}

/** Raw device number for an engineering value (not yet rounded to the register format). */
export function toRaw(value: number, s: Scaling): number {
  return (value - s.offset) / s.scale;
}

/** Throws when scale, offset or precision cannot produce sensible values. */
export function checkScaling(s: Scaling): void {
  if (!Number.isFinite(s.scale) || s.scale === 0) {
    throw new RangeError(`scale must be a finite non-zero number, got ${s.scale}`);
  }
  if (!Number.isFinite(s.offset)) throw new RangeError(`offset must be a finite number, got ${s.offset}`);
  const p = s.precision;
  if (p !== undefined && !(Number.isInteger(p) && p >= 0 && p <= 20)) {
    throw new RangeError(`precision must be an integer in 0..20 or undefined, got ${p}`);
  }
}
