// The test's Home Assistant side checks discovery payloads against HA's documented schema; these cases
// show it accepts the documentation's own example and refuses each kind of mistake.
import { describe, expect, it } from '@jest/globals';
import { checkAcross, checkDeviceDiscovery } from '../helpers/haDiscoverySchema.js';

// The shape of the documentation's device-discovery example.
const documented = {
  dev: { ids: 'ea334450945afc', name: 'Kitchen', mf: 'Bla electronics', mdl: 'xya', sw: '1.0', sn: 'ea334450945afc', hw: '1.0rev2' },
  o: { name: 'bla2mqtt', sw: '2.1', url: 'https://bla2mqtt.example.com/support' },
  cmps: {
    some_unique_component_id1: { p: 'sensor', device_class: 'temperature', unit_of_measurement: '°C', value_template: '{{ value_json.temperature}}', unique_id: 'temp01ae_t', stat_t: 'sensorBedroom/state' },
    some_unique_id2: { p: 'sensor', device_class: 'humidity', unit_of_measurement: '%', value_template: '{{ value_json.humidity}}', unique_id: 'temp01ae_h', stat_t: 'sensorBedroom/state' },
  },
  qos: 2,
};
const topic = 'homeassistant/device/0AFFD2/config';

describe('the HA-side discovery checker', () => {
  it('accepts the documented example', () => {
    expect(checkDeviceDiscovery(topic, JSON.stringify(documented)).problems).toEqual([]);
  });

  it.each([
    ['no device', { ...documented, dev: undefined }, /device \(dev\) is required/],
    ['no origin', { ...documented, o: undefined }, /origin \(o\) with a name/],
    ['no components', { ...documented, cmps: {} }, /components \(cmps\) must be a non-empty object/],
    ['an unknown key', { ...documented, cmps: { a: { p: 'sensor', stat_t: 'x', uniq_id: 'u', colour: 'red' } } }, /unknown key "colour"/],
    ['a sensor without a state topic', { ...documented, cmps: { a: { p: 'sensor', uniq_id: 'u' } } }, /state_topic is required for sensor/],
    ['a button without a command topic', { ...documented, cmps: { a: { p: 'button', uniq_id: 'u' } } }, /command_topic is required for button/],
    ['a component without unique_id', { ...documented, cmps: { a: { p: 'sensor', stat_t: 'x' } } }, /unique_id is required/],
    ['a select without options', { ...documented, cmps: { a: { p: 'select', uniq_id: 'u', cmd_t: 'c' } } }, /options is required for select/],
    ['a wildcard topic', { ...documented, cmps: { a: { p: 'sensor', uniq_id: 'u', stat_t: 'a/#' } } }, /is not a topic/],
    ['a switch option on a sensor', { ...documented, cmps: { a: { p: 'sensor', uniq_id: 'u', stat_t: 'x', cmd_t: 'c' } } }, /command_topic is not an option of sensor/],
    ['an enum sensor with a unit', { ...documented, cmps: { a: { p: 'sensor', uniq_id: 'u', stat_t: 'x', dev_cla: 'enum', ops: ['a'], unit_of_meas: 'W' } } }, /enum sensor takes no unit_of_measurement/],
    ['options without device_class enum', { ...documented, cmps: { a: { p: 'sensor', uniq_id: 'u', stat_t: 'x', ops: ['a'] } } }, /options need device_class enum/],
    ['a bad default entity id', { ...documented, cmps: { a: { p: 'sensor', uniq_id: 'u', stat_t: 'x', default_entity_id: 'switch.x' } } }, /default_entity_id switch.x/],
  ])('refuses %s', (_what, payload, problem) => {
    expect(checkDeviceDiscovery(topic, JSON.stringify(payload)).problems.join('\n')).toMatch(problem);
  });

  it('refuses a bad topic, and accepts a component reduced to its platform (the documented removal)', () => {
    expect(checkDeviceDiscovery('homeassistant/sensor/x/config', '{}').problems[0]).toMatch(/is not homeassistant\/device/);
    expect(checkDeviceDiscovery(topic, JSON.stringify({ ...documented, cmps: { ...documented.cmps, gone: { p: 'sensor' } } })).problems).toEqual([]);
  });

  it('finds a unique id or a device identifier used twice', () => {
    const a = checkDeviceDiscovery(topic, JSON.stringify(documented)).config;
    const b = checkDeviceDiscovery('homeassistant/device/other/config', JSON.stringify(documented)).config;
    if (!a || !b) throw new Error('not parsed');
    const problems = checkAcross([a, b]).join('\n');
    expect(problems).toMatch(/device identifier ea334450945afc used by 0AFFD2 and other/);
    expect(problems).toMatch(/unique_id temp01ae_t used by/);
  });
});
