/**
 * The one broker connection (the `mqtt` package): connects with the app's last will (`offline`,
 * retained, on `<base>/status`), announces `online` on every connect, reconnects by itself, and keeps
 * what should be on the broker as "latest per topic", so a publish goes out only when its text
 * differs from what was last sent, nothing queues up while the broker is away, and everything can be
 * sent again (after a reconnect, or when Home Assistant says it restarted). A clean stop says
 * `offline` before it disconnects. The password goes only to the library, never into a log line.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeBroker, type BrokerSettings } from './brokerSettings.js';
import { OFFLINE, ONLINE } from './discovery.js';

export type ConnectFn = (url: string, options: IClientOptions) => MqttClient;

export interface MqttLinkDeps {
  logger: Logger;
  broker: BrokerSettings;
  statusTopic: string;
  clientId: string;
  /** Topics subscribed on every connect. */
  subscriptions: readonly string[];
  /** After each (re)connect, once `online` is out; the first call is marked. */
  onConnect: (first: boolean) => void;
  onMessage: (topic: string, payload: string, retained: boolean) => void;
  connect?: ConnectFn;
  reconnectMs?: number;
}

interface Latest {
  text: string;
  retain: boolean;
  qos: 0 | 1;
}

export class MqttLink {
  private client: MqttClient | undefined;
  private readonly latest = new Map<string, Latest>();
  private readonly sent = new Map<string, string>();
  private connects = 0;
  private lastError: string | undefined;
  private connected = false;

  constructor(private readonly deps: MqttLinkDeps) {}

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    const { broker, logger } = this.deps;
    const connect = this.deps.connect ?? mqtt.connect;
    logger.info(`MQTT: connecting to ${describeBroker(broker)}`);
    const client = connect(broker.url, {
      clientId: this.deps.clientId, username: broker.username, password: broker.password, clean: true,
      reconnectPeriod: this.deps.reconnectMs ?? 5000, connectTimeout: 10_000, resubscribe: false,
      will: { topic: this.deps.statusTopic, payload: Buffer.from(OFFLINE), retain: true, qos: 1 },
    });
    this.client = client;
    client.on('connect', () => void this.onConnected(client));
    client.on('close', () => {
      if (this.connected) logger.warn(`MQTT: lost the connection to ${broker.url}; reconnecting`);
      this.connected = false;
    });
    client.on('error', (err) => {
      const text = describeError(err);
      if (text !== this.lastError) logger.error(`MQTT: ${text} (broker ${broker.url}${broker.username === undefined ? '' : `, user ${broker.username}`})`);
      this.lastError = text;
    });
    client.on('message', (topic, payload, packet) => this.deps.onMessage(topic, payload.toString('utf8'), packet.retain));
  }

  private async onConnected(client: MqttClient): Promise<void> {
    this.connected = true;
    this.lastError = undefined;
    this.sent.clear();
    const first = this.connects++ === 0;
    this.deps.logger.info(`MQTT: connected to ${this.deps.broker.url}${first ? '' : ' again'}`);
    try {
      if (this.deps.subscriptions.length > 0) await client.subscribeAsync([...this.deps.subscriptions], { qos: 1 });
      this.publishNow(this.deps.statusTopic, { text: ONLINE, retain: true, qos: 1 });
      this.deps.onConnect(first);
    } catch (err) {
      this.deps.logger.error(`MQTT: setting up after connecting failed: ${describeError(err)}`);
    }
  }

  /** The newest text for a topic; sent now when connected and different from what was sent last. */
  set(topic: string, text: string, retain = true, qos: 0 | 1 = 0): void {
    const next = { text, retain, qos };
    this.latest.set(topic, next);
    if (this.connected && this.sent.get(topic) !== text) this.publishNow(topic, next);
  }

  /** Removes a retained topic from the broker (an empty retained message) and forgets it. */
  clear(topic: string): void {
    this.latest.delete(topic);
    this.sent.delete(topic);
    if (this.connected) this.client?.publish(topic, '', { retain: true, qos: 1 });
  }

  /** A message that is not state (a command's result): sent when connected, never kept. */
  send(topic: string, text: string): void {
    if (this.connected) this.client?.publish(topic, text, { qos: 0 });
  }

  /** Sends every latest value again (the broker or Home Assistant may have lost them). */
  republish(filter: (topic: string) => boolean = () => true): void {
    if (!this.connected) return;
    for (const [topic, l] of this.latest) if (filter(topic)) this.publishNow(topic, l);
  }

  /** Subscribes for a moment (the retained-config scan); resolves once the broker has granted it. */
  async subscribe(topics: string[]): Promise<void> {
    await this.client?.subscribeAsync(topics, { qos: 1 });
  }

  async unsubscribe(topics: string[]): Promise<void> {
    await this.client?.unsubscribeAsync(topics);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (this.connected) {
      try {
        await client.publishAsync(this.deps.statusTopic, OFFLINE, { retain: true, qos: 1 });
      } catch (err) {
        this.deps.logger.warn(`MQTT: could not say offline before stopping: ${describeError(err)}`);
      }
    }
    this.connected = false;
    await client.endAsync();
  }

  private publishNow(topic: string, l: Latest): void {
    this.sent.set(topic, l.text);
    this.client?.publish(topic, l.text, { retain: l.retain, qos: l.qos });
  }
}
