/**
 * Exact table tests for the codecs: hand-written register vectors for every data type, swap, scaling
 * and error path, plus round trips through encoder and decoder.
 */
import { describe, expect, it } from '@jest/globals';
import { createDecoder, createEncoder, naturalRegisterCount } from '../../src/modbus/codecs.js';
import { decodeFloat16, encodeFloat16 } from '../../src/modbus/codecs/float16.js';
import { roundTo } from '../../src/modbus/codecs/scaling.js';
import type { CodecSpec, DataType, EntityValue, RegisterType, Swap } from '../../src/modbus/types.js';

function spec(dataType: DataType, extra: Partial<CodecSpec> = {}): CodecSpec {
  const count = dataType === 'string' ? 2 : naturalRegisterCount(dataType);
  return { dataType, swap: 'none', count, scale: 1, offset: 0, precision: undefined, ...extra };
}

function decode(s: CodecSpec, data: number[], registerType: RegisterType = 'holding'): EntityValue | null {
  return createDecoder(s, registerType)(data);
}

const SWAPS: Swap[] = ['none', 'byte', 'word', 'word_byte'];

describe('naturalRegisterCount', () => {
  it.each<[DataType, number]>([
    ['int16', 1], ['uint16', 1], ['float16', 1], ['bool', 1],
    ['int32', 2], ['uint32', 2], ['float32', 2],
    ['int64', 4], ['uint64', 4], ['float64', 4],
  ])('%s occupies %i register(s)', (dataType, registers) => {
    expect(naturalRegisterCount(dataType)).toBe(registers);
  });

  it('string occupies its count, which is required', () => {
    expect(naturalRegisterCount('string', 5)).toBe(5);
    expect(() => naturalRegisterCount('string')).toThrow(/string needs a register count.*got undefined/);
    expect(() => naturalRegisterCount('string', 0)).toThrow(RangeError);
    expect(() => naturalRegisterCount('string', 1.5)).toThrow(RangeError);
  });
});

describe('decoding registers (big-endian, no swap)', () => {
  it.each<[DataType, number[], number | boolean | null]>([
    ['int16', [0xffff], -1],
    ['int16', [0xff85], -123],
    ['int16', [0x8000], -32768],
    ['int16', [0x7fff], 32767],
    ['uint16', [0xffff], 65535],
    ['uint16', [0x0000], 0],
    ['int32', [0xffff, 0xffff], -1],
    ['int32', [0xfffe, 0x1dc0], -123456],
    ['int32', [0x8000, 0x0000], -2147483648],
    ['int32', [0x7fff, 0xffff], 2147483647],
    ['uint32', [0x0001, 0xe240], 123456],
    ['uint32', [0xffff, 0xffff], 4294967295],
    ['int64', [0xffff, 0xffff, 0xffff, 0xffff], -1],
    ['int64', [0xffff, 0xffff, 0xfffe, 0x1dc0], -123456],
    ['int64', [0x8000, 0x0000, 0x0000, 0x0000], -9223372036854775808],
    ['int64', [0x001f, 0xffff, 0xffff, 0xffff], Number.MAX_SAFE_INTEGER],
    // 2^63 - 1 is not a double: it decodes to the nearest one, 2^63 (documented precision loss).
    ['int64', [0x7fff, 0xffff, 0xffff, 0xffff], 2 ** 63],
    ['uint64', [0x0000, 0x0000, 0x0001, 0xe240], 123456],
    ['uint64', [0xffff, 0xffff, 0xffff, 0xffff], 2 ** 64],
    ['float16', [0x3c00], 1],
    ['float16', [0xc000], -2],
    ['float16', [0x3555], 0.333251953125],
    ['float16', [0x7bff], 65504],
    ['float16', [0x0400], 2 ** -14],
    ['float16', [0x0001], 2 ** -24],
    ['float16', [0x8000], 0],
    ['float16', [0x7c00], null],
    ['float16', [0xfc00], null],
    ['float16', [0x7e00], null],
    ['float32', [0x3f80, 0x0000], 1],
    ['float32', [0xc148, 0x0000], -12.5],
    ['float32', [0x4049, 0x0fdb], 3.1415927], // the shortest decimal that is the same float32
    ['float32', [0x7fc0, 0x0000], null],
    ['float32', [0x7f80, 0x0000], null],
    ['float32', [0xff80, 0x0000], null],
    ['float64', [0x3ff0, 0x0000, 0x0000, 0x0000], 1],
    ['float64', [0xc009, 0x21fb, 0x5444, 0x2d18], -Math.PI],
    ['float64', [0x7ff8, 0x0000, 0x0000, 0x0000], null],
    ['float64', [0xfff0, 0x0000, 0x0000, 0x0000], null],
    ['bool', [0x0000], false],
    ['bool', [0x0100], true],
  ])('%s %j → %p', (dataType, words, expected) => {
    expect(decode(spec(dataType), words)).toBe(expected);
  });

  it('reads input registers the same way as holding registers', () => {
    expect(decode(spec('int16'), [0xffff], 'input')).toBe(-1);
  });

  it('uses only the leading registers when the reply is longer', () => {
    expect(decode(spec('int16'), [0x0001, 0x0002])).toBe(1);
  });

  it('does not modify the reply it was given', () => {
    const words = [0x1234, 0x5678];
    decode(spec('int32', { swap: 'word_byte' }), words);
    expect(words).toEqual([0x1234, 0x5678]);
  });
});

