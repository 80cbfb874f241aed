/**
 * Writes with the function a device takes (issue 14, item 6): an entity with `write_function: 6`
 * reaches the bus as a single-register write (fc 6), the default stays fc 16, and the option is
 * refused where fc 6 cannot carry the value. The write command runs against a simulated device
 * behind a recording bus; the read-back comes from the real poller.
 */
import { describe, expect, it } from '@jest/globals';
import { registerModbusCommands } from '../../src/commands/modbusCommands.js';
import { CommandRegistry } from '../../src/commands/registry.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { Poller } from '../../src/modbus/poller.js';
import type { PollerEvents } from '../../src/modbus/pollerTypes.js';
import type { WriteRegistersRequest } from '../../src/modbus/transport.js';
import { constant, row } from '../../src/sim/points.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';

const options = (extra: Record<string, unknown>) => ({
  connections: [{ name: 'heat', type: 'tcp', host: 'hp', port: 502 }],
  entities: [
    { name: 'Flow setpoint', connection: 'heat', address: 10, writable: true, ...extra },
    { name: 'Mode', connection: 'heat', address: 11, writable: true },
  ],
});

async function writesOf(extra: Record<string, unknown>): Promise<Array<{ address: number; single: boolean }>> {
  const resolved = resolveOptions(options(extra));
  const clock = new VirtualClock(0);
  const device = new SimDevice({ name: 'hp', unitId: 1, turnaroundMs: 5, ranges: { holding: [[0, 20]] }, points: [row('x', 'x', 'holding', 10, 'uint16', '', constant(40))] }, 1, 0);
  const bus = new VirtualBus({ key: 'tcp://hp:502', clock, devices: [device], timing: { baudrate: undefined, roundTripMs: 1 } });
  const seen: Array<{ address: number; single: boolean }> = [];
  const write = bus.writeRegisters.bind(bus);
  bus.writeRegisters = (req: WriteRegistersRequest) => { seen.push({ address: req.address, single: req.single === true }); return write(req); };
  const poller = new Poller({ clock, logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities, buses: new Map([[bus.key, bus]]), events: new EventBus<PollerEvents>() });
  const registry = new CommandRegistry({ clock, logger: createMemoryLogger() });
  registerModbusCommands(registry, {
    poller, entities: resolved.entities, devices: [], connections: resolved.connections, busOf: () => bus,
    statistics: () => ({}), context: { watched: () => [], current: () => undefined }, allowRawWrites: false,
  });
  poller.start();
  for (const [entity, value] of [['flow_setpoint', 42], ['mode', 2]] as const) {
    const done = registry.handle({ command: 'write_register', entity, value }, { source: 'stdin' });
    await clock.advance(1000);
    expect(await done).toMatchObject({ success: true, result: { verified: true } });
  }
  const stopped = poller.stop();
  await clock.advance(10_000);
  await stopped;
  return seen;
}

describe('write_function', () => {
  it('6 sends a single-register write; other entities keep function 16', async () => {
    expect(await writesOf({ write_function: 6 })).toEqual([{ address: 10, single: true }, { address: 11, single: false }]);
  });

  it('default is 16', async () => {
    expect(await writesOf({})).toEqual([{ address: 10, single: false }, { address: 11, single: false }]);
  });

  it('is refused where function 6 cannot carry the value', () => {
    const problems = (extra: Record<string, unknown>): string[] => {
      try { resolveOptions(options(extra)); return []; } catch (err) { return err instanceof ConfigError ? err.problems : ['not a ConfigError']; }
    };
    expect(problems({ write_function: 6, data_type: 'float32' })).toEqual([expect.stringMatching(/write_function 6 writes one register; data_type float32 takes more/)]);
    expect(problems({ write_function: 7 })).toEqual([expect.stringMatching(/write_function 7 is not 6 or 16/)]);
  });
});
