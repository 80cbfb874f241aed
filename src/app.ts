/**
 * The composition root: wires clock, logger, buses, planner, poller, entity statistics, the
 * optimizer, the store, the command registry and the Home Assistant side from one typed deps
 * object. It owns the lifecycle: start in order, stop in reverse, and one failing part does not stop
 * the others from shutting down. Tests and the simulator build it with fakes; main.ts builds it with
 * the real world.
 */
import type { Readable } from 'node:stream';
import { registerModbusCommands } from './commands/modbusCommands.js';
import { CommandRegistry } from './commands/registry.js';
import { StdinIntake } from './commands/stdinIntake.js';
import type { CommandEvents } from './commands/types.js';
import type { ResolvedOptimizerOptions } from './config/optimizerOptions.js';
import type { Clock, Repeating } from './core/clock.js';
import type { ContextSource } from './core/context.js';
import { describeError } from './core/errors.js';
import { EventBus } from './core/eventBus.js';
import type { Logger } from './core/logger.js';
import type { Random } from './core/random.js';
import { Lifecycle, type Part } from './core/lifecycle.js';
import { createClockScheduler, type Scheduler } from './core/scheduler.js';
import { HaContext } from './ha/contextStates.js';
import { HomeAssistant, type HaEvents, type HomeAssistantDeps } from './ha/homeAssistant.js';
import { optimizerPlaceholders, pollerStatisticsProvider } from './telemetry/pollerFigures.js';
import { StatisticsSensors } from './telemetry/statisticsSensors.js';
import { createBuses } from './modbus/buses.js';
import { persistedHoles } from './modbus/holesState.js';
import { persistedReadSizes } from './modbus/readSizes.js';
import { Poller, type PollerDeps } from './modbus/poller.js';
import type { PollerEvents } from './modbus/pollerTypes.js';
import type { Bus, Link } from './modbus/transport.js';
import { busKeyOf, type ConnectionDef, type DeviceDef, type EntityDef, type ProxyDef } from './modbus/types.js';
import { CachingBus } from './modbus/proxy/cachingBus.js';
import { ProxyServer } from './modbus/proxy/proxyServer.js';
import { writableRange } from './modbus/proxy/writePermission.js';
import { entitiesTouching } from './modbus/proxy/pollingCover.js';
import { ClientDemand, followDemand } from './modbus/proxy/clientDemand.js';
import { groupDevices } from './config/deviceGroups.js';
import type { BrokerSettings } from './mqtt/brokerSettings.js';
import { MqttFace } from './mqtt/mqttFace.js';
import type { ConnectFn } from './mqtt/mqttLink.js';
import { entityFreshness } from './telemetry/entityFreshness.js';
import { proxyStatisticsProvider } from './telemetry/proxyFigures.js';
import { registerOptimizerCommands } from './commands/optimizerCommands.js';
import { OptimizerService } from './optimizer/optimizerService.js';
import { persistedOptimizer } from './optimizer/optimizerState.js';
import { ResourceMonitor, type ResourceProbes } from './optimizer/resources.js';
import { meanStalenessMs } from './optimizer/staleness.js';
import { createEntityStats, type EntityStatsService } from './stats/entityStats.js';
import { APP_STATE_FILE, appStateSchema, type AppState } from './store/appState.js';
import { JsonStore } from './store/jsonStore.js';
import { memoryStateFile } from './store/stateFile.js';
import { StateKeeper } from './store/stateKeeper.js';
import { DataLock, type DataLockDeps } from './store/dataLock.js';
import { persistedStats } from './stats/statsState.js';
import { BusWindows } from './telemetry/busWindows.js';
import { busProbes } from './telemetry/busProbes.js';
import { consoleStatus, reportFirstPoll } from './telemetry/consoleStatus.js';
import { optimizerStatistics, optimizerStatisticsProvider } from './telemetry/optimizerFigures.js';
import { optimizerView } from './telemetry/optimizerView.js';
import { WebServer, type WebOptions } from './web/server.js';

