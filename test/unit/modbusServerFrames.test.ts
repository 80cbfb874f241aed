import { describe, expect, it } from '@jest/globals';
import { crc16, crcMatches, withCrc } from '../../src/modbus/server/crc.js';
import { ModbusFrameError } from '../../src/modbus/server/frameError.js';
import { encodeMbap, MbapSplitter } from '../../src/modbus/server/mbap.js';
import { exceptionResponse, parseRequest, readResponse, writeResponse } from '../../src/modbus/server/pdu.js';
import { decodeRtu, encodeRtu, rtuRequestLength, RtuRequestSplitter } from '../../src/modbus/server/rtu.js';

/** Bytes from a hex string such as "01 03 00 00". */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const show = (b: Uint8Array): string => Buffer.from(b).toString('hex').replace(/(..)(?!$)/g, '$1 ');

describe('CRC-16/Modbus', () => {
  it.each([
    ['01 03 00 00 00 0a', 'c5 cd'],
    ['11 03 00 6b 00 03', '76 87'], // the example in the Modbus serial line guide
    ['01 04 00 00 00 01', '31 ca'],
  ])('%s ends with %s', (body, crc) => {
    expect(show(withCrc(hex(body)))).toBe(`${body} ${crc}`);
    expect(crc16(hex(body))).toBe(hex(crc).readUInt16LE(0));
    expect(crcMatches(hex(`${body} ${crc}`))).toBe(true);
    expect(crcMatches(hex(`${body} ${crc.slice(0, 3)}00`))).toBe(false);
  });
});

describe('MBAP framing', () => {
  it('encodes transaction id, protocol 0, length (unit + PDU) and unit', () => {
    expect(show(encodeMbap(0x1234, 1, hex('03 00 00 00 0a')))).toBe('12 34 00 00 00 06 01 03 00 00 00 0a');
  });

  it('splits a stream cut at arbitrary points into whole frames', () => {
    const stream = Buffer.concat([encodeMbap(1, 7, hex('03 00 10 00 02')), encodeMbap(2, 9, hex('06 00 01 00 2a'))]);
    const splitter = new MbapSplitter();
    const frames = [stream.subarray(0, 3), stream.subarray(3, 13), stream.subarray(13)].flatMap((c) => splitter.push(c));
    expect(frames.map((f) => [f.transactionId, f.unitId, show(f.pdu)])).toEqual([[1, 7, '03 00 10 00 02'], [2, 9, '06 00 01 00 2a']]);
    expect(splitter.pending).toBe(0);
  });

  it('waits for the rest of a frame', () => {
    const splitter = new MbapSplitter();
    expect(splitter.push(hex('00 01 00 00 00 06 01 03'))).toEqual([]);
    expect(splitter.pending).toBe(8);
  });

  it.each([
    ['00 01 00 01 00 06 01 03 00 00 00 01', /protocol id 1, expected 0/],
    ['00 01 00 00 00 01 01', /length 1, expected 2…254/],
    ['00 01 00 00 01 2c 01', /length 300, expected 2…254/],
  ])('rejects %s, naming what was wrong', (bytes, message) => {
    const attempt = () => new MbapSplitter().push(hex(bytes));
    expect(attempt).toThrow(ModbusFrameError);
    expect(attempt).toThrow(message);
  });
});

describe('RTU framing', () => {
  it.each([
    ['01 03', 8],
    ['01 05 00 10', 8],
    ['01 10 00 00 00 02', undefined],
    ['01 10 00 00 00 02 04', 13],
    ['01 0f 00 00 00 0a 02', 11],
    ['01', undefined],
  ])('request %s is %s bytes long', (bytes, length) => {
    expect(rtuRequestLength(hex(bytes))).toBe(length);
  });

  it('cannot frame a function code it does not know', () => {
    expect(() => rtuRequestLength(hex('01 2b 0e 01'))).toThrow(/function code 43: length unknown/);
  });

  it('encodes and decodes unit, PDU and CRC', () => {
    const frame = encodeRtu(1, hex('03 00 00 00 0a'));
    expect(show(frame)).toBe('01 03 00 00 00 0a c5 cd');
    expect(decodeRtu(frame)).toEqual({ unitId: 1, pdu: hex('03 00 00 00 0a') });
    expect(() => decodeRtu(hex('01 03 00 00 00 0a c5 ce'))).toThrow(/wrong CRC/);
    expect(() => decodeRtu(hex('01 83 02'))).toThrow(/3 bytes, at least 4/);
  });

  it('splits a stream into frames and drops one with a bad CRC', () => {
    const good = encodeRtu(2, hex('10 00 05 00 02 04 00 01 00 02'));
    const bad = hex('01 03 00 00 00 0a 00 00');
    const splitter = new RtuRequestSplitter();
    const first = splitter.push(Buffer.concat([bad, good.subarray(0, 5)]));
    expect(first.frames).toEqual([]);
    expect(first.dropped.map((e) => e.message)).toEqual(['RTU frame with a wrong CRC (01 03 00 00 00 0a 00 00)']);
    const second = splitter.push(good.subarray(5));
    expect(second.frames.map((f) => [f.unitId, show(f.pdu)])).toEqual([[2, '10 00 05 00 02 04 00 01 00 02']]);
  });
});