describe('swaps (Home Assistant semantics)', () => {
  it.each<[DataType, Swap, number[], number]>([
    ['float32', 'none', [0x3f80, 0x0000], 1],
    ['float32', 'word', [0x0000, 0x3f80], 1],
    ['float32', 'byte', [0x803f, 0x0000], 1],
    ['float32', 'word_byte', [0x0000, 0x803f], 1],
    ['int32', 'none', [0x1234, 0x5678], 0x12345678],
    ['int32', 'byte', [0x3412, 0x7856], 0x12345678],
    ['int32', 'word', [0x5678, 0x1234], 0x12345678],
    ['int32', 'word_byte', [0x7856, 0x3412], 0x12345678],
    ['int16', 'byte', [0x3412], 0x1234],
    ['int16', 'word', [0x1234], 0x1234],
    ['float16', 'byte', [0x003c], 1],
    ['int64', 'word', [0x0004, 0x0003, 0x0002, 0x0001], 0x0001_0002_0003_0004],
    ['float64', 'word_byte', [0x182d, 0x4454, 0xfb21, 0x09c0], -Math.PI],
  ])('%s with %s swap: %j → %p', (dataType, swap, words, expected) => {
    expect(decode(spec(dataType, { swap }), words)).toBe(expected);
  });
});

describe('strings', () => {
  it.each<[string, Partial<CodecSpec>, number[], string]>([
    ['odd length', {}, [0x4142, 0x4300], 'ABC'],
    ['odd length, byte swap', { swap: 'byte' }, [0x4241, 0x0043], 'ABC'],
    ['word swap reverses registers', { swap: 'word' }, [0x4300, 0x4142], 'ABC'],
    ['full, no terminator', {}, [0x4142, 0x4344], 'ABCD'],
    ['trailing spaces trimmed', {}, [0x4142, 0x2020], 'AB'],
    ['inner and leading spaces kept', { count: 3 }, [0x2041, 0x2042, 0x2020], ' A B'],
    ['cut at the first NUL', { count: 3 }, [0x4142, 0x0043, 0x4445], 'AB'],
    ['all NUL is empty', {}, [0x0000, 0x0000], ''],
    ['latin1', { count: 1 }, [0xe920], '\u00e9'],
  ])('%s: %j', (_name, extra, words, expected) => {
    expect(decode(spec('string', extra), words)).toBe(expected);
  });

  it('ignores scale and offset', () => {
    expect(decode(spec('string', { scale: 10, offset: 1 }), [0x3132, 0x0000])).toBe('12');
  });
});

