/**
 * The resolved shapes the Modbus core works with. Options (snake_case, from the user) are turned into
 * these once at load time; planner, transport, codecs and poller only ever see these.
 */
export type RegisterType = 'holding' | 'input' | 'coil' | 'discrete_input';
export type DataType =
  | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float16' | 'float32' | 'float64' | 'string' | 'bool';
export type Swap = 'none' | 'byte' | 'word' | 'word_byte';
export type ConnectionType = 'tcp' | 'rtuovertcp' | 'serial';
export type Parity = 'none' | 'even' | 'odd';

/** Modbus read function codes. */
export type ReadFunction = 1 | 2 | 3 | 4;

export const FUNCTION_OF: Record<RegisterType, ReadFunction> = {
  coil: 1,
  discrete_input: 2,
  holding: 3,
  input: 4,
};

/** True for function codes whose reply carries bits (coils, discrete inputs). */
export function isBitFunction(fn: ReadFunction): boolean {
  return fn === 1 || fn === 2;
}

export interface ConnectionDef {
  name: string;
  type: ConnectionType;
  host: string;
  port: number;
  serialPort: string;
  baudrate: number;
  parity: Parity;
  dataBits: number;
  stopBits: number;
  timeoutMs: number;
  messageWaitMs: number;
  maxRegistersPerRead: number;
  turnaroundMs: number;
}

/** Everything a codec needs, fixed at load time. */
export interface CodecSpec {
  dataType: DataType;
  swap: Swap;
  /** Registers (or bits for coil/discrete_input) the value occupies. */
  count: number;
  scale: number;
  offset: number;
  /** Decimal places to round to; undefined = no rounding. */
  precision: number | undefined;
}

export type EntityValue = number | string | boolean;

export interface EntityDef extends CodecSpec {
  id: string;
  name: string;
  connection: string;
  unitId: number;
  registerType: RegisterType;
  address: number;
  unitOfMeasurement: string | undefined;
  deviceClass: string | undefined;
  stateClass: string | undefined;
  scanIntervalMs: number;
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Writes allowed (option writable); absent = read-only. */
  writable?: boolean;
  /** Bounds a write must keep (options min and max). */
  writeMin?: number;
  writeMax?: number;
}

/** One device as Home Assistant shows it: a template instance, or the entities of one connection and unit. */
export interface DeviceDef {
  /** [a-z0-9_]+, stable while the template's prefix (or the connection and unit) stays. */
  id: string;
  name: string;
  model: string | undefined;
  manufacturer: string | undefined;
  connection: string;
  unitId: number;
  /** In config order. */
  entityIds: string[];
}

/** A caching Modbus TCP server for other masters (option proxies[]). */
export interface ProxyDef {
  /** The connection it serves. */
  connection: string;
  port: number;
  bind: string;
  /** A read is answered from the cache when every register was read within this. */
  maxAgeMs: number;
  readOnly: boolean;
  /** Addresses and CIDR ranges that may connect. */
  allowedClients: string[];
  /** Client unit id → device unit id. */
  unitMap: Map<number, number>;
}

/** Identifies one physical bus: a gateway's host:port or a serial device path. */
export function busKeyOf(c: ConnectionDef): string {
  return c.type === 'serial' ? `serial:${c.serialPort}` : `${c.type === 'tcp' ? 'tcp' : 'rtu'}://${c.host}:${c.port}`;
}