export interface AppDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  connections: readonly ConnectionDef[];
  entities: readonly EntityDef[];
  /** Home Assistant devices the entities belong to; default one per connection and unit. */
  devices?: readonly DeviceDef[];
  /** The MQTT broker: entities become real HA entities by MQTT discovery (REST states are then off). */
  mqtt?: { broker: BrokerSettings; connect?: ConnectFn; scanTimeoutMs?: number };
  /** Caching Modbus TCP servers for other masters (option proxies, resolved for the mode). */
  proxies?: readonly ProxyDef[];
  /** Option allow_raw_writes: writes by address, unit and connection, not only to writable entities. */
  allowRawWrites?: boolean;
  /** The app's version (package.json), shown as the MQTT origin's. */
  version?: string;
  /** Builds the client for a connection; default is modbus-serial. */
  createLink?: (conn: ConnectionDef) => Link;
  /** Builds the bus for a physical bus key (simulation passes virtual buses); default wraps createLink. */
  createBus?: (conn: ConnectionDef, key: string) => Bus;
  /** Read planner; default is the cost-model planner (baselines pass their own). */
  plan?: PollerDeps['plan'];
  /** How often per-bus statistics and values are logged (0 = never). */
  statusEveryMs?: number;
  /** Home Assistant to connect to (URL, token); undefined = HA off, said once at start. */
  homeAssistant?: HomeAssistantDeps['connection'];
  /** Option context_entities: HA entities watched for the optimizer. */
  contextEntities?: readonly string[];
  /** A context source other than HA's (the simulator's); HA's is used when absent. */
  context?: ContextSource;
  /** JSON-line commands (main.ts passes process.stdin). */
  commandInput?: Readable;
  /** How often the statistics sensors are computed and published (default 30 s). */
  statisticsEveryMs?: number;
  /** Reads must keep failing this long before a sensor shows unavailable (default 60 s). */
  unavailableAfterMs?: number;
  /** The optimization loop's options; undefined = no optimizer (baselines, plain polling). */
  optimizer?: ResolvedOptimizerOptions;
  /** Mean gap between the optimizer's audit reads (ms); default one a minute. */
  auditEveryMs?: number;
  /** Learn entity statistics (default true; always on with an optimizer). Baselines in the simulator switch it off. */
  learning?: boolean;
  /** Periodic jobs; default fires from `clock` (main.ts passes node-schedule). */
  scheduler?: Scheduler;
  /** Where state is kept; undefined = in memory only (tests, simulation). */
  dataDir?: string;
  /** This process, for the data folder's lock (main.ts passes it; without it no lock is taken). */
  instance?: Pick<DataLockDeps, 'pid' | 'isRunning'>;
  /** Process probes for the resource check of heavy cycles (main.ts passes CPU load and event-loop lag); the bus figures come from the app. */
  resourceProbes?: Pick<ResourceProbes, 'cpuLoad' | 'loopLagMs'>;
  /** The dashboard server (ingress in app mode, loopback standalone); undefined = no dashboard. */
  web?: WebOptions;
}

export type AppEvents = PollerEvents & HaEvents & CommandEvents;

