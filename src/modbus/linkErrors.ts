/**
 * Turns what modbus-serial throws into the typed errors of core/errors.ts. modbus-serial reports
 * everything as plain `Error`s told apart only by ad-hoc fields (`modbusCode`, `errno`, the
 * constructor name, the message), and some of them lie: its "bad client address" carries errno
 * ECONNREFUSED, and a reply that never comes because the socket closed looks like a timeout. The
 * Bus decides retries and back-off by error class alone, so the classification lives here, once.
 */
import {
  ModbusConnectionError,
  ModbusError,
  ModbusExceptionError,
  ModbusReplyError,
  ModbusTimeoutError,
  type ModbusContext,
} from '../core/errors.js';

/** The fields modbus-serial (and Node's net / serialport underneath) put on its errors. */
interface RawModbusSerialError {
  name?: unknown;
  message?: unknown;
  errno?: unknown;
  code?: unknown;
  modbusCode?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ENOTCONN', 'EHOSTUNREACH',
  'ENETUNREACH', 'EHOSTDOWN', 'ENOENT', 'EACCES', 'EBUSY', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN',
]);

const CONNECTION_MESSAGE = /port not open|not open|closed|connection timed out|socket|disconnect/i;
const REPLY_MESSAGE = /crc|length|unexpected data|bad client address|invalid/i;

function fieldsOf(err: unknown): RawModbusSerialError {
  return typeof err === 'object' && err !== null ? (err as RawModbusSerialError) : {};
}

function messageOf(err: unknown): string {
  const m = fieldsOf(err).message;
  if (typeof m === 'string' && m.length > 0) return m;
  return typeof err === 'string' ? err : String(fieldsOf(err).name ?? 'unknown error');
}

function isTimeout(raw: RawModbusSerialError): boolean {
  return raw.name === 'TransactionTimedOutError' || raw.errno === 'ETIMEDOUT' || raw.code === 'ETIMEDOUT';
}

function isConnectionFailure(raw: RawModbusSerialError, message: string): boolean {
  if (raw.name === 'PortNotOpenError') return true;
  const code = typeof raw.code === 'string' ? raw.code : typeof raw.errno === 'string' ? raw.errno : '';
  return CONNECTION_CODES.has(code) || CONNECTION_MESSAGE.test(message);
}

export interface ClassifyOptions {
  /** Whether the port was still open when the error arrived (a "timeout" on a closed port is a loss). */
  portOpen: boolean;
  timeoutMs: number;
}

/** Maps any error from a modbus-serial call onto one typed ModbusError, keeping it as `cause`. */
export function toModbusError(err: unknown, ctx: ModbusContext, opts: ClassifyOptions): ModbusError {
  if (err instanceof ModbusError) return err;
  const raw = fieldsOf(err);
  const message = messageOf(err);
  const cause = { cause: err };
  if (typeof raw.modbusCode === 'number') return new ModbusExceptionError(raw.modbusCode, ctx, cause);
  if (raw.name === 'BadAddressError') return new ModbusReplyError(`request rejected by client: ${message}`, ctx, cause);
  if (isTimeout(raw)) {
    return opts.portOpen
      ? new ModbusTimeoutError(`no reply within ${opts.timeoutMs} ms`, ctx, cause)
      : new ModbusConnectionError(`connection lost while waiting for the reply`, ctx, cause);
  }
  if (isConnectionFailure(raw, message) || !opts.portOpen) {
    return new ModbusConnectionError(`connection failed: ${message}`, ctx, cause);
  }
  if (REPLY_MESSAGE.test(message)) return new ModbusReplyError(`bad reply: ${message}`, ctx, cause);
  return new ModbusReplyError(`unexpected client error: ${message}`, ctx, cause);
}

/** Context for errors that belong to the connection rather than one request (connect, close). */
export function connectionContext(connection: string): ModbusContext {
  return { connection, unitId: 0, fn: 0, address: 0, count: 0 };
}
