/**
 * Codecs: the pure functions that turn a Modbus reply into an entity value and an entity value into
 * the words of a write. They are chosen once per entity at config-load time (createDecoder /
 * createEncoder validate the spec and pick the format up front), so the poller's hot path only calls a
 * ready-made function. Byte order follows Home Assistant's modbus integration: Modbus big-endian by
 * default, with `byte`, `word` and `word_byte` swaps (see ./codecs/swap.ts).
 *
 * 64-bit integers are decoded exactly through BigInt but returned as Number, so values beyond 2^53
 * lose precision. NaN and ±Infinity floats decode to null: the device has no valid reading; so do the
 * raw integers an entity lists as invalid (sentinels such as 0x7FFF), before any scaling. A value map
 * turns raw codes into texts, and `bit` reads one bit of a register as a boolean. An entity with a
 * scale-factor register (SunSpec sunssf, ./codecs/scaleFactor.ts) is decoded from one span holding the
 * value and its factor, so both always come from the same reply.
 */
import { applySwap } from './codecs/swap.js';
import { isNumericType, NUMERIC_FORMATS, type NumericFormat } from './codecs/numeric.js';
import { checkScaling, type Scaling, toEngineering, toRaw } from './codecs/scaling.js';
import { applyPowerOfTen, readSpanOf, scaleFactorOf, spanPositions } from './codecs/scaleFactor.js';
import { textToWords, wordsToText } from './codecs/text.js';
import type { CodecSpec, DataType, EntityValue, RegisterType } from './types.js';

export type Decoder = (data: readonly number[]) => EntityValue | null;
export type Encoder = (value: EntityValue) => number[];

/** Registers a value of this type occupies; `count` is required (and used) only for strings. */
export function naturalRegisterCount(dataType: DataType, count?: number): number {
  if (dataType === 'bool') return 1;
  if (dataType !== 'string') return NUMERIC_FORMATS[dataType].registers;
  if (count === undefined || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`string needs a register count that is a positive integer, got ${count}`);
  }
  return count;
}

function isBitRegister(registerType: RegisterType): boolean {
  return registerType === 'coil' || registerType === 'discrete_input';
}

function requireLength(data: readonly number[], needed: number, what: string, unit: string): void {
  if (data.length < needed) {
    throw new Error(`${what} needs ${needed} ${unit}${needed === 1 ? '' : 's'} of data, got ${data.length}`);
  }
}

/** Returns the first `needed` words of `data` in big-endian order, or throws if there are too few. */
function wordReader(spec: CodecSpec, needed: number): (data: readonly number[]) => number[] {
  const { dataType, swap } = spec;
  return (data) => {
    requireLength(data, needed, dataType, 'register');
    return applySwap(data.length === needed ? data : data.slice(0, needed), swap);
  };
}

/** A copy taken at build time, so later edits to the spec object cannot change a built codec. */
function scalingOf(spec: CodecSpec): Scaling {
  const scaling = { scale: spec.scale, offset: spec.offset, precision: spec.precision };
  checkScaling(scaling);
  return scaling;
}

/**
 * The shortest decimal that is the same float32: without an explicit precision a device's float32
 * 230.4 shows as 230.4, not as its double expansion 230.39999389648438.
 */
function shortestFloat32(x: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return x;
}

function numericDecoder(spec: CodecSpec, format: NumericFormat): Decoder {
  const scaling = scalingOf(spec);
  const read = wordReader(spec, format.registers);
  const shorten = spec.dataType === 'float32' && spec.precision === undefined;
  const invalid = spec.invalidValues !== undefined && spec.invalidValues.length > 0 ? new Set(spec.invalidValues) : undefined;
  const { valueMap, bit } = spec;
  return (data) => {
    const raw = format.fromWords(read(data));
    if (!Number.isFinite(raw) || invalid?.has(raw) === true) return null;
    if (bit !== undefined) return Math.floor(raw / 2 ** bit) % 2 === 1;
    if (valueMap !== undefined) return valueMap.get(raw) ?? null;
    return toEngineering(shorten ? shortestFloat32(raw) : raw, scaling);
  };
}

/** Decimal places a scale (0.1 → 1, 0.25 → 2, 10 → 0) adds to a value's own. */
function decimalsOf(x: number): number {
  const text = String(x);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return Number(exp[1]);
  return text.includes('.') ? (text.split('.')[1]?.length ?? 0) : 0;
}

