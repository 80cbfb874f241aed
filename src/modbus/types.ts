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
  /** What each unit on this connection accepts (declared by its device template or device options). */
  unitLimits?: ReadonlyMap<number, UnitLimits>;
}

/**
 * What one device accepts, as its manual (or a template citing it) declares: Eastron meters refuse
 * reads of more than 80 registers, a Huawei SDongle wants 64 at most, 50 ms between requests, a second
 * after connecting and a long timeout. Absent fields impose nothing beyond the connection's own.
 */
export interface UnitLimits {
  /** Registers one fc 3/4 request may read. */
  maxRegisters?: number;
  /** Unrequested registers a block may bridge between two values (fc 3/4). */
  maxGap?: number;
  /** Pause before each request to this unit, after the previous request on the bus ended (ms). */
  pauseMs?: number;
  /** Pause after the connection opens before the first request (ms); the bus waits for its largest unit's. */
  connectPauseMs?: number;
  /** How long to wait for this unit's answer (ms). */
  timeoutMs?: number;
}

/** Two declarations for one unit combined: the tighter cap, the longer pause and timeout. */
export function mergeUnitLimits(a: UnitLimits, b: UnitLimits): UnitLimits {
  const least = (x: number | undefined, y: number | undefined) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  const most = (x: number | undefined, y: number | undefined) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  const merged: UnitLimits = {
    maxRegisters: least(a.maxRegisters, b.maxRegisters), maxGap: least(a.maxGap, b.maxGap),
    pauseMs: most(a.pauseMs, b.pauseMs), connectPauseMs: most(a.connectPauseMs, b.connectPauseMs), timeoutMs: most(a.timeoutMs, b.timeoutMs),
  };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as UnitLimits;
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
  /** Raw integers the device sends for "no reading" (SUN2000: 0x7FFF, 0xFFFF, …): decoded as null. */
  invalidValues?: readonly number[];
  /** Decode one bit (0 = least significant) of a 16-bit register as a boolean. */
  bit?: number;
  /** Text for each raw code (SUN2000 status 0x0200 → "On-grid"); a code not listed decodes as null. */
  valueMap?: ReadonlyMap<number, string>;
  /**
   * Offset of an int16 power-of-ten register (SunSpec sunssf) from the value's first register; the
   * entity then reads the span holding both, and the value is raw × 10^factor × scale + offset.
   */
  scaleFactorAt?: number;
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
  /** Keep showing the last value while the device does not answer (option when_silent: last_value). */
  keepLastValue?: boolean;
  /** Writes allowed (option writable); absent = read-only. */
  writable?: boolean;
  /** Function code for writes (option write_function); absent = 16. */
  writeFunction?: 6 | 16;
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
  /** Declared by the template, overridden by the device option; empty for a connection + unit device. */
  limits?: UnitLimits;
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
