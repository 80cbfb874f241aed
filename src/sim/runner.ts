/**
 * The virtual-time runner: builds a site for a seed, resolves the options a user would write for it
 * through the real config code, and runs the real app (createApp: poller, planner, block reader, and
 * whatever else the app wires in as it grows) on a VirtualClock with one VirtualBus per physical bus,
 * for as many simulated hours as asked, in seconds of CPU. A policy sets the intervals and planner;
 * the recorder scores what HA was shown against ground truth with the shared metrics module.
 */
import { createApp, type App } from '../app.js';
import { resolveOptions } from '../config/resolve.js';
import { SettableContext } from '../core/context.js';
import { describeError } from '../core/errors.js';
import { createMemoryLogger, type Logger } from '../core/logger.js';
import { hashSeed, seededRandom } from '../core/random.js';
import { createClockScheduler } from '../core/scheduler.js';
import { VirtualClock } from '../core/virtualClock.js';
import { siteFreshness, type EntityFreshness, type SiteFreshness } from '../metrics/freshness.js';
import { LAN_ROUND_TRIP_MS } from '../modbus/costModel.js';
import type { BusStatus } from '../modbus/pollerTypes.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../modbus/types.js';
import { ContextFeed } from './contextFeed.js';
import { SimSite } from './groundTruth.js';
import type { Policy, PolicyEnv, PolicyRun, PolicySetting } from './policy.js';
import { FreshnessRecorder } from './recorder.js';
import type { SimDevice } from './simDevice.js';
import type { SiteSpec } from './sites.js';
import { siteOptions } from './sites.js';
import { VirtualBus } from './virtualBus.js';

/** Monday 2026-01-05 00:00 UTC: runs start at midnight so whole days hold whole day/night cycles. */
export const DEFAULT_START_MS = Date.UTC(2026, 0, 5);

export interface RunSpec {
  site: SiteSpec;
  policy: Policy;
  setting: PolicySetting;
  seed: number;
  durationMs: number;
  startMs?: number;
  /** Keep every true change time in the site's ground truth (tests); default false. */
  recordChanges?: boolean;
  /** Simulated time run before the measured window (learning policies); default 0. */
  warmupMs?: number;
  /**
   * Where the site's random processes begin (default: the run's own start). Give every policy of a
   * comparison the same epoch (at or before its earliest start) and all see one realisation.
   */
  epochMs?: number;
}

export interface RunResult {
  site: string;
  policy: string;
  setting: PolicySetting;
  seed: number;
  startMs: number;
  durationMs: number;
  figures: SiteFreshness;
  entities: EntityFreshness[];
  buses: BusStatus[];
  /** The ground truth of the run, for tests that look deeper. */
  truth: SimSite;
}

interface World {
  clock: VirtualClock;
  site: SimSite;
  connections: ConnectionDef[];
  entities: EntityDef[];
  busOf: (def: EntityDef) => string;
}

function buildWorld(spec: RunSpec, startMs: number): World {
  const clock = new VirtualClock(startMs);
  const site = new SimSite(spec.site, { seed: spec.seed, startMs, epochMs: spec.epochMs, recordChanges: spec.recordChanges ?? false });
  const { connections, entities } = resolveOptions(siteOptions(spec.site, 'gateway.sim', 502));
  const byName = new Map(connections.map((c) => [c.name, c]));
  const busOf = (def: EntityDef) => busKeyOf(byName.get(def.connection) as ConnectionDef);
  return { clock, site, connections, entities, busOf };
}

/** The devices behind each physical bus (connections sharing a gateway share its bus). */
function devicesByBus(spec: SiteSpec, world: World): Map<string, SimDevice[]> {
  const byName = new Map(world.connections.map((c) => [c.name, c]));
  const out = new Map<string, SimDevice[]>();
  spec.devices.forEach(({ connection }, i) => {
    const key = busKeyOf(byName.get(connection) as ConnectionDef);
    out.set(key, [...(out.get(key) ?? []), world.site.devices[i] as SimDevice]);
  });
  return out;
}

