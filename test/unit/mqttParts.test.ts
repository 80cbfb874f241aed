// The pure parts of the MQTT face: which broker is used, the supervisor's answer, topics and ids,
// the controls' payload → command mapping, what is removed at start, and the device grouping.
import { describe, expect, it } from '@jest/globals';
import { groupDevices } from '../../src/config/deviceGroups.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';
import { chooseBroker, describeBroker, parseMqttUrl } from '../../src/mqtt/brokerSettings.js';
import { controls } from '../../src/mqtt/controls.js';
import { deviceConfig, type Component } from '../../src/mqtt/discovery.js';
import { isOurs, removals } from '../../src/mqtt/retainedScan.js';
import { fetchSupervisorMqtt } from '../../src/mqtt/supervisorBroker.js';
import { Topics } from '../../src/mqtt/topics.js';

const mqttDefaults = { port: 1883, tls: false, discovery_prefix: 'homeassistant', base_topic: 'modbus_optimizer' };

describe('the broker', () => {
  it('parses MQTT_URL, decoding credentials, with default ports', () => {
    expect(parseMqttUrl('mqtt://us%40er:p%3Ass@broker.lan')).toEqual({ url: 'mqtt://broker.lan:1883', username: 'us@er', password: 'p:ss' });
    expect(parseMqttUrl('mqtts://b:8884')).toEqual({ url: 'mqtts://b:8884', username: undefined, password: undefined });
    expect(parseMqttUrl('mqtts://b').url).toBe('mqtts://b:8883');
  });

  it.each([
    ['broker lan', /not a URL/],
    ['broker.lan:1883', /must start with mqtt:\/\/ or mqtts:\/\/, not broker.lan:\/\//],
    ['http://broker.lan', /must start with mqtt:\/\/ or mqtts:\/\/, not http:\/\//],
  ])('refuses MQTT_URL %s with a clear message and never echoes a password', (url, message) => {
    const err = (() => { try { parseMqttUrl(url); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect(() => parseMqttUrl('ftp://u:hunter2@x')).toThrow(/^(?!.*hunter2)/s);
  });

  it('prefers the option, then MQTT_URL, then the supervisor; rest means none; mqtt without a broker is an error', async () => {
    let asked = 0;
    const supervisor = async () => { asked++; return { host: 'core-mosquitto', port: 1883, username: 'addons', password: 'pw' }; };
    const option = { ...mqttDefaults, host: 'opt', username: 'o', password: 'op' };
    expect(await chooseBroker({ transport: 'auto', option, mqttUrl: 'mqtt://env:1', supervisor })).toMatchObject({ url: 'mqtt://opt:1883', source: 'the mqtt option', username: 'o' });
    expect(await chooseBroker({ transport: 'auto', option: mqttDefaults, mqttUrl: 'mqtt://env:1', supervisor })).toMatchObject({ url: 'mqtt://env:1', source: 'MQTT_URL' });
    expect(asked).toBe(0);
    const fromSupervisor = await chooseBroker({ transport: 'auto', option: { ...mqttDefaults, base_topic: 'mbo' }, mqttUrl: undefined, supervisor });
    expect(fromSupervisor).toMatchObject({ url: 'mqtt://core-mosquitto:1883', username: 'addons', password: 'pw', baseTopic: 'mbo' });
    expect(describeBroker(fromSupervisor!)).not.toContain('pw');
    expect(await chooseBroker({ transport: 'rest', option, mqttUrl: 'mqtt://env:1', supervisor })).toBeUndefined();
    expect(await chooseBroker({ transport: 'auto', option: mqttDefaults, mqttUrl: undefined })).toBeUndefined();
    await expect(chooseBroker({ transport: 'mqtt', option: mqttDefaults, mqttUrl: undefined, supervisor: async () => undefined })).rejects.toThrow(/ha_transport is mqtt but no broker is known/);
  });

  it('reads the supervisor\'s services/mqtt answer; 400 means no broker app', async () => {
    const answer = (status: number, body: unknown) => async (url: string, init: { headers: Record<string, string> }) => {
      expect(url).toBe('http://supervisor/services/mqtt');
      expect(init.headers.Authorization).toBe('Bearer tok');
      return { status, json: async () => body };
    };
    expect(await fetchSupervisorMqtt(answer(200, { result: 'ok', data: { host: 'h', port: 1883, ssl: false, username: 'u', password: 'p' } }), 'http://supervisor', 'tok'))
      .toEqual({ host: 'h', port: 1883, ssl: false, username: 'u', password: 'p' });
    expect(await fetchSupervisorMqtt(answer(400, { result: 'error' }), 'http://supervisor', 'tok')).toBeUndefined();
    await expect(fetchSupervisorMqtt(answer(500, {}), 'http://supervisor', 'tok')).rejects.toThrow(/answered HTTP 500/);
    await expect(fetchSupervisorMqtt(answer(200, { data: { host: 'h' } }), 'http://supervisor', 'tok')).rejects.toThrow(/without data.host and data.port/);
  });
});

describe('topics, devices and controls', () => {
  const topics = new Topics({ discoveryPrefix: 'homeassistant', baseTopic: 'home/mbo' });

  it('builds ids from the base topic and finds control keys in set topics', () => {
    expect(topics.node).toBe('home_mbo');
    expect(topics.entityUniqueId('x')).toBe('home_mbo_x');
    expect(topics.ownUniqueId('goal')).toBe('home_mbo__goal');
    expect(topics.discovery('home_mbo_gw_unit_1')).toBe('homeassistant/device/home_mbo_gw_unit_1/config');
    expect(topics.controlOf('home/mbo/control/goal/set')).toBe('goal');
    expect(topics.controlOf('home/mbo/control/../set')).toBeUndefined();
    expect(topics.controlOf('home/mbo/control/goal/state')).toBeUndefined();
  });

  it('groups template devices and hand-typed entities; hand-typed ones on a template unit join it', () => {
    const r = resolveOptions({
      connections: [{ name: 'GW-1', host: 'h' }],
      devices: [{ template: 'eastron_sdm120', connection: 'GW-1', unit_id: 2, prefix: 'meter' }],
      entities: [{ id: 'extra', name: 'Extra', connection: 'GW-1', unit_id: 2, address: 900 }, { id: 'inv', name: 'Inv', connection: 'GW-1', unit_id: 1, address: 0 }],
    });
    expect(r.devices.map((d) => [d.id, d.name, d.manufacturer, d.model])).toEqual([['meter', 'Meter', 'Eastron', 'SDM120'], ['gw_1_unit_1', 'GW-1 unit 1', undefined, undefined]]);
    expect(r.devices[0]?.entityIds).toContain('extra');
    expect(r.devices[0]?.entityIds).toContain('meter_voltage');
    expect(groupDevices(r.entities, []).map((d) => d.id)).toEqual(['gw_1_unit_2', 'gw_1_unit_1']);
  });

  it('turns what HA sends into the command stdin would carry, or names what was wrong', () => {
    const list = controls(topics, {
      devices: [{ id: 'gw_unit_1', name: 'gw unit 1', model: undefined, manufacturer: undefined, connection: 'gw', unitId: 1, entityIds: ['a'] }],
      optimizer: {
        goal: () => 'save_bus', enabled: () => true,
        strategies: () => [{ name: 'interval', specs: [{ name: 'aggressiveness', min: 0, max: 1, description: '' }, { name: 'max_entities_per_run', min: 1, max: 100_000, integer: true, description: '' }], parameters: () => ({ aggressiveness: 0.5 }) }],
      },
    });
    const by = new Map(list.map((c) => [c.key, c]));
    expect(by.get('read_now_gw_unit_1')?.command('PRESS')).toEqual({ command: 'read_now', device: 'gw_unit_1' });
    expect(by.get('read_now_gw_unit_1')?.deviceId).toBe('gw_unit_1');
    expect(by.get('run_full_optimization')?.command('press')).toMatch(/expected PRESS/);
    expect(by.get('interval_aggressiveness')?.command(' 0.25 ')).toEqual({ command: 'update_strategy_parameters', strategy: 'interval', parameters: { aggressiveness: 0.25 } });
    expect(by.get('interval_aggressiveness')?.command('')).toMatch(/is not a number/);
    expect(by.get('interval_aggressiveness')?.state?.()).toBe('0.5');
    expect(by.get('interval_aggressiveness')?.component).toMatchObject({ p: 'number', min: 0, max: 1, step: 0.01 });
    expect(by.get('interval_max_entities_per_run')?.component).toMatchObject({ step: 1 });
    expect(by.get('goal')?.command('freshest')).toEqual({ command: 'set_optimizer', goal: 'freshest' });
    expect(by.get('goal')?.command('fast')).toMatch(/not one of save_bus, freshest/);
    expect(by.get('enabled')?.command('OFF')).toEqual({ command: 'set_optimizer', enabled: false });
    expect(by.get('enabled')?.command('off')).toMatch(/expected ON or OFF/);
    expect(by.get('enabled')?.state?.()).toBe('ON');
    expect(controls(topics, { devices: [] })).toEqual([]);
  });
});

describe('writable entities as controls', () => {
  const topics = new Topics({ discoveryPrefix: 'homeassistant', baseTopic: 'modbus_optimizer' });
  it('a writable register is a number within its bounds or its type\'s range, a writable coil a switch; others none', () => {
    const r = resolveOptions({ connections: [{ name: 'gw', host: 'h' }], entities: [
      { id: 'sp', name: 'Setpoint', connection: 'gw', address: 0, data_type: 'int16', scale: 0.1, writable: true, unit_of_measurement: '°C' },
      { id: 'lim', name: 'Limit', connection: 'gw', address: 1, writable: true, min: 0, max: 100 },
      { id: 'relay', name: 'Relay', connection: 'gw', register_type: 'coil', address: 0, writable: true },
      { id: 'ro', name: 'Read only', connection: 'gw', address: 2 },
      { id: 'txt', name: 'Text', connection: 'gw', address: 10, data_type: 'string', count: 4, writable: true },
    ] });
    const by = new Map(controls(topics, { devices: r.devices, entities: r.entities }).map((c) => [c.key, c]));
    expect(by.get('set_sp')?.component).toMatchObject({ p: 'number', min: -3276.8, max: 3276.7, step: 0.1, unit_of_meas: '°C', stat_t: 'modbus_optimizer/entity/sp/state' });
    expect(by.get('set_sp')?.command('21.5')).toEqual({ command: 'write_register', entity: 'sp', value: 21.5 });
    expect(by.get('set_lim')?.component).toMatchObject({ min: 0, max: 100, step: 1 });
    expect(by.get('set_relay')?.component).toMatchObject({ p: 'switch', default_entity_id: 'switch.relay' });
    expect(by.get('set_relay')?.command('OFF')).toEqual({ command: 'write_coil', entity: 'relay', value: false });
    expect(by.get('set_relay')?.command('0')).toMatch(/expected ON or OFF/);
    expect(by.has('set_ro')).toBe(false);
    expect(by.has('set_txt')).toBe(false);
  });
});

describe('what an earlier run left', () => {
  const topics = new Topics({ discoveryPrefix: 'homeassistant', baseTopic: 'modbus_optimizer' });
  const r = resolveOptions({ connections: [{ name: 'gw', host: 'h' }], entities: [{ id: 'a', name: 'A', connection: 'gw', address: 0 }, { id: 'b', name: 'B', connection: 'gw', address: 1 }] });
  const defs = new Map(r.entities.map((e) => [e.id, e]));
  const [dev] = r.devices;
  if (!dev) throw new Error('no device');
  const before = deviceConfig(dev, defs, topics, { version: '1' });

  it('knows its own configs by origin and base topic', () => {
    expect(isOurs(before.payload, topics)).toBe(true);
    expect(isOurs(before.payload, new Topics({ discoveryPrefix: 'homeassistant', baseTopic: 'other' }))).toBe(false);
    expect(isOurs({ ...before.payload, o: { name: 'zigbee2mqtt' } }, topics)).toBe(false);
    expect(isOurs('x', topics)).toBe(false);
  });

  it('clears removed devices, marks removed components once, keeps what moved, and forgets old markers', () => {
    const onlyA = deviceConfig({ ...dev, entityIds: ['a'] }, defs, topics, { version: '1' });
    const gone = removals(new Map<string, { cmps: Record<string, Component> }>([[before.objectId, before.payload], ['modbus_optimizer_old', { cmps: { z: { p: 'sensor', stat_t: 'modbus_optimizer/entity/z/state' } } }]]), [onlyA]);
    expect(gone.devices).toEqual([{ objectId: 'modbus_optimizer_old', topics: ['modbus_optimizer/entity/z/state'] }]);
    expect(gone.components.get(before.objectId)).toEqual({ b: { p: 'sensor' } });
    expect(gone.topics).toEqual(['modbus_optimizer/entity/b/state', 'modbus_optimizer/entity/b/attributes', 'modbus_optimizer/entity/b/availability']);
    // b moved to another device: its topics stay
    const bElsewhere = deviceConfig({ ...dev, id: 'other', entityIds: ['b'] }, defs, topics, { version: '1' });
    expect(removals(new Map([[before.objectId, before.payload]]), [onlyA, bElsewhere]).topics).toEqual([]);
    // a {p}-only marker from last time is not announced again
    expect(removals(new Map([[before.objectId, { cmps: { ...onlyA.payload.cmps, b: { p: 'sensor' } } }]]), [onlyA]).components.size).toBe(0);
  });
});
