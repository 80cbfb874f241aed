/**
 * One Bus per physical bus: connections that share a gateway address or a serial port share one
 * bus (one request in flight). Simulation passes its own bus factory; production wraps a
 * modbus-serial link per bus.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { createBus } from './bus.js';
import { createModbusSerialLink } from './link.js';
import type { Bus, Link } from './transport.js';
import { busKeyOf, type ConnectionDef } from './types.js';

export interface BusFactoryDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  connections: readonly ConnectionDef[];
  createLink?: (conn: ConnectionDef) => Link;
  createBus?: (conn: ConnectionDef, key: string) => Bus;
}

export function createBuses(deps: BusFactoryDeps): Map<string, Bus> {
  const buses = new Map<string, Bus>();
  const makeLink = deps.createLink ?? createModbusSerialLink;
  for (const conn of deps.connections) {
    const key = busKeyOf(conn);
    if (buses.has(key)) continue;
    buses.set(key, deps.createBus?.(conn, key) ?? createBus({
      key, connectionName: conn.name, createLink: () => makeLink(conn), clock: deps.clock, random: deps.random,
      logger: deps.logger, options: { messageWaitMs: conn.messageWaitMs },
    }));
  }
  return buses;
}
