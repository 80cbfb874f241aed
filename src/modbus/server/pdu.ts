/**
 * Modbus requests and responses at the PDU level, independent of framing: what a server must check
 * before it touches a device (known function, quantity within the protocol's limits, address range
 * inside 0…65535, byte counts that match), and the exact bytes of read replies, write echoes and
 * exception replies. Bad requests become the exception the specification names, with a reason for
 * the log; they never throw.
 */
import { MAX_COILS_PER_WRITE, MAX_REGISTERS_PER_WRITE, protocolLimitOf } from '../readPlan.js';
import { isBitFunction, type ReadFunction } from '../types.js';

export const ILLEGAL_FUNCTION = 1;
export const ILLEGAL_DATA_ADDRESS = 2;
export const ILLEGAL_DATA_VALUE = 3;
export const GATEWAY_TARGET_FAILED = 11;

const COIL_ON = 0xff00;
const COIL_OFF = 0x0000;
const ADDRESS_SPACE = 0x10000;

export type ModbusRequest =
  | { kind: 'read'; fn: ReadFunction; address: number; count: number }
  | { kind: 'writeCoil'; fn: 5; address: number; value: boolean }
  | { kind: 'writeRegister'; fn: 6; address: number; value: number }
  | { kind: 'writeCoils'; fn: 15; address: number; values: boolean[] }
  | { kind: 'writeRegisters'; fn: 16; address: number; values: number[] };

/** Why a request cannot be served: the exception to answer with, and a reason for the log. */
export interface RequestRejection {
  fn: number;
  exception: number;
  reason: string;
}

export type ParsedRequest = { ok: true; request: ModbusRequest } | ({ ok: false } & RequestRejection);

function reject(fn: number, exception: number, reason: string): ParsedRequest {
  return { ok: false, fn, exception, reason };
}

/** Parses one request PDU (function code first). */
export function parseRequest(pdu: Uint8Array): ParsedRequest {
  const fn = pdu[0];
  if (fn === undefined) return reject(0, ILLEGAL_FUNCTION, 'empty PDU');
  const data = Buffer.from(pdu.buffer, pdu.byteOffset, pdu.byteLength);
  if (fn >= 1 && fn <= 4) return parseRead(fn as ReadFunction, data);
  if (fn === 5 || fn === 6) return parseSingleWrite(fn, data);
  if (fn === 15 || fn === 16) return parseMultipleWrite(fn, data);
  return reject(fn, ILLEGAL_FUNCTION, `function code ${fn} is not served`);
}

function parseRead(fn: ReadFunction, pdu: Buffer): ParsedRequest {
  if (pdu.length !== 5) return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} request of ${pdu.length} bytes, expected 5`);
  const address = pdu.readUInt16BE(1);
  const count = pdu.readUInt16BE(3);
  const limit = protocolLimitOf(fn);
  if (count < 1 || count > limit) return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} quantity ${count}, expected 1…${limit}`);
  if (address + count > ADDRESS_SPACE) return reject(fn, ILLEGAL_DATA_ADDRESS, `fc${fn} @${address}+${count} runs past 65535`);
  return { ok: true, request: { kind: 'read', fn, address, count } };
}

function parseSingleWrite(fn: 5 | 6, pdu: Buffer): ParsedRequest {
  if (pdu.length !== 5) return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} request of ${pdu.length} bytes, expected 5`);
  const address = pdu.readUInt16BE(1);
  const value = pdu.readUInt16BE(3);
  if (fn === 6) return { ok: true, request: { kind: 'writeRegister', fn, address, value } };
  if (value !== COIL_ON && value !== COIL_OFF) {
    return reject(fn, ILLEGAL_DATA_VALUE, `fc5 value 0x${value.toString(16).padStart(4, '0')}, expected 0xff00 or 0x0000`);
  }
  return { ok: true, request: { kind: 'writeCoil', fn, address, value: value === COIL_ON } };
}

function parseMultipleWrite(fn: 15 | 16, pdu: Buffer): ParsedRequest {
  if (pdu.length < 6) return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} request of ${pdu.length} bytes, at least 6 needed`);
  const address = pdu.readUInt16BE(1);
  const count = pdu.readUInt16BE(3);
  const byteCount = pdu.readUInt8(5);
  const limit = fn === 15 ? MAX_COILS_PER_WRITE : MAX_REGISTERS_PER_WRITE;
  if (count < 1 || count > limit) return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} quantity ${count}, expected 1…${limit}`);
  const expected = fn === 15 ? Math.ceil(count / 8) : 2 * count;
  if (byteCount !== expected) return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} byte count ${byteCount} for ${count} values, expected ${expected}`);
  if (pdu.length !== 6 + byteCount) {
    return reject(fn, ILLEGAL_DATA_VALUE, `fc${fn} request of ${pdu.length} bytes, byte count says ${6 + byteCount}`);
  }
  if (address + count > ADDRESS_SPACE) return reject(fn, ILLEGAL_DATA_ADDRESS, `fc${fn} @${address}+${count} runs past 65535`);
  if (fn === 15) {
    const values = Array.from({ length: count }, (_, i) => ((pdu[6 + (i >> 3)] ?? 0) & (1 << (i & 7))) !== 0);
    return { ok: true, request: { kind: 'writeCoils', fn, address, values } };
  }
  const values = Array.from({ length: count }, (_, i) => pdu.readUInt16BE(6 + 2 * i));
  return { ok: true, request: { kind: 'writeRegisters', fn, address, values } };
}

/** The reply PDU to a read: bits packed low bit first (fc 1/2) or 16-bit registers big-endian (fc 3/4). */
export function readResponse(fn: ReadFunction, values: readonly number[]): Buffer {
  if (isBitFunction(fn)) {
    const bytes = Buffer.alloc(2 + Math.ceil(values.length / 8));
    bytes.writeUInt8(fn, 0);
    bytes.writeUInt8(bytes.length - 2, 1);
    values.forEach((bit, i) => {
      if (bit) bytes[2 + (i >> 3)] = (bytes[2 + (i >> 3)] ?? 0) | (1 << (i & 7));
    });
    return bytes;
  }
  const body = Buffer.alloc(2 + 2 * values.length);
  body.writeUInt8(fn, 0);
  body.writeUInt8(2 * values.length, 1);
  values.forEach((w, i) => body.writeUInt16BE(w & 0xffff, 2 + 2 * i));
  return body;
}

/** The reply PDU to a write: fc 5 and 6 echo the request, fc 15 and 16 echo address and quantity. */
export function writeResponse(request: Exclude<ModbusRequest, { kind: 'read' }>): Buffer {
  const pdu = Buffer.alloc(5);
  pdu.writeUInt8(request.fn, 0);
  pdu.writeUInt16BE(request.address, 1);
  switch (request.kind) {
    case 'writeCoil': pdu.writeUInt16BE(request.value ? COIL_ON : COIL_OFF, 3); break;
    case 'writeRegister': pdu.writeUInt16BE(request.value & 0xffff, 3); break;
    case 'writeCoils':
    case 'writeRegisters': pdu.writeUInt16BE(request.values.length, 3); break;
  }
  return pdu;
}

/** An exception reply PDU: the function code with its high bit set, then the exception code. */
export function exceptionResponse(fn: number, exception: number): Buffer {
  return Buffer.from([(fn | 0x80) & 0xff, exception & 0xff]);
}
