/**
 * How each configured Modbus entity appears in Home Assistant: `sensor.<id>`, or
 * `binary_sensor.<id>` for coils, discrete inputs and bool values; its state text; its attributes
 * (friendly name, unit, device and state class, an icon where one fits); and `unavailable` once
 * its reads have kept failing for longer than a grace period (one failed read is not an outage).
 */
import type { Clock } from '../core/clock.js';
import type { ReadFailure, Sample } from '../modbus/pollerTypes.js';
import type { EntityDef, EntityValue } from '../modbus/types.js';
import type { StatePublisher } from './publisher.js';

/** HA rejects states longer than this. */
export const MAX_STATE_LENGTH = 255;

export function isBinaryEntity(def: Pick<EntityDef, 'registerType' | 'dataType'>): boolean {
  return def.registerType === 'coil' || def.registerType === 'discrete_input' || def.dataType === 'bool';
}

export function haEntityIdOf(def: Pick<EntityDef, 'id' | 'registerType' | 'dataType'>): string {
  return `${isBinaryEntity(def) ? 'binary_sensor' : 'sensor'}.${def.id}`;
}

/** The state text HA shows: on/off for bits, numbers as JS prints them, unknown for no reading. */
export function stateTextOf(def: EntityDef, value: EntityValue | null): string {
  if (value === null) return 'unknown';
  if (isBinaryEntity(def)) return value === true || value === 1 ? 'on' : 'off';
  const text = String(value);
  return text.length > MAX_STATE_LENGTH ? text.slice(0, MAX_STATE_LENGTH) : text;
}

/** An icon only where HA would otherwise show a generic one (no device class). */
function iconOf(def: EntityDef): string | undefined {
  if (def.deviceClass !== undefined) return undefined;
  if (isBinaryEntity(def)) return 'mdi:toggle-switch-outline';
  if (def.dataType === 'string') return 'mdi:text-box-outline';
  if (def.stateClass === 'total_increasing' || def.stateClass === 'total') return 'mdi:counter';
  return 'mdi:gauge';
}

export function attributesOf(def: EntityDef): Record<string, unknown> {
  const binary = isBinaryEntity(def);
  const attrs: Record<string, unknown> = { friendly_name: def.name };
  if (!binary && def.unitOfMeasurement !== undefined) attrs.unit_of_measurement = def.unitOfMeasurement;
  if (def.deviceClass !== undefined) attrs.device_class = def.deviceClass;
  if (!binary && def.stateClass !== undefined) attrs.state_class = def.stateClass;
  const icon = iconOf(def);
  if (icon !== undefined) attrs.icon = icon;
  return attrs;
}

export interface EntitySensorsDeps {
  clock: Clock;
  publisher: StatePublisher;
  /** In config order: the index names the option in conflict messages. */
  entities: readonly EntityDef[];
  /** Reads must keep failing this long (and at least twice) before the sensor shows unavailable. */
  unavailableAfterMs: number;
}

interface Tracked {
  def: EntityDef;
  haId: string;
  attributes: Record<string, unknown>;
  failingSince: number | undefined;
}

export class EntitySensors {
  private readonly byId = new Map<string, Tracked>();

  constructor(private readonly deps: EntitySensorsDeps) {
    deps.entities.forEach((def, index) => {
      const haId = haEntityIdOf(def);
      this.byId.set(def.id, { def, haId, attributes: attributesOf(def), failingSince: undefined });
      deps.publisher.declare(haId, `entities[${index}] (${def.name}): change its "id" option (now "${def.id}") to publish it`);
    });
  }

  onSample(sample: Sample): void {
    const t = this.byId.get(sample.entityId);
    if (!t) return;
    t.failingSince = undefined;
    this.deps.publisher.set(t.haId, stateTextOf(t.def, sample.value), t.attributes);
  }

  onReadError(failure: ReadFailure): void {
    const t = this.byId.get(failure.entityId);
    if (!t) return;
    t.failingSince ??= failure.at;
    if (failure.consecutiveErrors >= 2 && failure.at - t.failingSince >= this.deps.unavailableAfterMs) {
      this.deps.publisher.set(t.haId, 'unavailable', t.attributes);
    }
  }
}
