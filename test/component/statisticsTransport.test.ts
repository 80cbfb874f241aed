// get_statistics shows each bus's transport counters (every attempt, timeouts, busy retries,
// reconnects) beside the poller's block counts: the reliability suite reads the busy retries of an
// exception-6 storm there, and before this the counters were kept but shown nowhere.
import { describe, expect, it } from '@jest/globals';
import { registerModbusCommands } from '../../src/commands/modbusCommands.js';
import { CommandRegistry } from '../../src/commands/registry.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import type { BusStatus, PollerView } from '../../src/modbus/pollerTypes.js';
import type { Bus, BusCounters } from '../../src/modbus/transport.js';
import { busKeyOf } from '../../src/modbus/types.js';
import { loopbackConnection } from '../helpers/ports.js';

describe('get_statistics', () => {
  it('carries the transport counters of each bus, and null for a bus no connection names', async () => {
    const conn = loopbackConnection({ name: 'gw', port: 1502 });
    const key = busKeyOf(conn);
    const counters: BusCounters = { requests: 40, errors: 9, timeouts: 2, busyRetries: 6, reconnects: 1, busyMs: 120 };
    const status = (k: string): BusStatus => ({ key: k, requests: 30, registers: 60, busyMs: 100, modelledBusMs: 90, errors: 3, overruns: 0, cycles: 30, since: 0 });
    const poller = { busStatus: () => [status(key), status('tcp://elsewhere:1')], allEntityStatus: () => [], readSizeList: () => [] } as unknown as PollerView;
    const bus = { key, counters: () => ({ ...counters }) } as unknown as Bus;
    const registry = new CommandRegistry({ clock: createSystemClock(), logger: createMemoryLogger() });
    registerModbusCommands(registry, {
      poller, entities: [], devices: [], connections: [conn], busOf: (name) => (name === 'gw' ? bus : undefined),
      statistics: () => ({}), context: { watched: () => [], current: () => undefined }, allowRawWrites: false,
    });
    const answer = await registry.handle({ command: 'get_statistics' }, { source: 'stdin' });
    expect(answer.success).toBe(true);
    const buses = (answer as { result: { buses: Array<Record<string, unknown>> } }).result.buses;
    expect(buses[0]).toMatchObject({ key, requests: 30, transport: counters });
    expect(buses[1]).toMatchObject({ key: 'tcp://elsewhere:1', transport: null });
  });
});
