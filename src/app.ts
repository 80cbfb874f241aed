/**
 * The composition root: wires clock, logger, buses, planner, poller, the command registry and the
 * Home Assistant side (and, as they arrive, stats, optimizer, store and the dashboard) from one typed
 * deps object. It owns the
 * lifecycle: start in order, stop in reverse, and one failing part does not stop the others from
 * shutting down. Tests build it with fakes; main.ts builds it with the real world.
 */
import type { Readable } from 'node:stream';
import { registerModbusCommands } from './commands/modbusCommands.js';
import { CommandRegistry } from './commands/registry.js';
import { StdinIntake } from './commands/stdinIntake.js';
import type { CommandEvents } from './commands/types.js';
import type { Clock, TimerHandle } from './core/clock.js';
import type { ContextSource } from './core/context.js';
import { EventBus, describeError } from './core/eventBus.js';
import type { Logger } from './core/logger.js';
import type { Random } from './core/random.js';
import { createBus } from './modbus/bus.js';
import { HoleSet } from './modbus/holes.js';
import { createModbusSerialLink } from './modbus/link.js';
import { Poller, type PollerDeps } from './modbus/poller.js';
import type { PollerEvents } from './modbus/pollerTypes.js';
import { busDelta, formatBusDelta, formatValues } from './modbus/statusReport.js';
import type { Bus, Link } from './modbus/transport.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from './modbus/types.js';
import type { BusStats } from './modbus/pollerTypes.js';
import { HaContext } from './ha/contextStates.js';
import { HomeAssistant, type HaEvents, type HomeAssistantDeps } from './ha/homeAssistant.js';
import { optimizerPlaceholders, pollerStatisticsProvider } from './ha/pollerStatistics.js';
import { StatisticsSensors } from './ha/statistics.js';

export interface AppDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  connections: readonly ConnectionDef[];
  entities: readonly EntityDef[];
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
  /** JSON-line commands (main.ts passes process.stdin). */
  commandInput?: Readable;
  /** How often the statistics sensors are computed and published (default 30 s). */
  statisticsEveryMs?: number;
  /** Reads must keep failing this long before a sensor shows unavailable (default 60 s). */
  unavailableAfterMs?: number;
}

export type AppEvents = PollerEvents & HaEvents & CommandEvents;

export interface App {
  readonly events: EventBus<AppEvents>;
  readonly poller: Poller;
  /** Context states from HA (empty when HA is off). */
  readonly context: ContextSource;
  /** Every command, whichever way it comes; the optimizer registers its own here. */
  readonly commands: CommandRegistry;
  /** The sensor.modbus_optimizer_* providers; the optimizer registers its own here. */
  readonly statistics: StatisticsSensors;
  readonly homeAssistant: HomeAssistant;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const { clock, logger } = deps;
  const events = new EventBus<AppEvents>(logger);
  const buses = createBuses(deps);
  const holes = new HoleSet();
  const poller = new Poller({
    clock, logger, connections: deps.connections, entities: deps.entities, buses, holes, events, plan: deps.plan,
  });
  const status = statusLogger(deps, poller);
  reportFirstPoll(deps, events);
  const context = new HaContext({
    entityIds: deps.contextEntities ?? [], clock, logger, onChange: (c) => events.emit('contextChanged', c),
  });
  const statistics = new StatisticsSensors();
  statistics.register(pollerStatisticsProvider(poller, clock.now()));
  statistics.register(optimizerPlaceholders());
  const commands = new CommandRegistry({ clock, logger });
  const conns = new Map(deps.connections.map((c) => [c.name, c]));
  registerModbusCommands(commands, {
    poller, entities: deps.entities, connections: deps.connections, statistics: () => statistics.values(), context,
    busOf: (name) => { const c = conns.get(name); return c && buses.get(busKeyOf(c)); },
  });
  commands.onResult((outcome) => events.emit('commandHandled', outcome));
  if (deps.homeAssistant) logger.addSecret(deps.homeAssistant.token);
  const homeAssistant = new HomeAssistant({
    clock, random: deps.random, logger, events, entities: deps.entities, context, statistics, commands,
    connection: deps.homeAssistant, statisticsEveryMs: deps.statisticsEveryMs ?? 30_000,
    unavailableAfterMs: deps.unavailableAfterMs ?? 60_000,
  });
  const stdin = deps.commandInput && new StdinIntake({ input: deps.commandInput, registry: commands, logger });

