/**
 * The MQTT face: every configured value, the app's statistics and its controls as real Home
 * Assistant entities through MQTT device discovery. One part with one lifecycle: start() connects
 * (src/mqtt/mqttLink.ts); on the first connect it removes what an earlier run left that the options
 * no longer have, then publishes the retained discovery configs, availability and states; values go
 * out as they are read, statistics and freshness attributes on the statistics tick; when Home
 * Assistant announces itself (`<prefix>/status` online) everything is sent again. Controls and the
 * JSON command topic go through the one command registry with caller `mqtt`; their answers go to
 * `<base>/result`. Retained messages on command topics are refused: they would run at every connect.
 */
import type { CommandRegistry } from '../commands/registry.js';
import type { CommandResult } from '../commands/types.js';
import { repeat, type Clock, type Repeating } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { stableJson } from '../core/stableJson.js';
import type { PollerEvents, ReadFailure, Sample } from '../modbus/pollerTypes.js';
import type { DeviceDef, EntityDef } from '../modbus/types.js';
import type { EntityFreshnessFigures } from '../telemetry/entityFreshness.js';
import { stateTextOf, type StateWords } from '../telemetry/entityPresentation.js';
import { OutageTracker } from '../telemetry/outages.js';
import { STATISTICS_PREFIX, type StatisticsSensors } from '../telemetry/statisticsSensors.js';
import type { BrokerSettings } from './brokerSettings.js';
import { controls, type Control, type ControlSource } from './controls.js';
import {
  deviceConfig, NONE, OFF, OFFLINE, ON, ONLINE, optimizerConfig, statisticComponent, type Component, type DiscoveryConfig,
} from './discovery.js';
import { MqttLink, type ConnectFn } from './mqttLink.js';
import { removals, scanRetained } from './retainedScan.js';
import { Topics } from './topics.js';

export interface MqttFaceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  events: EventBus<PollerEvents>;
  entities: readonly EntityDef[];
  devices: readonly DeviceDef[];
  statistics: StatisticsSensors;
  commands: CommandRegistry;
  broker: BrokerSettings;
  /** The app's version, shown as the origin's and the optimizer device's software version. */
  version: string;
  controls: Omit<ControlSource, 'devices'>;
  /** An entity's freshness figures (its json attributes); undefined before its first poll. */
  freshness: (entityId: string) => EntityFreshnessFigures | undefined;
  statisticsEveryMs: number;
  /** Freshness attributes are sent at most this often per entity (default 5 min). */
  attributesEveryMs?: number;
  unavailableAfterMs: number;
  connect?: ConnectFn;
  /** How long the start-up scan for earlier configs waits for the broker (default 5 s). */
  scanTimeoutMs?: number;
}

const OWNER = 'mqtt';
const MQTT_WORDS: StateWords = { on: ON, off: OFF, none: NONE };
/** Attributes of a statistic that are discovery config, not state. */
const CONFIG_ATTRIBUTES = new Set(['friendly_name', 'unit_of_measurement', 'device_class', 'state_class', 'icon']);

export class MqttFace {
  readonly topics: Topics;
  private readonly link: MqttLink;
  private readonly defs: Map<string, EntityDef>;
  private readonly deviceOf = new Map<string, DeviceDef>();
  private readonly outages: OutageTracker;
  private readonly controls: Control[];
  /** Components announced once with only their platform (removed since the last run). */
  private pendingRemovals = new Map<string, Record<string, Component>>();
  private scanListener: ((topic: string, payload: string) => void) | undefined;
  private ticker: Repeating | undefined;
  private lastAttributesAt = Number.NEGATIVE_INFINITY;
  private ready = false;

