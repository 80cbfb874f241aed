/**
 * A large site for the dashboard's budget: the scale benchmark's commercial inverters (about
 * `entities` values on one Modbus TCP gateway) polled by the real app, with its optimizer and
 * dashboard, in virtual time through a virtual bus; after `warmupMs` every entity has values, reads
 * and series points. The dashboard itself listens on a real loopback port.
 */
import { createApp, type App } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { hashSeed, seededRandom } from '../src/core/random.js';
import { VirtualClock } from '../src/core/virtualClock.js';
import { LAN_ROUND_TRIP_MS } from '../src/modbus/costModel.js';
import { SimSite } from '../src/sim/groundTruth.js';
import { DEFAULT_START_MS } from '../src/sim/runner.js';
import { siteOptions } from '../src/sim/sites.js';
import { VirtualBus } from '../src/sim/virtualBus.js';
import { scaledSite } from './scale.js';

export interface BigDashboard {
  app: App;
  clock: VirtualClock;
  url: string;
  entities: number;
  stop(): Promise<void>;
}

export async function bigDashboard(entities: number, warmupMs = 60_000, seed = 1): Promise<BigDashboard> {
  const spec = scaledSite(entities);
  const clock = new VirtualClock(DEFAULT_START_MS);
  const site = new SimSite(spec, { seed, startMs: clock.now(), recordChanges: false });
  const options = siteOptions(spec, 'gateway.sim', 502);
  const resolved = resolveOptions({ ...options, optimizer: { enabled: false } });
  const app = createApp({
    clock, random: seededRandom(hashSeed('web', seed)), logger: createMemoryLogger(), statusEveryMs: 0,
    connections: resolved.connections, entities: resolved.entities, optimizer: resolved.optimizer,
    createBus: (_conn, key) => new VirtualBus({ key, clock, devices: site.devices, timing: { baudrate: undefined, roundTripMs: LAN_ROUND_TRIP_MS } }),
    web: { port: 0, host: '127.0.0.1', ingressOnly: false },
  });
  await app.start();
  await clock.advance(warmupMs);
  const url = app.web?.url();
  if (url === undefined) throw new Error('the dashboard of the large site did not start');
  return {
    app, clock, url, entities: resolved.entities.length,
    async stop() {
      // The HTTP server closes on real I/O, which the virtual-time loop below would starve.
      await app.web?.stop();
      let done = false;
      const stopping = app.stop().finally(() => {
        done = true;
      });
      while (!done) await clock.advance(1000);
      await stopping;
    },
  };
}