export interface App {
  readonly events: EventBus<AppEvents>;
  readonly poller: Poller;
  /** Context states from HA (or the simulator). */
  readonly context: ContextSource;
  /** Every command, whichever way it comes. */
  readonly commands: CommandRegistry;
  /** The sensor.modbus_optimizer_* providers. */
  readonly statistics: StatisticsSensors;
  readonly homeAssistant: HomeAssistant;
  readonly stats: EntityStatsService;
  /** Present when deps.optimizer was given. */
  readonly optimizer: OptimizerService | undefined;
  /** Present when deps.web was given. */
  readonly web: WebServer | undefined;
  /** Present when deps.mqtt was given. */
  readonly mqtt: MqttFace | undefined;
  /** One per deps.proxies entry. */
  readonly proxies: ProxyServer[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Writes the learned state now. */
  save(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const { clock, logger } = deps;
  const devices = deps.devices ?? groupDevices(deps.entities, []);
  const events = new EventBus<AppEvents>(logger);
  const buses = createBuses(deps);
  const conns = new Map(deps.connections.map((c) => [c.name, c]));
  // A proxied line's bus records what passes through it, for the proxy's cache (poller and proxy share it).
  const cachingBuses = new Map<string, CachingBus>();
  for (const p of deps.proxies ?? []) {
    const conn = conns.get(p.connection);
    const bus = conn && buses.get(busKeyOf(conn));
    if (!bus || cachingBuses.has(bus.key)) continue;
    const caching = new CachingBus(bus, clock);
    cachingBuses.set(bus.key, caching);
    buses.set(bus.key, caching);
  }
  const poller = new Poller({ clock, logger, connections: deps.connections, entities: deps.entities, buses, events, plan: deps.plan });
  const busWindows = new BusWindows(poller, clock);
  const haContext = new HaContext({
    entityIds: deps.contextEntities ?? [], clock, logger, onChange: (c) => events.emit('contextChanged', c),
  });
  const context = deps.context ?? haContext;
  const scheduler = deps.scheduler ?? createClockScheduler(clock, (name, err) => logger.error(`Job ${name} failed: ${describeError(err)}`));
  const stats = createEntityStats({ clock, logger, events, context, scheduler });
  const resources = new ResourceMonitor(clock, logger, { ...busProbes(busWindows, clock), ...deps.resourceProbes });
  const statistics = new StatisticsSensors();
  statistics.register(pollerStatisticsProvider(poller, busWindows, stats));
  statistics.register(optimizerPlaceholders());
  const store = new JsonStore<AppState>({
    file: `${deps.dataDir ?? '.'}/${APP_STATE_FILE}`, clock, logger, schema: appStateSchema,
    stateFile: deps.dataDir === undefined ? memoryStateFile() : undefined,
    beforeWrite: (data) => keeper.fill(data), // copies the learned state once per write
  });
  const optimizer: OptimizerService | undefined = deps.optimizer && new OptimizerService({
    clock, logger, scheduler, poller, stats, events, entities: deps.entities, connections: deps.connections,
    options: deps.optimizer, parameters: deps.optimizer.parameters, resources, busWindows, random: deps.random,
    persist: (immediate): Promise<void> => keeper.save(immediate), // called only after start, when keeper exists
    ...(deps.auditEveryMs !== undefined ? { auditEveryMs: deps.auditEveryMs } : {}),
    stalenessMs: () => meanStalenessMs(poller.allEntityStatus(), stats) ?? 0,
  });
  const keeper: StateKeeper = new StateKeeper({
    store, clock, logger, entityIds: deps.entities.map((e) => e.id),
    parts: [
      persistedHoles(poller, (n) => logger.info(`Restored ${n} learned illegal-address ranges`)),
      persistedReadSizes(poller),
      persistedStats(stats, deps.entities.map((e) => e.id), (line) => logger.info(line)),
      ...(optimizer ? [persistedOptimizer(optimizer)] : []),
    ],
    onOptionsChanged: optimizer && ((what, before, after) => optimizer.loop.auditAutomatic(what, before, after)),
  });
  const commands = new CommandRegistry({ clock, logger });
  const auditWrite = (by: string, what: string, before: unknown, after: unknown) => {
    logger.info(`Audit: ${by} ${what} → ${JSON.stringify(after)}`);
    optimizer?.loop.auditBy(by, what, before, after);
  };
  const figuresOf = (svc: OptimizerService) => optimizerStatistics(svc, clock.now(), svc.settings().enabled, deps.optimizer?.budget ?? 0, svc.settings().goal);
  const optimizerFigures = () => optimizer && figuresOf(optimizer);
  registerModbusCommands(commands, {
    poller, entities: deps.entities, devices, connections: deps.connections, statistics: () => statistics.values(), context,
    busOf: (name) => { const c = conns.get(name); return c && buses.get(busKeyOf(c)); },
    moreStatistics: () => ({ ...(optimizer ? { optimizer: optimizerFigures() } : {}), state_file: { ...store.counters } }),
    allowRawWrites: deps.allowRawWrites ?? false, audit: auditWrite,
  });
  if (optimizer) {
    registerOptimizerCommands(commands, optimizer.loop, optimizer);
    statistics.register(optimizerStatisticsProvider(() => figuresOf(optimizer)));
  }
  commands.onResult((outcome) => events.emit('commandHandled', outcome));
  if (deps.homeAssistant) logger.addSecret(deps.homeAssistant.token);
  const homeAssistant = new HomeAssistant({
    clock, random: deps.random, logger, events, entities: deps.entities, context: haContext, statistics, commands,
    connection: deps.homeAssistant, statisticsEveryMs: deps.statisticsEveryMs ?? 30_000,
    unavailableAfterMs: deps.unavailableAfterMs ?? 60_000, publishStates: deps.mqtt === undefined,
  });
  if (deps.mqtt?.broker.password !== undefined) logger.addSecret(deps.mqtt.broker.password);
  const mqtt = deps.mqtt && new MqttFace({
    clock, random: deps.random, logger, events, entities: deps.entities, devices, statistics, commands,
    broker: deps.mqtt.broker, connect: deps.mqtt.connect, scanTimeoutMs: deps.mqtt.scanTimeoutMs, version: deps.version ?? 'unknown',
    statisticsEveryMs: deps.statisticsEveryMs ?? 30_000, unavailableAfterMs: deps.unavailableAfterMs ?? 60_000,
    freshness: (id) => {
      const status = poller.entityStatus(id);
      return status && entityFreshness(status, stats.currentRate(id));
    },
    controls: {
      optimizer: optimizer && {
        goal: () => optimizer.settings().goal,
        enabled: () => optimizer.settings().enabled,
        strategies: () => optimizer.loop.strategyNames().flatMap((name) => {
          const s = optimizer.loop.strategy(name);
          return s ? [{ name, specs: s.parameterSpecs, parameters: () => optimizer.loop.learned(s).parameters }] : [];
        }),
      },
    },
  });
  const status = consoleStatus({
    clock, logger, entities: deps.entities, connections: deps.connections, poller, busWindows, statusEveryMs: deps.statusEveryMs,
    stalenessMs: (entities) => meanStalenessMs(entities, stats), lastOptimizerAction: () => optimizer?.loop.state.audit.at(-1),
  });
  reportFirstPoll({ logger, entities: deps.entities, connections: deps.connections, poller }, events);
  const web = deps.web && new WebServer({
    clock, logger, commands, options: deps.web,
    source: {
      clock, poller, stats, busWindows, entities: deps.entities, connections: deps.connections,
      optimizer: optimizer && optimizerView(optimizer, () => figuresOf(optimizer)),
      transport: () => {
        if (mqtt) return { kind: 'mqtt', connected: mqtt.connected, target: deps.mqtt?.broker.url ?? null };
        const link = homeAssistant.link;
        return link ? { kind: 'rest', connected: link.connected, target: deps.homeAssistant?.url ?? null } : { kind: 'off', connected: false, target: null };
      },
      proxies: () => proxies, // built below; read only when a page asks
    },
  });
  const demands: Array<{ demand: ClientDemand; follower?: Repeating }> = [];
  const proxies = (deps.proxies ?? []).flatMap((def) => {
    const conn = conns.get(def.connection);
    const bus = conn && cachingBuses.get(busKeyOf(conn));
    if (!conn || !bus) return [];
    const demand = new ClientDemand(def.maxAgeMs);
    demands.push({ demand });
    return [new ProxyServer({
      onClientRead: (unitId, fn, address, count) => demand.observe(entitiesTouching(deps.entities, conn.name, unitId, fn, address, count), clock.now()),
      clock, logger, def, bus, audit: (by, what, after) => auditWrite(by, what, null, after),
      writable: (unitId, table, address, count) => deps.allowRawWrites === true || writableRange(deps.entities, conn.name, unitId, table, address, count),
      onDeviceRead: (unitId, fn, address, count) => poller.registersAnswered(conn.name, { unitId, fn, address, count }),
      readThroughPolling: (unitId, fn, address, count) => poller.readSpan(conn.name, { unitId, fn, address, count }, (id) => demand.periodMs(id)),
    })];
  });
  if (proxies.length > 0) statistics.register(proxyStatisticsProvider(proxies));
  const stdin = deps.commandInput && new StdinIntake({ input: deps.commandInput, registry: commands, logger });

  const lock = deps.dataDir !== undefined && deps.instance ? new DataLock({ dir: deps.dataDir, logger, ...deps.instance }) : undefined;
  const lifecycle = new Lifecycle(logger, [
    lock && { name: 'data folder lock', start: () => lock.acquire(), stop: () => lock.release() },
    // The final state save (the keeper's stop) runs after every part below has stopped.
    { name: 'state', start: () => keeper.load(), stop: () => keeper.stop() },
    { name: 'scheduler', stop: () => scheduler.stop() },
    ...[...buses.values()].map((b): Part => ({ name: `bus ${b.key}`, start: () => b.start(), stop: () => b.stop() })),
    { name: 'poller', start: () => poller.start(), stop: () => poller.stop() },
    deps.learning !== false || optimizer ? { name: 'entity statistics', start: () => stats.start(), stop: () => stats.stop() } : undefined,
    { name: 'resource monitor', start: () => resources.start(), stop: () => resources.stop() },
    optimizer && { name: 'optimizer', start: () => optimizer.start(), stop: () => optimizer.stop() },
    { name: 'periodic state saves', start: () => keeper.start(), stop: () => keeper.stopTimer() },
    { name: 'status log', start: () => status.start(), stop: () => status.stop() },
    { name: 'polling summary', start: () => logger.info(`Polling ${deps.entities.length} entities on ${buses.size} bus(es)`) },
    { name: 'Home Assistant', start: () => homeAssistant.start(), stop: () => homeAssistant.stop() },
    mqtt && { name: 'MQTT', start: () => mqtt.start(), stop: () => mqtt.stop() },
    stdin && { name: 'stdin commands', start: () => stdin.start(), stop: () => stdin.stop() },
    web && { name: 'dashboard', start: () => web.start(), stop: () => web.stop() },
    ...proxies.map((p, i): Part => ({ name: `Modbus proxy ${i + 1}`, start: () => p.start().then(() => undefined), stop: () => p.stop() })),
    demands.length > 0 ? {
      name: 'other masters\' demand',
      start: () => { for (const d of demands) d.follower = followDemand(clock, d.demand, (id, cap) => poller.setDemandCap(id, cap)); },
      stop: () => { for (const d of demands) d.follower?.stop(); },
    } : undefined,
  ]);

  return {
    events, poller, context, commands, statistics, homeAssistant, stats, optimizer, web, mqtt, proxies,
    start: () => lifecycle.start(),
    async stop() {
      await lifecycle.stop();
      events.removeOwner('app');
    },
    save: () => keeper.save(true),
  };
}