  constructor(private readonly deps: MqttFaceDeps) {
    this.topics = new Topics({ discoveryPrefix: deps.broker.discoveryPrefix, baseTopic: deps.broker.baseTopic });
    this.defs = new Map(deps.entities.map((e) => [e.id, e]));
    for (const d of deps.devices) for (const id of d.entityIds) this.deviceOf.set(id, d);
    this.outages = new OutageTracker(deps.unavailableAfterMs, (id) => this.defs.get(id)?.keepLastValue === true);
    this.controls = controls(this.topics, { devices: deps.devices, entities: deps.entities, ...deps.controls });
    const t = this.topics;
    this.link = new MqttLink({
      logger: deps.logger, broker: deps.broker, statusTopic: t.status, connect: deps.connect,
      clientId: `${t.node}_${Math.floor(deps.random() * 0xffffffff).toString(16)}`,
      subscriptions: [t.birth, t.command, t.allControls],
      onConnect: (first) => void this.onConnect(first),
      onMessage: (topic, payload, retained) => this.onMessage(topic, payload, retained),
    });
  }

  /** Whether the broker connection is up (for the dashboard). */
  get connected(): boolean {
    return this.link.isConnected;
  }

  start(): void {
    const { events, clock } = this.deps;
    events.on(OWNER, 'sample', (s) => this.onSample(s));
    events.on(OWNER, 'readError', (f) => this.onReadError(f));
    for (const d of this.deps.devices) this.link.set(this.topics.deviceAvailability(d.id), ONLINE, true, 1);
    for (const e of this.deps.entities) this.link.set(this.topics.entityAvailability(e.id), ONLINE, true, 1);
    this.deps.statistics.onRegister(() => { if (this.ready) this.publishConfigs(); });
    this.tick();
    this.ticker = repeat(clock, this.deps.statisticsEveryMs, () => this.tick());
    this.link.start();
  }

  async stop(): Promise<void> {
    this.deps.events.removeOwner(OWNER);
    this.ticker?.stop();
    await this.link.stop();
  }

  private async onConnect(first: boolean): Promise<void> {
    if (first) {
      try {
        await this.removeLeftovers();
      } catch (err) {
        this.deps.logger.warn(`MQTT: could not check for entities an earlier run left behind: ${describeError(err)}`);
      }
      this.ready = true;
      this.publishConfigs();
    }
    this.link.republish();
  }

  /** Clears devices and components an earlier run published that the options no longer have. */
  private async removeLeftovers(): Promise<void> {
    const link = this.link;
    const previous = await scanRetained({
      clock: this.deps.clock, topics: this.topics, timeoutMs: this.deps.scanTimeoutMs ?? 5000,
      subscribe: (t) => link.subscribe(t), unsubscribe: (t) => link.unsubscribe(t), send: (t, x) => link.send(t, x),
      listen: (fn) => { this.scanListener = fn; return () => { this.scanListener = undefined; }; },
    }, Math.floor(this.deps.random() * 1e12).toString(36));
    const gone = removals(previous, this.buildConfigs());
    for (const d of gone.devices) {
      link.clear(this.topics.discovery(d.objectId));
      for (const t of d.topics) link.clear(t);
    }
    for (const t of gone.topics) link.clear(t);
    this.pendingRemovals = gone.components;
    const entities = [...gone.components.values()].reduce((n, c) => n + Object.keys(c).length, 0);
    if (gone.devices.length + entities > 0) {
      this.deps.logger.info(`MQTT: removed ${gone.devices.length} device(s) and ${entities} entit${entities === 1 ? 'y' : 'ies'} an earlier run published that the options no longer have`);
    }
  }

  private buildConfigs(): DiscoveryConfig[] {
    const { version } = this.deps;
    const byDevice = new Map<string, Record<string, Component>>();
    const own: Record<string, Component> = {};
    for (const c of this.controls) {
      if (c.deviceId === undefined) own[c.key] = c.component;
      else byDevice.set(c.deviceId, { ...byDevice.get(c.deviceId), [c.key]: c.component });
    }
    for (const { sensor } of this.deps.statistics.sensors()) own[`stat_${sensor.key}`] = statisticComponent(sensor, this.topics);
    const devices = this.deps.devices.map((d) => deviceConfig(d, this.defs, this.topics, { version }, byDevice.get(d.id)));
    return [optimizerConfig(own, this.topics, { version }), ...devices];
  }

