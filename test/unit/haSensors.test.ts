// Pure parts of the Home Assistant side: entity ids, states and attributes; stable serialisation;
// the compressed state decoder; the staleness estimate.
import { describe, expect, it } from '@jest/globals';
import { applyCompressed, type EntitySnapshot } from '../../src/ha/compressedStates.js';
import { attributesOf, haEntityIdOf, stateTextOf } from '../../src/telemetry/entityPresentation.js';
import { stableJson } from '../../src/core/stableJson.js';
import type { EntityDef } from '../../src/modbus/types.js';

function def(extra: Partial<EntityDef>): EntityDef {
  return {
    id: 'x', name: 'X', connection: 'c', unitId: 1, registerType: 'holding', address: 0, dataType: 'uint16', swap: 'none',
    count: 1, scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined,
    stateClass: undefined, scanIntervalMs: 1000, minIntervalMs: 1000, maxIntervalMs: 1000, ...extra,
  };
}

describe('entity sensors', () => {
  it.each([
    [{ registerType: 'holding' }, 'sensor.x'],
    [{ registerType: 'input', dataType: 'float32' }, 'sensor.x'],
    [{ registerType: 'coil', dataType: 'bool' }, 'binary_sensor.x'],
    [{ registerType: 'discrete_input', dataType: 'bool' }, 'binary_sensor.x'],
    [{ registerType: 'holding', dataType: 'bool' }, 'binary_sensor.x'],
  ] as Array<[Partial<EntityDef>, string]>)('%j → %s', (extra, id) => {
    expect(haEntityIdOf(def(extra))).toBe(id);
  });

  it.each([
    [{}, 230.4, '230.4'],
    [{}, null, 'unknown'],
    [{ registerType: 'coil', dataType: 'bool' }, true, 'on'],
    [{ registerType: 'coil', dataType: 'bool' }, false, 'off'],
    [{ dataType: 'string' }, 'y'.repeat(300), 'y'.repeat(255)],
  ] as Array<[Partial<EntityDef>, string | number | boolean | null, string]>)('%j: state of %j is %j', (extra, value, text) => {
    expect(stateTextOf(def(extra), value)).toBe(text);
  });

  it('gives units and classes to sensors, an icon only without a device class, and no unit to binary sensors', () => {
    expect(attributesOf(def({ unitOfMeasurement: 'W', deviceClass: 'power', stateClass: 'measurement' })))
      .toEqual({ friendly_name: 'X', unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' });
    expect(attributesOf(def({ stateClass: 'total_increasing' }))).toEqual({ friendly_name: 'X', state_class: 'total_increasing', icon: 'mdi:counter' });
    expect(attributesOf(def({ registerType: 'coil', dataType: 'bool', unitOfMeasurement: 'W', stateClass: 'measurement' })))
      .toEqual({ friendly_name: 'X', icon: 'mdi:toggle-switch-outline' });
  });
});

describe('stableJson', () => {
  it('orders keys at every depth and drops undefined', () => {
    expect(stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
    expect(stableJson({ x: 1, y: 2 })).toBe(stableJson({ y: 2, x: 1 }));
  });
});

describe('applyCompressed (subscribe_entities)', () => {
  it('adds, diffs (state, attributes added and removed, last_changed) and removes', () => {
    const states = new Map<string, EntitySnapshot>();
    const added = applyCompressed(states, { a: { 'sun.sun': { s: 'above_horizon', a: { elevation: 5, rising: true }, c: 'ctx1', lc: 1700000000.5 } } }, 0);
    expect(added).toHaveLength(1);
    expect(states.get('sun.sun')).toEqual({ state: 'above_horizon', attributes: { elevation: 5, rising: true }, lastChanged: 1700000000500 });
    applyCompressed(states, { c: { 'sun.sun': { '+': { s: 'below_horizon', a: { elevation: -1 }, lc: 1700000100 }, '-': { a: ['rising'] } } } }, 0);
    expect(states.get('sun.sun')).toEqual({ state: 'below_horizon', attributes: { elevation: -1 }, lastChanged: 1700000100000 });
    applyCompressed(states, { c: { 'sun.sun': { '+': { a: { elevation: -2 }, lu: 1700000200 } } } }, 0);
    expect(states.get('sun.sun')?.lastChanged).toBe(1700000100000); // only last_updated moved
    const removed = applyCompressed(states, { r: ['sun.sun'] }, 0);
    expect(removed[0]?.after).toBeUndefined();
    expect(states.size).toBe(0);
  });

  it('ignores diffs for unknown entities and malformed messages', () => {
    const states = new Map<string, EntitySnapshot>();
    expect(applyCompressed(states, { c: { 'x.y': { '+': { s: 'on' } } } }, 0)).toEqual([]);
    expect(applyCompressed(states, 'nonsense', 0)).toEqual([]);
    expect(applyCompressed(states, { a: { 'x.y': { s: 5 } } }, 0)).toEqual([]);
  });
});

describe('enums and bits (issue 14)', () => {
  it('a value map makes an enum sensor with its options, no unit and no state class; a bit a binary sensor', () => {
    const status = def({ id: 'status', name: 'Status', unitOfMeasurement: 'x', stateClass: 'measurement', valueMap: new Map([[512, 'On-grid'], [768, 'Shutdown: fault']]) });
    expect(attributesOf(status)).toEqual({ friendly_name: 'Status', device_class: 'enum', options: ['On-grid', 'Shutdown: fault'], icon: 'mdi:list-status' });
    expect(stateTextOf(status, 'On-grid')).toBe('On-grid');
    expect(stateTextOf(status, null)).toBe('unknown');
    const alarm = def({ id: 'alarm', name: 'Alarm', bit: 3 });
    expect(haEntityIdOf(alarm)).toBe('binary_sensor.alarm');
    expect(stateTextOf(alarm, true)).toBe('on');
  });
});
