/**
 * What a request to a simulated device comes to, in one place for every simulated transport (the
 * virtual bus and the simulated link): how long the line is busy and whether it ends in data, the
 * device's exception, or a timeout after the caller's timeout when the device stays silent — the
 * errors a real link throws.
 */
import type { ModbusContext } from '../core/errors.js';
import { ModbusExceptionError, ModbusTimeoutError } from '../core/errors.js';
import type { SimReadResult } from './simDevice.js';

export type SimOutcome =
  | { waitMs: number; data: number[] }
  | { waitMs: number; error: ModbusExceptionError | ModbusTimeoutError };

/** `costMs`: the modelled line time of an answer; `timeoutMs`: how long a silent device is waited for. */
export function simOutcome(result: SimReadResult, costMs: number, timeoutMs: number, ctx: ModbusContext): SimOutcome {
  if ('silent' in result) return { waitMs: timeoutMs, error: new ModbusTimeoutError(`no reply within ${timeoutMs} ms`, ctx) };
  if ('exception' in result) return { waitMs: costMs, error: new ModbusExceptionError(result.exception, ctx) };
  return { waitMs: costMs, data: result.data };
}
