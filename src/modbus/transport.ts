/**
 * The narrow interfaces between the poller and the wire. A Link is one modbus-serial client (TCP,
 * RTU over TCP or RTU serial) that can send one request at a time; a Bus owns a Link and is the only
 * way to reach it: it serialises requests (one in flight per physical bus), paces them, retries
 * busy replies, reconnects with back-off, and backs off dead units so they cannot starve the others.
 */
import type { ReadFunction } from './types.js';

export interface ReadRequest {
  unitId: number;
  fn: ReadFunction;
  address: number;
  count: number;
}

/** Raw words (fc 3/4) or bits as 0/1 (fc 1/2), exactly `count` long. */
export interface ReadReply {
  data: number[];
  /** Measured time from sending the request to the complete reply, in ms (injected clock). */
  durationMs: number;
}

export interface WriteRegistersRequest {
  unitId: number;
  address: number;
  values: number[];
  /** Send one register as function 6 (write single register) instead of 16; some devices only take 6. */
  single?: boolean;
}

export interface WriteCoilRequest {
  unitId: number;
  address: number;
  value: boolean;
}

/** One client connection; implementations throw the typed errors of core/errors.ts. */
export interface Link {
  connect(): Promise<void>;
  isOpen(): boolean;
  read(req: ReadRequest): Promise<number[]>;
  writeRegisters(req: WriteRegistersRequest): Promise<void>;
  writeCoil(req: WriteCoilRequest): Promise<void>;
  close(): Promise<void>;
}

export interface BusCounters {
  requests: number;
  errors: number;
  timeouts: number;
  busyRetries: number;
  reconnects: number;
  /** Sum of measured request durations (ms). */
  busyMs: number;
}

export interface Bus {
  readonly key: string;
  read(req: ReadRequest): Promise<ReadReply>;
  writeRegisters(req: WriteRegistersRequest): Promise<void>;
  writeCoil(req: WriteCoilRequest): Promise<void>;
  /** Requests queued or in flight. */
  pending(): number;
  counters(): BusCounters;
  start(): Promise<void>;
  stop(): Promise<void>;
}
