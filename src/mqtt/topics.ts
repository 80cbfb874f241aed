/**
 * Where everything lives on the broker, in one place: discovery configs under the discovery prefix
 * (one per Home Assistant device), and under the base topic the app's availability (its last will),
 * each device's and entity's availability, states, freshness attributes, controls, the JSON command
 * topic and its results. Ids in topics are the config's [a-z0-9_] ids, so no topic needs escaping.
 */

export interface TopicOptions {
  discoveryPrefix: string;
  baseTopic: string;
}

export class Topics {
  /** The base topic as an id (slashes → _): prefix of unique ids, device identifiers and discovery object ids. */
  readonly node: string;

  constructor(readonly options: TopicOptions) {
    this.node = options.baseTopic.replace(/[^A-Za-z0-9_-]+/g, '_');
  }

  /** The app's availability: `online` once connected, `offline` as the broker's last will and on a clean stop. */
  get status(): string { return `${this.options.baseTopic}/status`; }
  /** Home Assistant's birth and will messages. */
  get birth(): string { return `${this.options.discoveryPrefix}/status`; }
  /** Any command as a JSON object, as on stdin. */
  get command(): string { return `${this.options.baseTopic}/command`; }
  /** The answers to commands that came over MQTT. */
  get result(): string { return `${this.options.baseTopic}/result`; }
  /** Every discovery config (for the orphan scan). */
  get allDiscovery(): string { return `${this.options.discoveryPrefix}/device/+/config`; }

  discovery(objectId: string): string { return `${this.options.discoveryPrefix}/device/${objectId}/config`; }
  deviceAvailability(deviceId: string): string { return `${this.options.baseTopic}/device/${deviceId}/availability`; }
  entityState(entityId: string): string { return `${this.options.baseTopic}/entity/${entityId}/state`; }
  entityAttributes(entityId: string): string { return `${this.options.baseTopic}/entity/${entityId}/attributes`; }
  entityAvailability(entityId: string): string { return `${this.options.baseTopic}/entity/${entityId}/availability`; }
  statistic(key: string): string { return `${this.options.baseTopic}/statistics/${key}`; }
  statisticAttributes(key: string): string { return `${this.options.baseTopic}/statistics/${key}/attributes`; }
  controlSet(key: string): string { return `${this.options.baseTopic}/control/${key}/set`; }
  controlState(key: string): string { return `${this.options.baseTopic}/control/${key}/state`; }
  /** Subscription for every control. */
  get allControls(): string { return `${this.options.baseTopic}/control/+/set`; }
  /** The control key of a control's set topic, or undefined. */
  controlOf(topic: string): string | undefined {
    const head = `${this.options.baseTopic}/control/`;
    if (!topic.startsWith(head) || !topic.endsWith('/set')) return undefined;
    const key = topic.slice(head.length, -'/set'.length);
    return /^[a-z0-9_]+$/.test(key) ? key : undefined;
  }

  /** Discovery object id and HA device identifier of a Modbus device; the optimizer's is the node itself. */
  deviceObjectId(deviceId: string): string { return `${this.node}_${deviceId}`; }
  get optimizerObjectId(): string { return this.node; }
  entityUniqueId(entityId: string): string { return `${this.node}_${entityId}`; }
  /** Statistics and controls: a double underscore keeps them apart from entity ids. */
  ownUniqueId(key: string): string { return `${this.node}__${key}`; }
}
