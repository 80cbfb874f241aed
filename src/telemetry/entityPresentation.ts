/**
 * How each configured Modbus entity appears in Home Assistant, whichever face carries it: `sensor.<id>`,
 * or `binary_sensor.<id>` for coils, discrete inputs and bool values; its state text; its attributes
 * (friendly name, unit, device and state class, an icon where one fits). REST states and MQTT
 * discovery both render from here, so an entity looks the same either way.
 */
import type { EntityDef, EntityValue } from '../modbus/types.js';

/** HA rejects states longer than this. */
export const MAX_STATE_LENGTH = 255;

export function isBinaryEntity(def: Pick<EntityDef, 'registerType' | 'dataType' | 'bit'>): boolean {
  return def.registerType === 'coil' || def.registerType === 'discrete_input' || def.dataType === 'bool' || def.bit !== undefined;
}

/** An entity with a value map is an enum sensor: its state is one of the map's texts. */
export function enumOptionsOf(def: Pick<EntityDef, 'valueMap'>): string[] | undefined {
  return def.valueMap === undefined ? undefined : [...new Set(def.valueMap.values())];
}

export function haEntityIdOf(def: Pick<EntityDef, 'id' | 'registerType' | 'dataType' | 'bit'>): string {
  return `${isBinaryEntity(def) ? 'binary_sensor' : 'sensor'}.${def.id}`;
}

/** How a face writes bits and "no reading": REST states say on/off/unknown, MQTT payloads ON/OFF/None. */
export interface StateWords {
  on: string;
  off: string;
  none: string;
}

export const REST_WORDS: StateWords = { on: 'on', off: 'off', none: 'unknown' };

/** The state text HA shows: on/off for bits, numbers as JS prints them, unknown for no reading. */
export function stateTextOf(def: EntityDef, value: EntityValue | null, words: StateWords = REST_WORDS): string {
  if (value === null) return words.none;
  if (isBinaryEntity(def)) return value === true || value === 1 ? words.on : words.off;
  const text = String(value);
  return text.length > MAX_STATE_LENGTH ? text.slice(0, MAX_STATE_LENGTH) : text;
}

/** An icon only where HA would otherwise show a generic one (no device class). */
function iconOf(def: EntityDef): string | undefined {
  if (def.deviceClass !== undefined) return undefined;
  if (isBinaryEntity(def)) return 'mdi:toggle-switch-outline';
  if (def.valueMap !== undefined) return 'mdi:list-status';
  if (def.dataType === 'string') return 'mdi:text-box-outline';
  if (def.stateClass === 'total_increasing' || def.stateClass === 'total') return 'mdi:counter';
  return 'mdi:gauge';
}

/** HA's enum sensors take no unit and no state class; their options list every state they can show. */
export function attributesOf(def: EntityDef): Record<string, unknown> {
  const binary = isBinaryEntity(def);
  const options = enumOptionsOf(def);
  const attrs: Record<string, unknown> = { friendly_name: def.name };
  if (!binary && options === undefined && def.unitOfMeasurement !== undefined) attrs.unit_of_measurement = def.unitOfMeasurement;
  if (options !== undefined) {
    attrs.device_class = 'enum';
    attrs.options = options;
  } else if (def.deviceClass !== undefined) attrs.device_class = def.deviceClass;
  if (!binary && options === undefined && def.stateClass !== undefined) attrs.state_class = def.stateClass;
  const icon = iconOf(def);
  if (icon !== undefined) attrs.icon = icon;
  return attrs;
}

