/**
 * Home Assistant's documented MQTT device-discovery schema, as a checker the tests hold every payload
 * to (https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload): the topic
 * `<prefix>/device/<object_id>/config` with object_id of [a-zA-Z0-9_-]; `device` (dev) with
 * identifiers and a name, `origin` (o) with a name, `components` (cmps) each with a `platform` (p);
 * every key a documented option or its documented abbreviation; per platform its required topics;
 * unique ids present and unique across all configs; availability entries with a topic. Written from
 * the documentation, not from our code, and tested on its own (test/unit/haDiscoverySchema.test.ts).
 */

/** The documented abbreviations of the options this checker knows (HA's abbreviations.py), both ways. */
const ABBREVIATIONS: Record<string, string> = {
  avty: 'availability', avty_mode: 'availability_mode', avty_t: 'availability_topic', cmd_t: 'command_topic',
  cmd_tpl: 'command_template', dev: 'device', dev_cla: 'device_class', ent_cat: 'entity_category', en: 'enabled_by_default',
  exp_aft: 'expire_after', frc_upd: 'force_update', ic: 'icon', json_attr_t: 'json_attributes_topic',
  json_attr_tpl: 'json_attributes_template', max: 'max', min: 'min', mode: 'mode', name: 'name', o: 'origin', ops: 'options',
  opt: 'optimistic', p: 'platform', pl_avail: 'payload_available', pl_not_avail: 'payload_not_available', pl_off: 'payload_off',
  pl_on: 'payload_on', pl_prs: 'payload_press', qos: 'qos', ret: 'retain', stat_cla: 'state_class', stat_off: 'state_off',
  stat_on: 'state_on', stat_t: 'state_topic', step: 'step', sug_dsp_prc: 'suggested_display_precision', uniq_id: 'unique_id',
  unit_of_meas: 'unit_of_measurement', val_tpl: 'value_template', cmps: 'components', default_entity_id: 'default_entity_id',
  obj_id: 'object_id', stat_val_tpl: 'state_value_template', t: 'topic', e: 'encoding',
};
const DEVICE_ABBREVIATIONS: Record<string, string> = {
  ids: 'identifiers', cns: 'connections', mf: 'manufacturer', mdl: 'model', mdl_id: 'model_id', name: 'name', sw: 'sw_version',
  hw: 'hw_version', sn: 'serial_number', sa: 'suggested_area', cu: 'configuration_url', via_device: 'via_device',
};
const ORIGIN_ABBREVIATIONS: Record<string, string> = { name: 'name', sw: 'sw_version', url: 'support_url' };

const PLATFORM_REQUIRED: Record<string, string[]> = {
  sensor: ['state_topic'],
  binary_sensor: ['state_topic'],
  button: ['command_topic'],
  number: ['command_topic'],
  select: ['command_topic', 'options'],
  switch: ['command_topic'],
};
const COMMON = new Set(['platform', 'name', 'unique_id', 'availability', 'availability_mode', 'availability_topic', 'payload_available',
  'payload_not_available', 'icon', 'entity_category', 'enabled_by_default', 'json_attributes_topic', 'json_attributes_template', 'qos',
  'default_entity_id', 'object_id', 'encoding', 'device_class']);
const PLATFORM_OPTIONS: Record<string, string[]> = {
  sensor: ['state_topic', 'unit_of_measurement', 'state_class', 'value_template', 'expire_after', 'force_update', 'suggested_display_precision', 'options'],
  binary_sensor: ['state_topic', 'payload_on', 'payload_off', 'value_template', 'expire_after', 'force_update'],
  button: ['command_topic', 'command_template', 'payload_press', 'retain'],
  number: ['command_topic', 'command_template', 'state_topic', 'value_template', 'min', 'max', 'step', 'mode', 'unit_of_measurement', 'retain', 'optimistic'],
  select: ['command_topic', 'command_template', 'state_topic', 'value_template', 'options', 'retain', 'optimistic'],
  switch: ['command_topic', 'state_topic', 'payload_on', 'payload_off', 'state_on', 'state_off', 'value_template', 'retain', 'optimistic'],
};
const AVAILABILITY_MODES = new Set(['all', 'any', 'latest']);
const ENTITY_CATEGORIES = new Set(['config', 'diagnostic']);

