/**
 * Simulated sites behind the real app with its optimizer and dashboard, in virtual time through
 * virtual buses (the sites' own line timing), with the site's context (sun.sun, running states) fed
 * in: after `warmupMs` every entity has values and reads, and the series have points. The dashboard
 * itself listens on a real loopback port. `bigDashboard` is the budget's large site (the scale
 * benchmark's commercial inverters on one TCP gateway); the README's screenshots use solar-home
 * after simulated days of learning.
 */
import { createApp, type App } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { SettableContext } from '../src/core/context.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { hashSeed, seededRandom } from '../src/core/random.js';
import { VirtualClock } from '../src/core/virtualClock.js';
import { LAN_ROUND_TRIP_MS } from '../src/modbus/costModel.js';
import { busKeyOf } from '../src/modbus/types.js';
import { ContextFeed } from '../src/sim/contextFeed.js';
import { SimSite } from '../src/sim/groundTruth.js';
import { DEFAULT_START_MS } from '../src/sim/runner.js';
import type { SimDevice } from '../src/sim/simDevice.js';
import { siteOptions, type SiteSpec } from '../src/sim/sites.js';
import { VirtualBus } from '../src/sim/virtualBus.js';
import { scaledSite } from './scale.js';

export interface SimulatedDashboard {
  app: App;
  clock: VirtualClock;
  url: string;
  entities: number;
  stop(): Promise<void>;
}

export interface SimulatedOptions {
  warmupMs: number;
  seed?: number;
  /** The optimizer's options (default: its schedule off). */
  optimizer?: Record<string, unknown>;
  /** Series sampling of the dashboard (default 10 s). */
  sampleEveryMs?: number;
  scanIntervalS?: number;
}

export async function simulatedDashboard(spec: SiteSpec, options: SimulatedOptions): Promise<SimulatedDashboard> {
  const seed = options.seed ?? 1;
  const clock = new VirtualClock(DEFAULT_START_MS - options.warmupMs);
  const site = new SimSite(spec, { seed, startMs: clock.now(), recordChanges: false });
  const resolved = resolveOptions({ ...siteOptions(spec, 'gateway.sim', 502, options.scanIntervalS), optimizer: options.optimizer ?? { enabled: false } });
  const byName = new Map(resolved.connections.map((c) => [c.name, c]));
  const devices = new Map<string, SimDevice[]>();
  spec.devices.forEach(({ connection }, i) => {
    const conn = byName.get(connection);
    const device = site.devices[i];
    if (conn && device) devices.set(busKeyOf(conn), [...(devices.get(busKeyOf(conn)) ?? []), device]);
  });
  const context = new SettableContext(spec.contextEntities);
  const feed = new ContextFeed({ clock, site, context });
  const app = createApp({
    clock, random: seededRandom(hashSeed('web', seed)), logger: createMemoryLogger(), statusEveryMs: 0, context,
    connections: resolved.connections, entities: resolved.entities, optimizer: resolved.optimizer,
    createBus: (conn, key) => new VirtualBus({
      key, clock, devices: devices.get(key) ?? [],
      timing: { baudrate: conn.type === 'tcp' ? undefined : conn.baudrate, roundTripMs: conn.type === 'serial' ? 0 : LAN_ROUND_TRIP_MS },
    }),
    web: { port: 0, host: '127.0.0.1', ingressOnly: false, sampleEveryMs: options.sampleEveryMs },
  });
  feed.onChange((c) => app.events.emit('contextChanged', c));
  feed.start();
  await app.start();
  await clock.advance(options.warmupMs);
  const url = app.web?.url();
  if (url === undefined) throw new Error(`the dashboard of the simulated ${spec.name} site did not start`);
  return {
    app, clock, url, entities: resolved.entities.length,
    async stop() {
      // The HTTP server closes on real I/O, which the virtual-time loop below would starve.
      await app.web?.stop();
      feed.stop();
      let done = false;
      const stopping = app.stop().finally(() => {
        done = true;
      });
      while (!done) await clock.advance(1000);
      await stopping;
    },
  };
}

/** About `entities` values (commercial inverters on one TCP gateway) after a minute of polling. */
export function bigDashboard(entities: number, warmupMs = 60_000, seed = 1): Promise<SimulatedDashboard> {
  return simulatedDashboard(scaledSite(entities), { warmupMs, seed });
}
