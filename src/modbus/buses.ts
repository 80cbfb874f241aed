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
import { busKeyOf, mergeUnitLimits, type ConnectionDef, type UnitLimits } from './types.js';

export interface BusFactoryDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  connections: readonly ConnectionDef[];
  createLink?: (conn: ConnectionDef) => Link;
  createBus?: (conn: ConnectionDef, key: string) => Bus;
}

/** Timeouts in a row, no answer between, after which a TCP link is reopened (a half-open connection). */
const REOPEN_AFTER_TIMEOUTS = 3;

export function createBuses(deps: BusFactoryDeps): Map<string, Bus> {
  const buses = new Map<string, Bus>();
  const makeLink = deps.createLink ?? createModbusSerialLink;
  for (const first of deps.connections) {
    const key = busKeyOf(first);
    if (buses.has(key)) continue;
    const units = unitLimitsOfBus(deps.connections.filter((c) => busKeyOf(c) === key));
    const conn: ConnectionDef = { ...first, unitLimits: units };
    const unitPauseMs = new Map([...units].flatMap(([u, l]) => (l.pauseMs === undefined ? [] : [[u, l.pauseMs] as const])));
    const connectPauseMs = Math.max(0, ...[...units.values()].map((l) => l.connectPauseMs ?? 0));
    buses.set(key, deps.createBus?.(conn, key) ?? createBus({
      key, connectionName: conn.name, createLink: () => makeLink(conn), clock: deps.clock, random: deps.random,
      logger: deps.logger, options: { messageWaitMs: conn.messageWaitMs, unitPauseMs, connectPauseMs, ...(conn.type === 'serial' ? {} : { reopenAfterTimeouts: REOPEN_AFTER_TIMEOUTS }) },
    }));
  }
  return buses;
}

/** Every unit's limits on one physical bus, merged over the connections that share it. */
function unitLimitsOfBus(connections: readonly ConnectionDef[]): Map<number, UnitLimits> {
  const units = new Map<number, UnitLimits>();
  for (const c of connections) {
    for (const [unit, limits] of c.unitLimits ?? []) {
      const known = units.get(unit);
      units.set(unit, known === undefined ? limits : mergeUnitLimits(known, limits));
    }
  }
  return units;
}