function expand(obj: Record<string, unknown>, table: Record<string, string>, where: string, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const full = new Set(Object.values(table));
  for (const [k, v] of Object.entries(obj)) {
    const key = table[k] ?? (full.has(k) ? k : undefined);
    if (key === undefined) problems.push(`${where}: unknown key "${k}"`);
    else out[key] = v;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTopic = (v: unknown): boolean => typeof v === 'string' && v !== '' && !/[#+]/.test(v);

export interface CheckedConfig {
  objectId: string;
  identifiers: string[];
  components: Record<string, Record<string, unknown>>;
}

/** Problems of one device-discovery message (empty = valid), and the expanded config. */
export function checkDeviceDiscovery(topic: string, payload: string, prefix = 'homeassistant'): { problems: string[]; config?: CheckedConfig } {
  const problems: string[] = [];
  const m = new RegExp(`^${prefix}/device/([a-zA-Z0-9_-]+)/config$`).exec(topic);
  if (!m) return { problems: [`topic ${topic} is not ${prefix}/device/<object_id>/config`] };
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { problems: [`${topic}: payload is not JSON`] };
  }
  if (!isObject(raw)) return { problems: [`${topic}: payload is not an object`] };
  const top = expand(raw, ABBREVIATIONS, topic, problems);
  const device = isObject(top.device) ? expand(top.device, DEVICE_ABBREVIATIONS, `${topic} device`, problems) : undefined;
  if (!device) problems.push(`${topic}: device (dev) is required`);
  const ids = device?.identifiers;
  const identifiers = typeof ids === 'string' ? [ids] : Array.isArray(ids) && ids.every((x) => typeof x === 'string') ? ids as string[] : [];
  if (device && identifiers.length === 0 && device.connections === undefined) problems.push(`${topic}: device needs identifiers or connections`);
  if (device && typeof device.name !== 'string') problems.push(`${topic}: device name is required`);
  const origin = isObject(top.origin) ? expand(top.origin, ORIGIN_ABBREVIATIONS, `${topic} origin`, problems) : undefined;
  if (!origin || typeof origin.name !== 'string') problems.push(`${topic}: origin (o) with a name is required`);
  const components: Record<string, Record<string, unknown>> = {};
  if (!isObject(top.components) || Object.keys(top.components).length === 0) problems.push(`${topic}: components (cmps) must be a non-empty object`);
  else {
    for (const [key, c] of Object.entries(top.components)) {
      const where = `${topic} component ${key}`;
      if (!isObject(c)) { problems.push(`${where}: not an object`); continue; }
      const e = expand(c, ABBREVIATIONS, where, problems);
      components[key] = e;
      const platform = e.platform;
      if (typeof platform !== 'string' || PLATFORM_REQUIRED[platform] === undefined) { problems.push(`${where}: platform ${String(platform)} is not one this checker knows`); continue; }
      if (Object.keys(e).length === 1) continue; // {p} only: the documented way to remove a component
      if (typeof e.unique_id !== 'string' || e.unique_id === '') problems.push(`${where}: unique_id is required in device discovery`);
      for (const req of PLATFORM_REQUIRED[platform] ?? []) if (e[req] === undefined) problems.push(`${where}: ${req} is required for ${platform}`);
      for (const k of Object.keys(e)) if (!COMMON.has(k) && !(PLATFORM_OPTIONS[platform] ?? []).includes(k)) problems.push(`${where}: ${k} is not an option of ${platform}`);
      for (const k of ['state_topic', 'command_topic', 'json_attributes_topic']) if (e[k] !== undefined && !isTopic(e[k])) problems.push(`${where}: ${k} ${JSON.stringify(e[k])} is not a topic`);
      if (e.availability !== undefined) {
        if (!Array.isArray(e.availability) || e.availability.length === 0) problems.push(`${where}: availability must be a non-empty list`);
        else for (const a of e.availability) if (!isObject(a) || !isTopic(a.topic ?? a.t)) problems.push(`${where}: availability entry without a topic`);
      }
      if (e.availability_mode !== undefined && !AVAILABILITY_MODES.has(String(e.availability_mode))) problems.push(`${where}: availability_mode ${String(e.availability_mode)}`);
      if (e.entity_category !== undefined && !ENTITY_CATEGORIES.has(String(e.entity_category))) problems.push(`${where}: entity_category ${String(e.entity_category)}`);
      if (e.default_entity_id !== undefined && !new RegExp(`^${platform}\\.[a-z0-9_]+$`).test(String(e.default_entity_id))) problems.push(`${where}: default_entity_id ${String(e.default_entity_id)} is not ${platform}.<object_id>`);
      if (platform === 'select' && (!Array.isArray(e.options) || e.options.length === 0)) problems.push(`${where}: options must be a non-empty list`);
      if (platform === 'sensor' && (e.options !== undefined || e.device_class === 'enum')) {
        // HA's sensor: an enum sensor lists its options and has no unit or state class; options need device_class enum
        if (e.device_class !== 'enum') problems.push(`${where}: options need device_class enum`);
        if (!Array.isArray(e.options) || e.options.length === 0) problems.push(`${where}: an enum sensor needs a non-empty options list`);
        if (e.unit_of_measurement !== undefined || e.state_class !== undefined) problems.push(`${where}: an enum sensor takes no unit_of_measurement or state_class`);
      }
      if (platform === 'number' && typeof e.min === 'number' && typeof e.max === 'number' && e.min >= e.max) problems.push(`${where}: min ${e.min} is not below max ${e.max}`);
    }
  }
  return { problems, config: { objectId: m[1] ?? '', identifiers, components } };
}

/** Problems across all configs: unique ids and device identifiers must each be unique. */
export function checkAcross(configs: readonly CheckedConfig[]): string[] {
  const problems: string[] = [];
  const uids = new Map<string, string>();
  const devs = new Map<string, string>();
  for (const c of configs) {
    for (const id of c.identifiers) {
      if (devs.has(id)) problems.push(`device identifier ${id} used by ${devs.get(id)} and ${c.objectId}`);
      devs.set(id, c.objectId);
    }
    for (const [key, comp] of Object.entries(c.components)) {
      const uid = comp.unique_id;
      if (typeof uid !== 'string') continue;
      if (uids.has(uid)) problems.push(`unique_id ${uid} used by ${uids.get(uid)} and ${c.objectId}/${key}`);
      uids.set(uid, `${c.objectId}/${key}`);
    }
  }
  return problems;
}
