/**
 * The real app on one simulated device behind a virtual 9,600-baud bus, in virtual time, with its
 * state file in a given directory: for component tests that restart the app (learned state, option
 * changes) without sockets or wall time.
 */
import { createApp, type App, type AppDeps } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { createMemoryLogger, type Logger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import type { VirtualClock } from '../../src/core/virtualClock.js';
import { SimDevice, type SimPointSpec } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';

export interface SimAppSpec {
  clock: VirtualClock;
  /** Data directory (the state file goes here). */
  dir: string;
  /** Raw options, as a user writes them. */
  options: unknown;
  /** The device's points (unit 1, holding registers from 0 to past the last point mapped, at least 0 … 9). */
  points: SimPointSpec[];
  logger?: Logger;
  /** Process probes for the resource check (default none). */
  resourceProbes?: AppDeps['resourceProbes'];
  /** Mean gap between audit reads (ms). */
  auditEveryMs?: number;
}

export function buildSimApp(spec: SimAppSpec): App {
  const { clock } = spec;
  const resolved = resolveOptions(spec.options);
  const device = new SimDevice({ name: 'dev', unitId: 1, turnaroundMs: 20, ranges: { holding: [[0, Math.max(10, ...spec.points.map((p) => p.address + 2))]] }, points: spec.points }, 3, clock.now());
  return createApp({
    clock, random: seededRandom(1), logger: spec.logger ?? createMemoryLogger(), connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: 0, optimizer: resolved.optimizer, dataDir: spec.dir, resourceProbes: spec.resourceProbes,
    ...(spec.auditEveryMs !== undefined ? { auditEveryMs: spec.auditEveryMs } : {}),
    createBus: (_conn, key) => new VirtualBus({ key, clock, devices: [device], timing: { baudrate: 9600, roundTripMs: 1 } }),
  });
}

/** Stops the app, advancing virtual time so its last reads and the state write can finish. */
export async function stopSimApp(app: App, clock: VirtualClock): Promise<void> {
  const done = app.stop();
  for (let i = 0; i < 10; i++) await clock.advance(1000);
  await done;
}
