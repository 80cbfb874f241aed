/**
 * Which MQTT broker the app uses, if any, and how values reach Home Assistant: the `mqtt` option's
 * host wins, then MQTT_URL (`mqtt://user:pass@host:port`, also for the demo), then in app mode the
 * broker the supervisor announces (the Mosquitto app, `services: mqtt:want`). `ha_transport` auto
 * uses MQTT when one of those is known and REST otherwise; `mqtt` without a broker is a config error.
 * Credentials stay in the settings and never in what describe() returns for the log.
 */
import type { MqttOptions } from '../config/options.js';
import type { HaTransport } from '../config/vocabulary.js';
import { ConfigError } from '../core/errors.js';

export interface BrokerSettings {
  /** mqtt://host:port or mqtts://host:port, without credentials. */
  url: string;
  username: string | undefined;
  password: string | undefined;
  /** Where the broker came from, for the log: the mqtt option, MQTT_URL or the supervisor. */
  source: 'the mqtt option' | 'MQTT_URL' | 'the supervisor (Mosquitto app)';
  discoveryPrefix: string;
  baseTopic: string;
}

/** What `GET /services/mqtt` answers in its `data`. */
export interface SupervisorMqtt {
  host: string;
  port: number;
  ssl?: boolean;
  username?: string;
  password?: string;
}

/** The broker URL without credentials, for logs. */
export function describeBroker(b: BrokerSettings): string {
  return `${b.url}${b.username === undefined ? '' : ` as ${b.username}`} (from ${b.source})`;
}

/** MQTT_URL split into URL and credentials; a ConfigError names what is wrong with it (never echoing a password). */
export function parseMqttUrl(text: string): { url: string; username: string | undefined; password: string | undefined } {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError([`MQTT_URL is not a URL (write mqtt://user:password@host:1883)`]);
  }
  if (u.protocol !== 'mqtt:' && u.protocol !== 'mqtts:') {
    throw new ConfigError([`MQTT_URL must start with mqtt:// or mqtts://, not ${u.protocol}//`]);
  }
  if (u.hostname === '') throw new ConfigError(['MQTT_URL has no host (write mqtt://user:password@host:1883)']);
  const port = u.port === '' ? (u.protocol === 'mqtts:' ? 8883 : 1883) : Number(u.port);
  return {
    url: `${u.protocol}//${u.hostname}:${port}`,
    username: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
  };
}

export interface BrokerChoice {
  transport: HaTransport;
  option: MqttOptions;
  mqttUrl: string | undefined;
  /** Asked only when nothing else names a broker (app mode). */
  supervisor?: () => Promise<SupervisorMqtt | undefined>;
}

/** The broker to use, or undefined for REST. */
export async function chooseBroker(c: BrokerChoice): Promise<BrokerSettings | undefined> {
  if (c.transport === 'rest') return undefined;
  const topics = { discoveryPrefix: c.option.discovery_prefix, baseTopic: c.option.base_topic };
  if (c.option.host !== undefined) {
    const url = `${c.option.tls ? 'mqtts' : 'mqtt'}://${c.option.host}:${c.option.port}`;
    return { url, username: c.option.username, password: c.option.password, source: 'the mqtt option', ...topics };
  }
  if (c.mqttUrl !== undefined) return { ...parseMqttUrl(c.mqttUrl), source: 'MQTT_URL', ...topics };
  const s = await c.supervisor?.();
  if (s) {
    return { url: `${s.ssl ? 'mqtts' : 'mqtt'}://${s.host}:${s.port}`, username: s.username, password: s.password, source: 'the supervisor (Mosquitto app)', ...topics };
  }
  if (c.transport === 'mqtt') {
    throw new ConfigError(['ha_transport is mqtt but no broker is known: set mqtt.host, MQTT_URL, or install the Mosquitto broker app']);
  }
  return undefined;
}