describe('scale, offset and precision', () => {
  it.each<[string, DataType, Partial<CodecSpec>, number[], number]>([
    ['scale 0.1 to one decimal', 'int16', { scale: 0.1, precision: 1 }, [0x00ea], 23.4],
    ['negative with scale 0.01', 'int16', { scale: 0.01, precision: 2 }, [0xff85], -1.23],
    ['offset after scale', 'uint16', { scale: 0.5, offset: -40 }, [0x0064], 10],
    ['precision 0 rounds half away from zero', 'int16', { scale: 0.5, precision: 0 }, [0x0005], 3],
    ['… also for negatives', 'int16', { scale: 0.5, precision: 0 }, [0xfffb], -3],
    ['tie that binary floats miss (1.005)', 'uint16', { scale: 0.001, precision: 2 }, [1005], 1.01],
    ['float32 noise removed', 'float32', { precision: 3 }, [0x3dcc, 0xcccd], 0.1],
    ['no -0 from a negative scale', 'int16', { scale: -1 }, [0x0000], 0],
    ['no -0 from rounding', 'int16', { scale: 0.1, precision: 0 }, [0xffff], 0],
  ])('%s', (_name, dataType, extra, words, expected) => {
    expect(decode(spec(dataType, extra), words)).toBe(expected);
  });

  it('shows a float32 as its shortest decimal when precision is undefined', () => {
    expect(decode(spec('float32'), [0x3dcc, 0xcccd])).toBe(0.1); // not 0.10000000149011612
    expect(decode(spec('float32'), [0x4366, 0x6666])).toBe(230.4); // not 230.39999389648438
  });

  it('leaves float64 unrounded when precision is undefined', () => {
    expect(decode(spec('float64'), [0x3fb9, 0x9999, 0x9999, 0x999a])).toBe(0.1);
  });

  it('a scaled result that overflows is no valid reading', () => {
    expect(decode(spec('float64', { scale: 10 }), [0x7fef, 0xffff, 0xffff, 0xffff])).toBeNull();
  });

  it.each<[number, number, number]>([
    [1.005, 2, 1.01],
    [-1.005, 2, -1.01],
    [2.675, 2, 2.68],
    [1.45, 1, 1.5],
    [0.575, 2, 0.58],
    [1.0049, 2, 1],
    [123.456, 0, 123],
    [-0.0001, 2, 0],
    [1e20, 2, 1e20],
    [2 ** 60, 3, 2 ** 60],
  ])('roundTo(%p, %i) = %p', (x, decimals, expected) => {
    expect(roundTo(x, decimals)).toBe(expected);
  });

  it.each<[string, Partial<CodecSpec>]>([
    ['scale 0', { scale: 0 }],
    ['scale NaN', { scale: NaN }],
    ['offset Infinity', { offset: Infinity }],
    ['negative precision', { precision: -1 }],
    ['fractional precision', { precision: 1.5 }],
  ])('rejects %s when the codec is built', (_name, extra) => {
    expect(() => createDecoder(spec('int16', extra), 'holding')).toThrow(RangeError);
    expect(() => createEncoder(spec('int16', extra))).toThrow(RangeError);
  });
});

describe('bits (coil, discrete_input)', () => {
  it.each<[RegisterType, number[], boolean]>([
    ['coil', [1], true],
    ['coil', [0], false],
    ['discrete_input', [1, 0, 0], true],
    ['discrete_input', [0, 1], false],
  ])('%s %j → %p', (registerType, bits, expected) => {
    expect(decode(spec('bool'), bits, registerType)).toBe(expected);
  });

  it('are booleans whatever the data type says', () => {
    expect(decode(spec('int32', { scale: 10 }), [1], 'coil')).toBe(true);
  });
});

describe('short replies', () => {
  it.each<[DataType, Partial<CodecSpec>, number[], RegExp]>([
    ['int16', {}, [], /int16 needs 1 register of data, got 0/],
    ['int32', {}, [0x0001], /int32 needs 2 registers of data, got 1/],
    ['uint64', {}, [1, 2, 3], /uint64 needs 4 registers of data, got 3/],
    ['float64', { swap: 'word' }, [1, 2], /float64 needs 4 registers of data, got 2/],
    ['string', { count: 3 }, [0x4142, 0x4344], /string needs 3 registers of data, got 2/],
    ['bool', {}, [], /bool needs 1 register of data, got 0/],
  ])('%s %j from %j throws', (dataType, extra, words, message) => {
    expect(() => decode(spec(dataType, extra), words)).toThrow(message);
  });

  it('an empty bit reply throws', () => {
    expect(() => decode(spec('bool'), [], 'coil')).toThrow(/coil value needs 1 bit of data, got 0/);
  });
});