/**
 * value = raw × 10^sf × scale + offset, with sf the int16 read in the same span. Without an explicit
 * precision the result is rounded to what the factor resolves (sf −2 → two decimals), so a factor
 * that changes at run time never shows binary noise. A not-implemented factor (0x8000) is no reading.
 */
function scaleFactorDecoder(spec: CodecSpec, format: NumericFormat, scaleFactorAt: number): Decoder {
  const scaling = scalingOf(spec);
  const { valueAt, factorAt } = spanPositions(scaleFactorAt);
  const span = readSpanOf(0, format.registers, scaleFactorAt).count;
  const read = wordReader(spec, format.registers);
  const invalid = new Set(spec.invalidValues ?? []);
  const places = Math.max(decimalsOf(spec.scale), decimalsOf(spec.offset));
  return (data) => {
    requireLength(data, span, `${spec.dataType} with its scale factor`, 'register');
    const raw = format.fromWords(read(data.slice(valueAt, valueAt + format.registers)));
    const sf = scaleFactorOf(data[factorAt] ?? 0x8000);
    if (!Number.isFinite(raw) || invalid.has(raw) || sf === undefined) return null;
    const precision = scaling.precision ?? Math.min(20, Math.max(0, -sf) + places);
    return toEngineering(applyPowerOfTen(raw, sf), { ...scaling, precision });
  };
}

/**
 * Builds the decoder for one entity. `data` is the raw reply: uint16 words for holding/input
 * registers, 0/1 bits for coils and discrete inputs (those always decode to a boolean). Throws at
 * build time for an invalid spec and at call time when `data` is shorter than the value.
 */
export function createDecoder(spec: CodecSpec, registerType: RegisterType): Decoder {
  if (isBitRegister(registerType)) {
    return (data) => {
      requireLength(data, 1, `${registerType} value`, 'bit');
      return data[0] !== 0;
    };
  }
  const { dataType } = spec;
  if (isNumericType(dataType) && spec.scaleFactorAt !== undefined) {
    if (spec.bit !== undefined || spec.valueMap !== undefined) throw new RangeError('a scale factor applies to numbers, not to a bit or a value map');
    return scaleFactorDecoder(spec, NUMERIC_FORMATS[dataType], spec.scaleFactorAt);
  }
  if (isNumericType(dataType)) return numericDecoder(spec, NUMERIC_FORMATS[dataType]);
  const read = wordReader(spec, naturalRegisterCount(dataType, spec.count));
  if (dataType === 'string') return (data) => wordsToText(read(data));
  return (data) => read(data)[0] !== 0;
}

function numericEncoder(spec: CodecSpec, format: NumericFormat): Encoder {
  const scaling = scalingOf(spec);
  const { dataType, swap } = spec;
  return (value) => {
    if (typeof value !== 'number') throw new TypeError(`${dataType} needs a number, got ${typeof value}`);
    const raw = format.normalize(toRaw(value, scaling));
    if (!format.fits(raw)) {
      const rawNote = String(raw) === String(value) ? '' : ` (raw ${raw})`;
      throw new RangeError(`value ${value}${rawNote} is outside the ${dataType} range ${format.range}`);
    }
    return applySwap(format.toWords(raw), swap);
  };
}

function boolWord(value: EntityValue): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === 0 || value === 1) return value;
  throw new TypeError(`bool needs true/false (or 0/1), got ${JSON.stringify(value)}`);
}

/**
 * Builds the encoder for writes (write_register / write_registers): the inverse of createDecoder.
 * Numbers have the offset removed and the scale divided out, integers are rounded half away from
 * zero and range-checked (RangeError), and the words get the same swap as reads. Strings are
 * NUL-padded to `count` registers; booleans become [1] or [0].
 */
export function createEncoder(spec: CodecSpec): Encoder {
  const { dataType, swap } = spec;
  if (spec.scaleFactorAt !== undefined) throw new RangeError('a value with a scale-factor register cannot be written (its factor may change under the write)');
  if (isNumericType(dataType)) return numericEncoder(spec, NUMERIC_FORMATS[dataType]);
  if (dataType === 'bool') return (value) => [boolWord(value)];
  const registers = naturalRegisterCount(dataType, spec.count);
  return (value) => {
    if (typeof value !== 'string') throw new TypeError(`string needs a string, got ${typeof value}`);
    return applySwap(textToWords(value, registers), swap);
  };
}
