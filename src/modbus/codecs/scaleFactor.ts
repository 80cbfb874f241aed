/**
 * Values scaled by a scale-factor register (SunSpec's `sunssf`): an int16 power of ten that the device
 * may change at run time (SolarEdge does, as a value outgrows its range), so a value is only meaningful
 * with the factor read in the same request. An entity with a scale-factor register therefore reads
 * one span covering both; these helpers say where that span lies and how to apply the factor.
 * The SunSpec Information Model Specification (sunspec.org, "SunSpec Information Model Reference")
 * defines sunssf as int16 with 0x8000 meaning "not implemented"; we also refuse factors beyond ±10,
 * which no model uses and which would only come from a misread register.
 */

/** The register span an entity reads: its value and, when it has one, its scale-factor register. */
export interface RegisterSpan {
  address: number;
  count: number;
}

/** `scaleFactorAt` is the factor register's offset from the value's first register (may be negative). */
export function readSpanOf(address: number, count: number, scaleFactorAt: number | undefined): RegisterSpan {
  if (scaleFactorAt === undefined) return { address, count };
  const start = Math.min(address, address + scaleFactorAt);
  const end = Math.max(address + count, address + scaleFactorAt + 1);
  return { address: start, count: end - start };
}

/** Where the value's words and the factor sit in the span's data. */
export function spanPositions(scaleFactorAt: number): { valueAt: number; factorAt: number } {
  const valueAt = Math.max(0, -scaleFactorAt);
  return { valueAt, factorAt: valueAt + scaleFactorAt };
}

const NOT_IMPLEMENTED = 0x8000;
const LARGEST_FACTOR = 10;

/** The power of ten a raw sunssf word means, or undefined when it is "not implemented" or implausible. */
export function scaleFactorOf(word: number): number | undefined {
  if ((word & 0xffff) === NOT_IMPLEMENTED) return undefined;
  const sf = (word & 0x8000) !== 0 ? (word & 0xffff) - 0x10000 : word & 0xffff;
  return Math.abs(sf) > LARGEST_FACTOR ? undefined : sf;
}

/**
 * raw × 10^sf without the binary noise of multiplying by 0.1: dividing by an exact power of ten gives
 * the double nearest the decimal (2304 with sf −1 → 230.4, not 230.40000000000003).
 */
export function applyPowerOfTen(raw: number, sf: number): number {
  return sf < 0 ? raw / 10 ** -sf : raw * 10 ** sf;
}
