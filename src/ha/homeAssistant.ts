/**
 * The Home Assistant side of the app as one part with one lifecycle: entity sensors and statistics
 * sensors go through the state publisher; with a URL and token they are posted over REST and the
 * websocket link brings context states and commands in; without them HA is off, which is said once
 * at start, and what would be published is logged at debug level instead. When MQTT discovery
 * carries the entities (publishStates false) nothing is posted; the websocket still brings context
 * states and command events.
 */
import type { CommandRegistry } from '../commands/registry.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { ContextChange } from '../core/context.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import type { PollerEvents } from '../modbus/pollerTypes.js';
import type { EntityDef } from '../modbus/types.js';
import type { HaContext } from './contextStates.js';
import { EntitySensors } from './entitySensors.js';
import { HaLink, type HaLinkOptions } from './haLink.js';
import { StatePublisher } from './publisher.js';
import { createStatePoster, type PostState } from './restClient.js';
import type { StatisticsSensors } from '../telemetry/statisticsSensors.js';

export interface HaEvents {
  /** A watched context entity changed state (also once per entity when first seen). */
  contextChanged: ContextChange;
  /** Something the app cannot go on without failed (Home Assistant refused the token). */
  fatal: { error: Error };
}

export interface HomeAssistantDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  events: EventBus<PollerEvents & HaEvents>;
  entities: readonly EntityDef[];
  context: HaContext;
  statistics: StatisticsSensors;
  commands: CommandRegistry;
  /** Undefined: Home Assistant is off. */
  connection: (HaLinkOptions & { fetch?: typeof fetch; restTimeoutMs?: number; restRetryMaxMs?: number }) | undefined;
  statisticsEveryMs: number;
  unavailableAfterMs: number;
  /** False when MQTT discovery carries the entities: then the websocket only brings context and commands. */
  publishStates?: boolean;
}

const OWNER = 'home-assistant';

export class HomeAssistant {
  readonly publisher: StatePublisher;
  readonly link: HaLink | undefined;
  private readonly sensors: EntitySensors | undefined;
  private statsTimer: TimerHandle | undefined;

  constructor(private readonly deps: HomeAssistantDeps) {
    const { clock, random, logger, connection } = deps;
    const post: PostState = connection
      ? createStatePoster({ url: connection.url, token: connection.token, clock, fetch: connection.fetch, timeoutMs: connection.restTimeoutMs })
      : (entityId, body) => {
        logger.debug(`(Home Assistant off) ${entityId} = ${body.state}`);
        return Promise.resolve(200);
      };
    this.publisher = new StatePublisher({
      clock, random, logger, post, retryMaxMs: connection?.restRetryMaxMs,
      requestOwnershipCheck: connection ? () => this.link?.recheck() : undefined,
    });
    this.sensors = deps.publishStates === false ? undefined : new EntitySensors({ clock, publisher: this.publisher, entities: deps.entities, unavailableAfterMs: deps.unavailableAfterMs });
    this.link = connection && new HaLink({
      clock, random, logger, options: connection, publisher: this.publisher, context: deps.context, commands: deps.commands,
      onFatal: (error) => deps.events.emit('fatal', { error }),
    });
  }

  start(): void {
    const { events, statistics } = this.deps;
    const sensors = this.sensors;
    if (sensors) {
      events.on(OWNER, 'sample', (s) => sensors.onSample(s));
      events.on(OWNER, 'readError', (f) => sensors.onReadError(f));
      this.declareStatistics();
      statistics.onRegister(() => this.declareStatistics());
      this.publishStatistics();
    }
    if (this.link) {
      this.link.start();
    } else {
      this.deps.logger.info(sensors
        ? 'Home Assistant is off (no HA_URL and HA_TOKEN): values are only logged, commands come from stdin only'
        : 'Home Assistant websocket is off (no HA_URL and HA_TOKEN): entities go over MQTT, context states and HA events are not used');
      this.publisher.open();
    }
  }

  async stop(): Promise<void> {
    this.deps.events.removeOwner(OWNER);
    this.deps.clock.clearTimer(this.statsTimer);
    this.link?.stop();
    await this.publisher.stop();
  }

  private declareStatistics(): void {
    for (const { entityId, provider } of this.deps.statistics.sensors()) {
      this.publisher.declare(entityId, `the app's own statistics (provider ${provider}); rename or remove the other entity`);
    }
  }

  private publishStatistics(): void {
    for (const s of this.deps.statistics.tick(this.deps.clock.now())) this.publisher.set(s.entityId, s.state, s.attributes);
    this.statsTimer = this.deps.clock.setTimer(() => this.publishStatistics(), this.deps.statisticsEveryMs);
  }
}
