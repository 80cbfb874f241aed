/**
 * The fixed-width numeric formats as one table: how many registers each occupies, how its big-endian
 * words become a raw device number, and back. Integers go through BigInt so 64-bit values keep their
 * exact bits until the final conversion to Number; floats go through a DataView (float16 through
 * ./float16.ts). Swaps and scaling are applied by the caller, not here.
 */
import type { DataType } from '../types.js';
import { decodeFloat16, encodeFloat16 } from './float16.js';

export type NumericType = Exclude<DataType, 'string' | 'bool'>;

export interface NumericFormat {
  readonly registers: number;
  /** Raw device value from big-endian words. Floats may yield NaN or ±Infinity. */
  fromWords(words: readonly number[]): number;
  /** Rounds a raw value to what the format can hold exactly (integers: half away from zero). */
  normalize(raw: number): number;
  /** True when a normalized raw value can be written without overflow. */
  fits(raw: number): boolean;
  /** Big-endian words for a normalized raw value that fits. */
  toWords(raw: number): number[];
  /** Human-readable range, for error messages. */
  readonly range: string;
  /** The smallest and largest raw value (as Numbers; 64-bit ends rounded). */
  readonly min: number;
  readonly max: number;
}

const WORD_BITS = 16n;

function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * Values beyond 2^53 (only possible for int64/uint64) lose precision in the conversion to Number:
 * e.g. int64 max 2^63 - 1 decodes to 2^63, which then no longer fits on the way back.
 */
function integerFormat(bits: number, signed: boolean): NumericFormat {
  const width = BigInt(bits);
  const min = signed ? -(1n << (width - 1n)) : 0n;
  const max = signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  const registers = bits / 16;
  return {
    registers,
    range: `[${min}, ${max}]`,
    min: Number(min),
    max: Number(max),
    fromWords(words) {
      const unsigned = words.reduce((acc, w) => (acc << WORD_BITS) | BigInt(w & 0xffff), 0n);
      return Number(signed ? BigInt.asIntN(bits, unsigned) : unsigned);
    },
    normalize: roundHalfAwayFromZero,
    fits(raw) {
      if (!Number.isInteger(raw)) return false;
      const big = BigInt(raw);
      return big >= min && big <= max;
    },
    toWords(raw) {
      let rest = BigInt.asUintN(bits, BigInt(raw));
      const words = new Array<number>(registers);
      for (let i = registers - 1; i >= 0; i -= 1) {
        words[i] = Number(rest & 0xffffn);
        rest >>= WORD_BITS;
      }
      return words;
    },
  };
}

interface FloatAccess {
  bytes: 4 | 8;
  get(view: DataView): number;
  set(view: DataView, value: number): void;
}

const FLOAT32: FloatAccess = { bytes: 4, get: (v) => v.getFloat32(0), set: (v, x) => v.setFloat32(0, x) };
const FLOAT64: FloatAccess = { bytes: 8, get: (v) => v.getFloat64(0), set: (v, x) => v.setFloat64(0, x) };

/** A float the format can hold: finite after rounding to its precision. */
function floatFormat(access: FloatAccess, max: string): NumericFormat {
  const registers = access.bytes / 2;
  const view = new DataView(new ArrayBuffer(access.bytes));
  const round = (raw: number): number => {
    access.set(view, raw);
    return access.get(view);
  };
  return {
    registers,
    range: `[-${max}, ${max}]`,
    min: -Number(max),
    max: Number(max),
    fromWords(words) {
      words.forEach((w, i) => view.setUint16(i * 2, w));
      return access.get(view);
    },
    normalize: (raw) => raw,
    fits: (raw) => Number.isFinite(round(raw)),
    toWords(raw) {
      access.set(view, raw);
      return Array.from({ length: registers }, (_, i) => view.getUint16(i * 2));
    },
  };
}

const FLOAT16: NumericFormat = {
  registers: 1,
  range: '[-65504, 65504]',
  min: -65504,
  max: 65504,
  fromWords: (words) => decodeFloat16(words[0] ?? 0),
  normalize: (raw) => raw,
  fits: (raw) => Number.isFinite(decodeFloat16(encodeFloat16(raw))),
  toWords: (raw) => [encodeFloat16(raw)],
};

export const NUMERIC_FORMATS: Readonly<Record<NumericType, NumericFormat>> = {
  int16: integerFormat(16, true),
  uint16: integerFormat(16, false),
  int32: integerFormat(32, true),
  uint32: integerFormat(32, false),
  int64: integerFormat(64, true),
  uint64: integerFormat(64, false),
  float16: FLOAT16,
  float32: floatFormat(FLOAT32, '3.4028234663852886e+38'),
  float64: floatFormat(FLOAT64, String(Number.MAX_VALUE)),
};

export function isNumericType(dataType: DataType): dataType is NumericType {
  return dataType !== 'string' && dataType !== 'bool';
}