describe('encoding', () => {
  it.each<[DataType, Partial<CodecSpec>, EntityValue, number[]]>([
    ['int16', {}, -1, [0xffff]],
    ['int16', {}, -32768, [0x8000]],
    ['int16', {}, 2.5, [0x0003]],
    ['int16', {}, -2.5, [0xfffd]],
    ['uint16', {}, 65535, [0xffff]],
    ['int32', {}, -123456, [0xfffe, 0x1dc0]],
    ['int32', { swap: 'word' }, 0x12345678, [0x5678, 0x1234]],
    ['uint32', { swap: 'byte' }, 0x12345678, [0x3412, 0x7856]],
    ['int64', {}, -9223372036854775808, [0x8000, 0x0000, 0x0000, 0x0000]],
    ['int64', {}, -123456, [0xffff, 0xffff, 0xfffe, 0x1dc0]],
    ['uint64', {}, 2 ** 53, [0x0020, 0x0000, 0x0000, 0x0000]],
    ['float16', {}, 1, [0x3c00]],
    ['float16', {}, -2, [0xc000]],
    ['float16', {}, 0.1, [0x2e66]],
    ['float16', {}, 2 ** -24, [0x0001]],
    ['float16', {}, 65519, [0x7bff]],
    ['float16', {}, 1 + 2 ** -11, [0x3c00]],
    ['float16', {}, 1 + 3 * 2 ** -11, [0x3c02]],
    ['float16', {}, 2 ** -14 - 2 ** -25, [0x0400]],
    ['float16', { swap: 'byte' }, 1, [0x003c]],
    ['float32', {}, 1, [0x3f80, 0x0000]],
    ['float32', { swap: 'word' }, 1, [0x0000, 0x3f80]],
    ['float32', { swap: 'byte' }, 1, [0x803f, 0x0000]],
    ['float32', { swap: 'word_byte' }, 1, [0x0000, 0x803f]],
    ['float64', {}, -Math.PI, [0xc009, 0x21fb, 0x5444, 0x2d18]],
    ['int16', { scale: 0.1, precision: 1 }, 23.4, [0x00ea]],
    ['uint16', { scale: 0.5, offset: -40 }, 10, [0x0064]],
    ['string', {}, 'ABC', [0x4142, 0x4300]],
    ['string', { swap: 'byte' }, 'ABC', [0x4241, 0x0043]],
    ['string', { count: 1 }, '', [0x0000]],
    ['bool', {}, true, [1]],
    ['bool', {}, false, [0]],
    ['bool', {}, 1, [1]],
  ])('%s %j: %p → %j', (dataType, extra, value, words) => {
    expect(createEncoder(spec(dataType, extra))(value)).toEqual(words);
  });

  it.each<[DataType, Partial<CodecSpec>, number, RegExp]>([
    ['int16', {}, 32768, /value 32768 is outside the int16 range \[-32768, 32767\]/],
    ['int16', {}, -32769, /int16 range/],
    ['int16', {}, NaN, /value NaN is outside the int16 range/],
    ['uint16', {}, -1, /value -1 is outside the uint16 range \[0, 65535\]/],
    ['uint16', {}, 65536, /uint16 range/],
    ['uint16', { scale: 0.1 }, 6553.6, /value 6553\.6 \(raw 65536\) is outside the uint16 range/],
    ['int32', {}, 2147483648, /int32 range \[-2147483648, 2147483647\]/],
    ['uint32', {}, 4294967296, /uint32 range \[0, 4294967295\]/],
    ['int64', {}, 2 ** 63, /int64 range \[-9223372036854775808, 9223372036854775807\]/],
    ['uint64', {}, -1, /uint64 range \[0, 18446744073709551615\]/],
    ['uint64', {}, 2 ** 64, /uint64 range/],
    ['float16', {}, 65520, /value 65520 is outside the float16 range \[-65504, 65504\]/],
    ['float16', {}, -1e6, /float16 range/],
    ['float32', {}, 3.5e38, /float32 range/],
    ['float32', {}, Infinity, /float32 range/],
    ['float64', {}, NaN, /float64 range/],
  ])('%s %j rejects %p with a RangeError', (dataType, extra, value, message) => {
    const encode = createEncoder(spec(dataType, extra));
    expect(() => encode(value)).toThrow(RangeError);
    expect(() => encode(value)).toThrow(message);
  });

  it.each<[DataType, Partial<CodecSpec>, EntityValue, ErrorConstructor, RegExp]>([
    ['string', {}, 'ABCDE', RangeError, /"ABCDE" has 5 characters, more than the 4 that fit in 2 registers/],
    ['string', {}, '\u20ac', RangeError, /outside latin1 at position 0/],
    ['string', {}, 5, TypeError, /string needs a string, got number/],
    ['int16', {}, '12', TypeError, /int16 needs a number, got string/],
    ['float32', {}, true, TypeError, /float32 needs a number, got boolean/],
    ['bool', {}, 2, TypeError, /bool needs true\/false \(or 0\/1\), got 2/],
    ['bool', {}, 'on', TypeError, /got "on"/],
  ])('%s %j rejects %p', (dataType, extra, value, type, message) => {
    const encode = createEncoder(spec(dataType, extra));
    expect(() => encode(value)).toThrow(type);
    expect(() => encode(value)).toThrow(message);
  });
});