  return {
    events,
    poller,
    context,
    commands,
    statistics,
    homeAssistant,
    async start() {
      for (const bus of buses.values()) await bus.start();
      poller.start();
      status.start();
      logger.info(`Polling ${deps.entities.length} entities on ${buses.size} bus(es)`);
      homeAssistant.start();
      stdin?.start();
    },
    async stop() {
      const steps: Array<[string, () => Promise<void> | void]> = [
        ['stdin commands', () => stdin?.stop()],
        ['Home Assistant', () => homeAssistant.stop()],
        ['status log', () => status.stop()],
        ['poller', () => poller.stop()],
        ...[...buses.values()].map((b): [string, () => Promise<void>] => [`bus ${b.key}`, () => b.stop()]),
      ];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          logger.error(`Stopping ${name} failed: ${describeError(err)}`);
        }
      }
      events.removeOwner('app');
    },
  };
}

function createBuses(deps: AppDeps): Map<string, Bus> {
  const buses = new Map<string, Bus>();
  const makeLink = deps.createLink ?? createModbusSerialLink;
  for (const conn of deps.connections) {
    const key = busKeyOf(conn);
    if (buses.has(key)) continue;
    if (deps.createBus) {
      buses.set(key, deps.createBus(conn, key));
      continue;
    }
    buses.set(key, createBus({
      key, connectionName: conn.name, createLink: () => makeLink(conn), clock: deps.clock, random: deps.random,
      logger: deps.logger, options: { messageWaitMs: conn.messageWaitMs },
    }));
  }
  return buses;
}

/** One line once every entity has been read (or failed) for the first time, with its values. */
function reportFirstPoll(deps: AppDeps, events: EventBus<AppEvents>): void {
  const ok = new Map<string, string>();
  const failed = new Map<string, string>();
  const check = () => {
    if (ok.size + failed.size < deps.entities.length) return;
    events.removeOwner('first-poll');
    const values = [...ok].map(([id, v]) => `${id}=${v}`).join(', ');
    deps.logger.info(`First poll complete: ${ok.size} read, ${failed.size} failed; ${values}`);
    for (const [id, error] of failed) deps.logger.warn(`${id}: ${error}`);
  };
  events.on('first-poll', 'sample', (s) => {
    if (!ok.has(s.entityId) && !failed.has(s.entityId)) ok.set(s.entityId, String(s.value));
    check();
  });
  events.on('first-poll', 'readError', (f) => {
    if (!ok.has(f.entityId) && !failed.has(f.entityId)) failed.set(f.entityId, f.error.message);
    check();
  });
}

/** Periodic status lines: per-bus rates since the last line, and every entity's current value. */
function statusLogger(deps: AppDeps, poller: Poller): { start(): void; stop(): void } {
  const every = deps.statusEveryMs ?? 60_000;
  const units = new Map(deps.entities.map((e) => [e.id, e.unitOfMeasurement]));
  let timer: TimerHandle | undefined;
  let previous = new Map<string, BusStats>();
  let previousAt = deps.clock.now();
  const tick = () => {
    const now = deps.clock.now();
    for (const stats of poller.busStats()) {
      deps.logger.info(formatBusDelta(busDelta(previous.get(stats.key), stats, previousAt, now)));
    }
    deps.logger.info(`values: ${formatValues(poller.allEntityStats(), units)}`);
    previous = new Map(poller.busStats().map((s) => [s.key, s]));
    previousAt = now;
    timer = deps.clock.setTimer(tick, every);
  };
  return {
    start() {
      if (every > 0) timer = deps.clock.setTimer(tick, every);
    },
    stop() {
      deps.clock.clearTimer(timer);
    },
  };
}
