/**
 * The commands that exist before the optimizer: get_statistics and read_now here, the writes in
 * writeCommands.ts. They reach the Modbus side only through the poller's view, the entity and
 * connection definitions and a bus lookup, so tests run them against simulated devices.
 */
import { isoOrNull as iso } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { BusCounters } from '../modbus/transport.js';
import { busKeyOf, type DeviceDef, type EntityDef } from '../modbus/types.js';
import { entityArg, type ModbusCommandDeps } from './modbusArgs.js';
import type { CommandRegistry } from './registry.js';
import { registerWriteCommands } from './writeCommands.js';

export function registerModbusCommands(registry: CommandRegistry, deps: ModbusCommandDeps): void {
  registry.register({
    name: 'get_statistics',
    summary: 'statistics sensors, per-bus counters, per-entity figures and context states',
    parse: (args) => args.finish(),
    run: () => Promise.resolve({
      sensors: deps.statistics(),
      context: Object.fromEntries(deps.context.watched().map((id) => {
        const c = deps.context.current(id);
        return [id, c ? { state: c.state, last_changed: iso(c.lastChanged) } : null];
      })),
      // the poller's block counts, and the transport's own: every attempt, timeouts, busy retries, reconnects
      buses: deps.poller.busStatus().map((b) => ({ ...b, transport: transportCounters(deps, b.key) ?? null })),
      read_sizes: deps.poller.readSizeList().map((r) => ({
        bus: r.bus, unit_id: r.unitId, largest_ok: r.largestOk, smallest_refused: r.smallestRefused ?? null, max_registers: r.maxRegisters ?? null,
      })),
      entities: deps.poller.allEntityStatus().map((s) => ({
        id: s.id, interval_s: s.intervalMs / 1000, polls: s.polls, changes: s.changes, errors: s.errors,
        value: s.lastValue ?? null, last_read: iso(s.lastReadAt), last_change: iso(s.lastChangeAt),
        last_error: s.lastError ?? null, ...(s.countersHeld > 0 ? { counter_readings_held: s.countersHeld } : {}),
      })),
      ...deps.moreStatistics?.(),
    }),
  });

  registry.register({
    name: 'read_now',
    summary: 'read one entity now: {"entity": "<id>"}, or every entity of a device: {"device": "<device id>"}',
    parse: (args) => {
      if (args.has('device') && !args.has('entity')) {
        const id = args.string('device');
        const device = deps.devices.find((d) => d.id === id);
        if (!device && id !== '') args.problem('invalid_argument', `device "${id}" is not configured (known: ${deps.devices.map((d) => d.id).join(', ')})`);
        args.finish();
        return device as DeviceDef;
      }
      const def = entityArg(args, deps.entities);
      args.finish();
      return def as EntityDef;
    },
    run: async (target) => {
      if ('entityIds' in target) return readDevice(deps, target);
      const sample = await deps.poller.readNow(target.id);
      return { entity: target.id, value: sample.value, at: iso(sample.at) };
    },
  });

  registerWriteCommands(registry, deps);
}

/** The transport counters of the bus with this key (a connection on it names it to busOf). */
function transportCounters(deps: ModbusCommandDeps, busKey: string): BusCounters | undefined {
  const conn = deps.connections.find((c) => busKeyOf(c) === busKey);
  return conn && deps.busOf(conn.name)?.counters();
}

/** Reads every entity of a device (the bus queue merges them into block reads); failures are listed, not thrown. */
async function readDevice(deps: ModbusCommandDeps, device: DeviceDef): Promise<unknown> {
  const outcomes = await Promise.allSettled(device.entityIds.map((id) => deps.poller.readNow(id)));
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  outcomes.forEach((o, i) => {
    const id = device.entityIds[i] ?? '';
    if (o.status === 'fulfilled') values[id] = o.value.value;
    else errors[id] = describeError(o.reason);
  });
  return { device: device.id, values, ...(Object.keys(errors).length > 0 ? { errors } : {}) };
}