describe('request PDUs', () => {
  it.each([
    ['03 00 10 00 7d', { kind: 'read', fn: 3, address: 16, count: 125 }],
    ['01 00 00 07 d0', { kind: 'read', fn: 1, address: 0, count: 2000 }],
    ['04 ff ff 00 01', { kind: 'read', fn: 4, address: 65535, count: 1 }],
    ['05 00 07 ff 00', { kind: 'writeCoil', fn: 5, address: 7, value: true }],
    ['05 00 07 00 00', { kind: 'writeCoil', fn: 5, address: 7, value: false }],
    ['06 00 02 ab cd', { kind: 'writeRegister', fn: 6, address: 2, value: 0xabcd }],
    ['0f 00 13 00 0a 02 cd 01', { kind: 'writeCoils', fn: 15, address: 19, values: [true, false, true, true, false, false, true, true, true, false] }],
    ['10 00 01 00 02 04 00 0a 01 02', { kind: 'writeRegisters', fn: 16, address: 1, values: [10, 258] }],
  ])('%s parses', (bytes, request) => {
    expect(parseRequest(hex(bytes))).toEqual({ ok: true, request });
  });

  it.each([
    ['', 0, 1, 'empty PDU'],
    ['07', 7, 1, 'function code 7 is not served'],
    ['2b 0e 01 00', 43, 1, 'function code 43 is not served'],
    ['03 00 00 00 00', 3, 3, 'fc3 quantity 0, expected 1…125'],
    ['03 00 00 00 7e', 3, 3, 'fc3 quantity 126, expected 1…125'],
    ['02 00 00 07 d1', 2, 3, 'fc2 quantity 2001, expected 1…2000'],
    ['03 00 00 00', 3, 3, 'fc3 request of 4 bytes, expected 5'],
    ['03 ff ff 00 02', 3, 2, 'fc3 @65535+2 runs past 65535'],
    ['05 00 01 12 34', 5, 3, 'fc5 value 0x1234, expected 0xff00 or 0x0000'],
    ['0f 00 00 00 0a 01 ff', 15, 3, 'fc15 byte count 1 for 10 values, expected 2'],
    ['10 00 00 00 02 04 00 01', 16, 3, 'fc16 request of 8 bytes, byte count says 10'],
    ['10 00 00 00 7c f8', 16, 3, 'fc16 quantity 124, expected 1…123'],
    ['10 ff ff 00 02 04 00 01 00 02', 16, 2, 'fc16 @65535+2 runs past 65535'],
  ])('%s is rejected: fc %s, exception %s (%s)', (bytes, fn, exception, reason) => {
    expect(parseRequest(hex(bytes))).toEqual({ ok: false, fn, exception, reason });
  });
});

describe('reply PDUs', () => {
  it('packs registers big-endian and bits low bit first', () => {
    expect(show(readResponse(3, [0x1234, 0xabcd]))).toBe('03 04 12 34 ab cd');
    expect(show(readResponse(4, [0x1ffff]))).toBe('04 02 ff ff');
    expect(show(readResponse(1, [1, 0, 1, 1, 0, 0, 0, 0, 1]))).toBe('01 02 0d 01');
    expect(show(readResponse(2, [0, 0, 0, 0, 0, 0, 0, 1]))).toBe('02 01 80');
  });

  it('echoes writes as the specification says', () => {
    expect(show(writeResponse({ kind: 'writeCoil', fn: 5, address: 16, value: true }))).toBe('05 00 10 ff 00');
    expect(show(writeResponse({ kind: 'writeRegister', fn: 6, address: 2, value: 0xabcd }))).toBe('06 00 02 ab cd');
    expect(show(writeResponse({ kind: 'writeCoils', fn: 15, address: 19, values: [true, false, true] }))).toBe('0f 00 13 00 03');
    expect(show(writeResponse({ kind: 'writeRegisters', fn: 16, address: 1, values: [10, 258] }))).toBe('10 00 01 00 02');
  });

  it('sets the high bit of the function code in an exception reply', () => {
    expect(show(exceptionResponse(3, 2))).toBe('83 02');
    expect(show(exceptionResponse(16, 11))).toBe('90 0b');
  });
});
