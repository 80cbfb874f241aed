/**
 * The bus-time cost model from DESIGN.md, in one place for the planner, the metrics and the
 * simulator. A request reading N registers (fc 3/4) sends 8 bytes and receives 5 + 2N; bit reads
 * (fc 1/2) receive 5 + ceil(N/8). Each frame is followed by a 3.5-character silent gap (fixed at
 * 1.75 ms above 19,200 baud), and the device needs its turnaround time d to answer.
 */
import { isBitFunction, type ReadFunction } from './types.js';

export interface BusTiming {
  /** Line speed of the RTU segment; undefined for pure Modbus TCP (no RTU leg). */
  baudrate: number | undefined;
  /** Device turnaround (ms). */
  turnaroundMs: number;
  /** Network round trip for TCP and RTU-over-TCP gateways (ms). */
  roundTripMs: number;
}

const BITS_PER_CHAR = 11;

/** Time of one character on the wire, in ms. */
export function charTimeMs(baudrate: number): number {
  return (BITS_PER_CHAR / baudrate) * 1000;
}

/** The inter-frame silent interval t3.5 in ms. */
export function silentIntervalMs(baudrate: number): number {
  return baudrate > 19200 ? 1.75 : 3.5 * charTimeMs(baudrate);
}

/** Bytes in the response to a read of `count` registers or bits. */
export function responseBytes(fn: ReadFunction, count: number): number {
  return isBitFunction(fn) ? 5 + Math.ceil(count / 8) : 5 + 2 * count;
}

/** Modelled bus time in ms of one read request. */
export function readBusTimeMs(fn: ReadFunction, count: number, timing: BusTiming): number {
  let ms = timing.turnaroundMs + timing.roundTripMs;
  if (timing.baudrate !== undefined) {
    const tc = charTimeMs(timing.baudrate);
    ms += (8 + responseBytes(fn, count)) * tc + 2 * silentIntervalMs(timing.baudrate);
  }
  return ms;
}

/** Assumed network round trip to a Modbus TCP device or gateway on a LAN (ms). */
export const LAN_ROUND_TRIP_MS = 1;

/** The timing a connection's requests are charged with. */
export function timingOf(conn: {
  type: 'tcp' | 'rtuovertcp' | 'serial';
  baudrate: number;
  turnaroundMs: number;
}): BusTiming {
  return {
    baudrate: conn.type === 'tcp' ? undefined : conn.baudrate,
    turnaroundMs: conn.turnaroundMs,
    roundTripMs: conn.type === 'serial' ? 0 : LAN_ROUND_TRIP_MS,
  };
}
