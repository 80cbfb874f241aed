/**
 * IEEE 754 binary16 ("half") conversion. Some meters and inverters store readings as float16, and
 * Node 20 has neither DataView.getFloat16 nor Math.f16round, so both directions are implemented here.
 * Layout: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
 */
const EXPONENT_MASK = 0x1f;
const FRACTION_BITS = 10;
const FRACTION_SCALE = 1 << FRACTION_BITS;
const BIAS = 15;
/** Smallest positive normal half, 2^-14; below it values are subnormal. */
const MIN_NORMAL = 2 ** (1 - BIAS);
/** One subnormal step, 2^-24. */
const SUBNORMAL_STEP = 2 ** (1 - BIAS - FRACTION_BITS);
const INFINITY_BITS = 0x7c00;
const NAN_BITS = 0x7e00;

/** Decodes the 16 bits of a half-precision float (may return NaN or ±Infinity). */
export function decodeFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> FRACTION_BITS) & EXPONENT_MASK;
  const fraction = bits & (FRACTION_SCALE - 1);
  if (exponent === 0) return sign * fraction * SUBNORMAL_STEP;
  if (exponent === EXPONENT_MASK) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / FRACTION_SCALE) * 2 ** (exponent - BIAS);
}

/** Rounds a non-negative number to the nearest integer, ties to even (IEEE default rounding). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The exponent e with 2^e <= a < 2^(e+1), for a positive finite a (log2 alone can be off by one). */
function binaryExponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  return e;
}

/**
 * Encodes a number as half-precision bits, rounding to nearest even. Magnitudes that round beyond
 * 65504 become ±Infinity and NaN becomes a quiet NaN, as a hardware conversion would; callers that
 * must not write those check the result with decodeFloat16.
 */
export function encodeFloat16(x: number): number {
  if (Number.isNaN(x)) return NAN_BITS;
  const signBit = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return signBit | INFINITY_BITS;
  // Subnormal range: a rounding up to 1024 steps lands exactly on the smallest normal's bit pattern.
  if (a < MIN_NORMAL) return signBit | roundHalfEven(a / SUBNORMAL_STEP);
  let exponent = binaryExponent(a);
  let fraction = roundHalfEven((a / 2 ** exponent - 1) * FRACTION_SCALE);
  if (fraction === FRACTION_SCALE) {
    fraction = 0;
    exponent += 1;
  }
  if (exponent + BIAS >= EXPONENT_MASK) return signBit | INFINITY_BITS;
  return signBit | ((exponent + BIAS) << FRACTION_BITS) | fraction;
}
