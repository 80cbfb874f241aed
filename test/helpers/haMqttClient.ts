/**
 * The Home Assistant side of the broker, for tests: a plain MQTT client (the `mqtt` package) that
 * subscribes to the discovery prefix and the app's base topic, keeps the latest message per topic
 * (an empty retained message deletes it, as the broker does), counts messages, and waits for
 * conditions. It sends what HA sends: its birth message and control payloads.
 */
import mqtt, { type MqttClient } from 'mqtt';

export interface HaSide {
  latest: Map<string, string>;
  /** Every message seen, in order. */
  log: Array<{ topic: string; payload: string; retain: boolean }>;
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function connectHaSide(url: string, topics = ['homeassistant/#', 'modbus_optimizer/#'], auth?: { username: string; password: string }): Promise<HaSide> {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `ha_side_${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0, ...auth });
  const latest = new Map<string, string>();
  const log: HaSide['log'] = [];
  const waiters: Array<() => void> = [];
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString('utf8');
    log.push({ topic, payload: text, retain: packet.retain });
    if (text === '') latest.delete(topic); else latest.set(topic, text);
    waiters.splice(0).forEach((w) => w());
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    latest, log,
    waitFor(check, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
        const poll = setInterval(() => attempt(), 200);
        const attempt = () => {
          const v = check();
          if (v !== undefined && v !== false) {
            clearTimeout(timer);
            clearInterval(poll);
            resolve(v);
          } else waiters.push(attempt);
        };
        attempt();
      });
    },
    async publish(topic, payload, retain = false) {
      await client.publishAsync(topic, payload, { qos: 1, retain });
    },
    close: () => client.endAsync(),
  };
}

/** The discovery configs a HA side holds, parsed. */
export function discoveryConfigs(ha: HaSide, prefix = 'homeassistant'): Map<string, { topic: string; payload: string; json: { cmps: Record<string, Record<string, unknown>>; dev: Record<string, unknown> } }> {
  const out = new Map<string, { topic: string; payload: string; json: { cmps: Record<string, Record<string, unknown>>; dev: Record<string, unknown> } }>();
  for (const [topic, payload] of ha.latest) {
    const m = new RegExp(`^${prefix}/device/([^/]+)/config$`).exec(topic);
    if (m) out.set(m[1] ?? '', { topic, payload, json: JSON.parse(payload) as never });
  }
  return out;
}