  private publishConfigs(): void {
    for (const c of this.buildConfigs()) {
      const payload = { ...c.payload, cmps: { ...this.pendingRemovals.get(c.objectId), ...c.payload.cmps } };
      this.link.set(c.topic, stableJson(payload), true, 1);
    }
  }

  private onSample(s: Sample): void {
    const def = this.defs.get(s.entityId);
    if (!def) return;
    this.link.set(this.topics.entityState(def.id), stateTextOf(def, s.value, MQTT_WORDS));
    if (this.outages.onSample(def.id)) this.setAvailability(def.id, true);
  }

  private onReadError(f: ReadFailure): void {
    if (!this.defs.has(f.entityId) || this.outages.isDown(f.entityId)) return;
    if (this.outages.onReadError(f)) this.setAvailability(f.entityId, false);
  }

  /** An entity's availability, and its device's: offline when every entity of it is. */
  private setAvailability(entityId: string, online: boolean): void {
    this.link.set(this.topics.entityAvailability(entityId), online ? ONLINE : OFFLINE, true, 1);
    const device = this.deviceOf.get(entityId);
    if (!device) return;
    const allDown = device.entityIds.every((id) => this.outages.isDown(id));
    this.link.set(this.topics.deviceAvailability(device.id), allDown ? OFFLINE : ONLINE, true, 1);
  }

  private tick(): void {
    const now = this.deps.clock.now();
    for (const value of this.deps.statistics.tick(now)) {
      const stat = value.entityId.slice(STATISTICS_PREFIX.length);
      this.link.set(this.topics.statistic(stat), value.state === 'unknown' ? NONE : value.state);
      const attrs = Object.fromEntries(Object.entries(value.attributes).filter(([k]) => !CONFIG_ATTRIBUTES.has(k)));
      this.link.set(this.topics.statisticAttributes(stat), stableJson(attrs));
    }
    this.publishControlStates();
    if (now - this.lastAttributesAt >= (this.deps.attributesEveryMs ?? 300_000)) {
      this.lastAttributesAt = now;
      for (const e of this.deps.entities) {
        const f = this.deps.freshness(e.id);
        if (f) this.link.set(this.topics.entityAttributes(e.id), stableJson(f));
      }
    }
  }

  private publishControlStates(): void {
    for (const c of this.controls) {
      const state = c.state?.();
      if (state !== undefined) this.link.set(this.topics.controlState(c.key), state);
    }
  }

  private onMessage(topic: string, payload: string, retained: boolean): void {
    this.scanListener?.(topic, payload);
    const t = this.topics;
    if (topic === t.birth) {
      if (payload === ONLINE) {
        this.deps.logger.info('MQTT: Home Assistant announced itself; sending discovery and states again');
        this.link.republish();
      }
      return;
    }
    const controlKey = t.controlOf(topic);
    // An empty payload is someone clearing a retained message, not a command.
    if ((topic !== t.command && controlKey === undefined) || payload === '') return;
    if (retained) {
      this.deps.logger.warn(`MQTT: ignored a retained message on ${topic}: commands must not be retained (they would run again at every connect); clear it with an empty retained message`);
      return;
    }
    void this.runCommand(topic, controlKey, payload);
  }

  private async runCommand(topic: string, controlKey: string | undefined, payload: string): Promise<void> {
    const caller = { source: 'mqtt' } as const;
    let result: CommandResult | undefined;
    if (controlKey === undefined) {
      result = await this.deps.commands.handleLine(payload, caller);
    } else {
      const control = this.controls.find((c) => c.key === controlKey);
      const command = control ? control.command(payload) : `no control "${controlKey}" (topic ${topic})`;
      if (typeof command === 'string') {
        this.deps.logger.warn(`MQTT: ${command}`);
        result = { command: null, success: false, error: { code: 'invalid_argument', message: command } };
      } else {
        result = await this.deps.commands.handle(command, caller);
      }
    }
    if (result) this.link.send(this.topics.result, JSON.stringify(result));
    this.publishControlStates();
  }
}
