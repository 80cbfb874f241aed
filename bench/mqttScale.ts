/**
 * MQTT scale: how long the MQTT face takes to put 10,044 entities into Home Assistant through Debian's
 * mosquitto — every retained device-discovery config and every state, as a plain MQTT client on the
 * Home Assistant side receives them — from start, and again after Home Assistant's birth message.
 * The face runs on its own (one sample per entity, as after a first poll cycle) so the figure is the
 * face and the broker, not the Modbus polling in front of them.
 */
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { CommandRegistry } from '../src/commands/registry.js';
import { resolveOptions } from '../src/config/resolve.js';
import { createSystemClock } from '../src/core/clock.js';
import { EventBus } from '../src/core/eventBus.js';
import { createMemoryLogger } from '../src/core/logger.js';
import type { PollerEvents } from '../src/modbus/pollerTypes.js';
import { MqttFace } from '../src/mqtt/mqttFace.js';
import { StatisticsSensors } from '../src/telemetry/statisticsSensors.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';

const UNITS = 20;
const PER_UNIT = 502;

async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`MQTT scale: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function run(): Promise<string> {
  const broker = await startMosquitto();
  const clock = createSystemClock();
  const logger = createMemoryLogger();
  const entities = Array.from({ length: UNITS * PER_UNIT }, (_, i) => ({
    id: `inv${Math.floor(i / PER_UNIT) + 1}_value_${i % PER_UNIT}`, name: `Inverter ${Math.floor(i / PER_UNIT) + 1} value ${i % PER_UNIT}`,
    connection: 'plant', unit_id: Math.floor(i / PER_UNIT) + 1, register_type: 'input', address: (i % PER_UNIT) * 2,
    unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement',
  }));
  const resolved = resolveOptions({ connections: [{ name: 'plant', host: 'gw' }], entities });
  const events = new EventBus<PollerEvents>(logger);
  const face = new MqttFace({
    clock, random: Math.random, logger, events, entities: resolved.entities, devices: resolved.devices, statistics: new StatisticsSensors(),
    commands: new CommandRegistry({ clock, logger }), version: 'bench', controls: {}, freshness: () => undefined,
    broker: { url: broker.url, username: undefined, password: undefined, source: 'MQTT_URL', discoveryPrefix: 'homeassistant', baseTopic: 'mbo' },
    statisticsEveryMs: 3_600_000, unavailableAfterMs: 60_000,
  });
  const ha = await mqtt.connectAsync(broker.url, { clientId: 'bench_ha_side' });
  let configs = 0;
  let states = 0;
  let configBytes = 0;
  ha.on('message', (topic, payload) => {
    if (topic.endsWith('/config')) { configs++; configBytes += payload.length; } else if (topic.endsWith('/state')) states++;
  });
  await ha.subscribeAsync(['homeassistant/device/+/config', 'mbo/entity/+/state'], { qos: 1 });
  const devices = resolved.devices.length + 1;
  const n = resolved.entities.length;
  try {
    const t0 = performance.now();
    face.start();
    const at = clock.now();
    for (const e of resolved.entities) events.emit('sample', { entityId: e.id, value: 1000, raw: [1000], at, changed: false, sincePreviousMs: undefined, intervalMs: 15_000, reason: 'schedule' });
    await waitFor(() => configs >= devices && states >= n, 'configs and states');
    const first = (performance.now() - t0) / 1000;
    const bytes = configBytes;
    configs = 0;
    states = 0;
    const t1 = performance.now();
    await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await waitFor(() => configs >= devices && states >= n, 'configs and states after the birth message');
    const again = (performance.now() - t1) / 1000;
    return [
      `MQTT discovery at ${n.toLocaleString('en')} entities on ${devices - 1} devices (+ the app's own), mosquitto on loopback:`,
      `  first start   ${first.toFixed(2)} s  (target ≤ 10 s)  ${devices} retained configs, ${(bytes / 1e6).toFixed(2)} MB; ${n.toLocaleString('en')} states`,
      `  after birth   ${again.toFixed(2)} s  (target ≤ 10 s)`,
    ].join('\n');
  } finally {
    await face.stop();
    await ha.endAsync();
    await broker.stop();
  }
}
