/**
 * Home Assistant MQTT device discovery payloads, built from the config alone (pure): one retained
 * config per Home Assistant device at `<prefix>/device/<object_id>/config`, with its device (`dev`),
 * this app as origin (`o`) and its entities as components (`cmps`), each with its platform and a
 * unique id that stays as long as the entity's `id` option does. Units, device and state classes are
 * the ones REST mode posts (src/ha/entitySensors.ts). Every component is available only while the
 * app, its device and (for values) the entity itself are online. Keys use HA's documented
 * abbreviations to keep 10,000 entities' configs small.
 */
import { attributesOf, isBinaryEntity } from '../telemetry/entityPresentation.js';
import type { DeviceDef, EntityDef } from '../modbus/types.js';
import type { StatisticSensor } from '../telemetry/statisticsSensors.js';
import type { Topics } from './topics.js';

export const ORIGIN_NAME = 'Modbus Optimizer';
export const ONLINE = 'online';
export const OFFLINE = 'offline';
/** HA's default binary_sensor payloads. */
export const ON = 'ON';
export const OFF = 'OFF';
/** The sensor payload HA reads as "unknown". */
export const NONE = 'None';

export type Component = Record<string, unknown> & { p: string };
export interface DiscoveryConfig {
  objectId: string;
  topic: string;
  payload: { dev: Record<string, unknown>; o: Record<string, unknown>; cmps: Record<string, Component> };
}

export interface Origin {
  /** The app's version (package.json). */
  version: string;
}

function origin(o: Origin): Record<string, unknown> {
  return { name: ORIGIN_NAME, sw: o.version, url: 'https://github.com/modbus-optimizer/modbus-optimizer' };
}

/** Available only while the app and every one of `more` (its device, the entity itself) say online. */
export function availability(topics: Topics, ...more: string[]): Record<string, unknown> {
  return { avty: [topics.status, ...more].map((t) => ({ t })), avty_mode: 'all' };
}

/** One configured Modbus value as a sensor or binary_sensor component. */
export function entityComponent(def: EntityDef, device: DeviceDef, topics: Topics): Component {
  const attrs = attributesOf(def);
  const binary = isBinaryEntity(def);
  const c: Component = {
    p: binary ? 'binary_sensor' : 'sensor',
    name: def.name,
    uniq_id: topics.entityUniqueId(def.id),
    default_entity_id: `${binary ? 'binary_sensor' : 'sensor'}.${def.id}`,
    stat_t: topics.entityState(def.id),
    json_attr_t: topics.entityAttributes(def.id),
    ...availability(topics, topics.deviceAvailability(device.id), topics.entityAvailability(def.id)),
  };
  if (attrs.unit_of_measurement !== undefined) c.unit_of_meas = attrs.unit_of_measurement;
  if (attrs.device_class !== undefined) c.dev_cla = attrs.device_class;
  if (attrs.state_class !== undefined) c.stat_cla = attrs.state_class;
  if (attrs.icon !== undefined) c.ic = attrs.icon;
  if (attrs.options !== undefined) c.ops = attrs.options;
  if (binary) Object.assign(c, { pl_on: ON, pl_off: OFF });
  return c;
}

export function deviceConfig(device: DeviceDef, defs: ReadonlyMap<string, EntityDef>, topics: Topics, o: Origin, extra: Record<string, Component> = {}): DiscoveryConfig {
  const objectId = topics.deviceObjectId(device.id);
  const cmps: Record<string, Component> = {};
  for (const id of device.entityIds) {
    const def = defs.get(id);
    if (def) cmps[id] = entityComponent(def, device, topics);
  }
  Object.assign(cmps, extra);
  const dev: Record<string, unknown> = { ids: [objectId], name: device.name, via_device: topics.optimizerObjectId };
  if (device.manufacturer !== undefined) dev.mf = device.manufacturer;
  if (device.model !== undefined) dev.mdl = device.model;
  return { objectId, topic: topics.discovery(objectId), payload: { dev, o: origin(o), cmps } };
}

/** A statistics sensor of the optimizer device (sensor.modbus_optimizer_<key> in REST mode). */
export function statisticComponent(s: StatisticSensor, topics: Topics): Component {
  const c: Component = {
    p: 'sensor', name: s.name, uniq_id: topics.ownUniqueId(s.key), default_entity_id: `sensor.${topics.node}_${s.key}`,
    stat_t: topics.statistic(s.key), json_attr_t: topics.statisticAttributes(s.key), ent_cat: 'diagnostic', ...availability(topics),
  };
  if (s.unit !== undefined) c.unit_of_meas = s.unit;
  if (s.deviceClass !== undefined) c.dev_cla = s.deviceClass;
  if (s.stateClass !== undefined) c.stat_cla = s.stateClass;
  if (s.icon !== undefined) c.ic = s.icon;
  return c;
}

/** The app itself as a device: its statistics sensors and its controls. */
export function optimizerConfig(components: Record<string, Component>, topics: Topics, o: Origin): DiscoveryConfig {
  const objectId = topics.optimizerObjectId;
  return {
    objectId, topic: topics.discovery(objectId),
    payload: { dev: { ids: [objectId], name: ORIGIN_NAME, mf: ORIGIN_NAME, mdl: 'Home Assistant app', sw: o.version }, o: origin(o), cmps: components },
  };
}