describe('round trips: decode(encode(v)) === v', () => {
  const cases: [DataType, Partial<CodecSpec>, EntityValue[]][] = [
    ['int16', {}, [-32768, -1, 0, 1, 32767]],
    ['uint16', {}, [0, 1, 65535]],
    ['int32', {}, [-2147483648, -123456, 0, 2147483647]],
    ['uint32', {}, [0, 123456, 4294967295]],
    ['int64', {}, [-(2 ** 63), -Number.MAX_SAFE_INTEGER, -1, 0, Number.MAX_SAFE_INTEGER, 2 ** 63 - 1024]],
    ['uint64', {}, [0, 2 ** 53, 2 ** 63, 2 ** 64 - 2048]],
    ['float16', {}, [0, 1, -2, 65504, -65504, 2 ** -24, 0.333251953125]],
    ['float32', {}, [0, -12.5, 3.1415927, 1e-40, 3.4e38, 230.4]], // shortest decimals of float32 values
    ['float64', {}, [0, -Math.PI, Number.MIN_VALUE, Number.MAX_VALUE, 0.1]],
    ['int16', { scale: 0.1, precision: 1 }, [-3276.8, -0.1, 0.1, 23.4, 3276.7]],
    ['uint16', { scale: 0.5, offset: -40 }, [-40, 10, 0.5]],
    ['float32', { scale: 0.01, offset: 5, precision: 2 }, [21.37, -4.2]],
    ['string', { count: 2 }, ['', 'A', 'AB', 'ABC', 'ABCD', ' A']],
    ['bool', {}, [true, false]],
  ];
  it.each(SWAPS.flatMap((swap) => cases.map(([t, extra, values]) => [t, swap, extra, values] as const)))(
    '%s with %s swap %j',
    (dataType, swap, extra, values) => {
      const s = spec(dataType, { swap, ...extra });
      const encode = createEncoder(s);
      const decodeValue = createDecoder(s, 'holding');
      for (const v of values) expect(decodeValue(encode(v))).toBe(v);
    },
  );

  it('int64 max decodes to 2^63, which is then out of range for a write (documented)', () => {
    const s = spec('int64');
    const value = createDecoder(s, 'holding')([0x7fff, 0xffff, 0xffff, 0xffff]);
    expect(value).toBe(2 ** 63);
    expect(() => createEncoder(s)(value as number)).toThrow(RangeError);
  });

  it('float16: every finite bit pattern survives decode → encode', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits <= 0xffff; bits += 1) {
      const x = decodeFloat16(bits);
      if (Number.isFinite(x) && encodeFloat16(x) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('sentinels, bits and value maps (issue 14)', () => {
  it('sun2000_sentinels_decode_to_null: listed raw values, before any scaling, are no reading', () => {
    expect(decode(spec('int16', { scale: 0.1, invalidValues: [0x7fff] }), [0x7fff])).toBeNull();
    expect(decode(spec('int16', { scale: 0.1, precision: 1, invalidValues: [0x7fff] }), [0x7ffe])).toBe(3276.6);
    expect(decode(spec('uint32', { scale: 0.01, invalidValues: [0xffffffff] }), [0xffff, 0xffff])).toBeNull();
    expect(decode(spec('int32', { invalidValues: [0x7fffffff] }), [0x7fff, 0xffff])).toBeNull();
    expect(decode(spec('uint16', { invalidValues: [] }), [0xffff])).toBe(65535);
  });

  it('a bit of a register is a boolean', () => {
    expect(decode(spec('uint16', { bit: 0 }), [0b101])).toBe(true);
    expect(decode(spec('uint16', { bit: 1 }), [0b101])).toBe(false);
    expect(decode(spec('uint16', { bit: 15 }), [0x8000])).toBe(true);
    expect(decode(spec('uint32', { bit: 16 }), [0x0001, 0x0000])).toBe(true);
  });

  it('sun2000_status_512_is_on_grid: a value map gives the text, an unlisted code no reading', () => {
    const s = spec('uint16', { valueMap: new Map([[0x0200, 'On-grid'], [0xa000, 'Standby: no irradiation']]) });
    expect(decode(s, [512])).toBe('On-grid');
    expect(decode(s, [0xa000])).toBe('Standby: no irradiation');
    expect(decode(s, [0x0300])).toBeNull();
  });
});