function buildApp(spec: RunSpec, world: World, run: PolicyRun, logger: Logger, recorder: FreshnessRecorder, context: SettableContext): App {
  const { clock } = world;
  const devices = devicesByBus(spec.site, world);
  const entities = world.entities.map((def) => (run.intervalMs ? { ...def, scanIntervalMs: run.intervalMs(def) } : def));
  return createApp({
    clock, random: seededRandom(hashSeed('app', spec.seed)), logger, statusEveryMs: 0,
    connections: world.connections, entities, plan: run.plan, context, learning: false,
    createBus: (conn, key) => new VirtualBus({
      key, clock, devices: devices.get(key) ?? [],
      timing: { baudrate: conn.type === 'tcp' ? undefined : conn.baudrate, roundTripMs: conn.type === 'serial' ? 0 : LAN_ROUND_TRIP_MS },
      onRequest: (req, at, exception) => recorder.onRequest(key, req, at, exception),
    }),
    ...run.appDeps,
  });
}

/** Stops the app while letting virtual time run, so a request in flight can finish. */
async function stopInVirtualTime(app: App, clock: VirtualClock): Promise<void> {
  let done = false;
  const stopping = app.stop().finally(() => {
    done = true;
  });
  // the final state write is real file I/O: each advance waits event-loop turns, so it can complete
  while (!done) await clock.advance(1000);
  await stopping;
}

export async function runSimulation(spec: RunSpec): Promise<RunResult> {
  const startMs = spec.startMs ?? DEFAULT_START_MS;
  const warmupMs = spec.warmupMs ?? spec.policy.warmupMs ?? 0;
  const world = buildWorld(spec, startMs - warmupMs);
  const { clock, site } = world;
  const context = new SettableContext(spec.site.contextEntities);
  const contextFeed = new ContextFeed({ clock, site, context });
  contextFeed.start();
  const run = spec.policy.prepare(spec.setting, { site, connections: world.connections, entities: world.entities, startMs });
  const logger = createMemoryLogger(1000); // the last lines only: a long run at 10,000 entities logs millions
  const rec = new FreshnessRecorder(site, clock, world.entities, world.busOf);
  const app = buildApp(spec, world, run, logger, rec, context);
  app.events.on('recorder', 'sample', (s) => rec.onSample(s));
  contextFeed.onChange((c) => app.events.emit('contextChanged', c));
  const scheduler = createClockScheduler(clock, (name, err) => logger.error(`Job ${name} failed: ${describeError(err)}`));
  await app.start();
  const env: PolicyEnv = { site, connections: world.connections, entities: world.entities, startMs, app, clock, context, contextFeed, scheduler };
  const detach = run.attach?.(env);
  const endMs = startMs + spec.durationMs;
  await clock.runUntil(startMs);
  rec.reset(startMs);
  const base = app.poller.busStatus();
  await clock.runUntil(endMs);
  const entities = rec.finish(endMs);
  const buses = app.poller.busStatus().map((b) => minusBase(b, base.find((x) => x.key === b.key)));
  detach?.();
  scheduler.stop();
  contextFeed.stop();
  await stopInVirtualTime(app, clock);
  const totals = {
    buses: buses.length, requests: sum(buses, (b) => b.requests), registers: sum(buses, (b) => b.registers), busMs: sum(buses, (b) => b.busyMs),
  };
  return {
    site: spec.site.name, policy: spec.policy.name, setting: spec.setting, seed: spec.seed, startMs, durationMs: spec.durationMs,
    figures: siteFreshness(entities, totals, rec.stateWrites(), spec.durationMs), entities, buses, truth: site,
  };
}

/** Bus counters of the measured window only (after a warm-up). */
function minusBase(b: BusStatus, base: BusStatus | undefined): BusStatus {
  if (!base) return b;
  return {
    ...b, requests: b.requests - base.requests, registers: b.registers - base.registers, busyMs: b.busyMs - base.busyMs,
    modelledBusMs: b.modelledBusMs - base.modelledBusMs, errors: b.errors - base.errors, overruns: b.overruns - base.overruns,
    cycles: b.cycles - base.cycles, since: base.since,
  };
}

function sum<T>(list: readonly T[], f: (x: T) => number): number {
  return list.reduce((s, x) => s + f(x), 0);
}
