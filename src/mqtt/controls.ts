/**
 * The app's operations as Home Assistant control entities: buttons for the quick and full cycles and
 * the evaluation, a read-now button per device, a number per strategy parameter (with its bounds), a
 * select for the goal, a switch for the optimizer's schedule, and each writable entity (option
 * `writable`) as a number or switch whose state is the value read back. Each turns what HA sends into the very
 * command object stdin would carry, so it goes through the one command registry, its checks and its
 * audit; none changes anything itself. Pure: the face publishes and routes.
 */
import { GOALS, type Goal } from '../config/vocabulary.js';
import { isNumericType, NUMERIC_FORMATS } from '../modbus/codecs/numeric.js';
import type { DeviceDef, EntityDef } from '../modbus/types.js';
import { isBinaryEntity } from '../telemetry/entityPresentation.js';
import type { ParameterSpec } from '../optimizer/types.js';
import { availability, OFF, ON, type Component } from './discovery.js';
import type { Topics } from './topics.js';

export interface Control {
  key: string;
  /** The Modbus device whose HA device shows it (read-now buttons); the optimizer's device otherwise. */
  deviceId?: string;
  component: Component;
  /** The command what HA sent asks for, or a message naming what was wrong with it. */
  command(payload: string): Record<string, unknown> | string;
  /** The state HA shows (numbers, select, switch); undefined for buttons. */
  state?(): string | undefined;
}

export interface ControlSource {
  devices: readonly DeviceDef[];
  /** The configured entities; the writable ones become number or switch controls. */
  entities?: readonly EntityDef[];
  /** Undefined when the app runs without an optimizer. */
  optimizer?: {
    strategies(): ReadonlyArray<{ name: string; specs: readonly ParameterSpec[]; parameters(): Readonly<Record<string, number>> }>;
    goal(): Goal;
    enabled(): boolean;
  };
}

const PRESS = 'PRESS';

function button(topics: Topics, key: string, name: string, icon: string, command: Record<string, unknown>, category?: string): Control {
  return {
    key,
    component: {
      p: 'button', name, uniq_id: topics.ownUniqueId(key), cmd_t: topics.controlSet(key), pl_prs: PRESS, ic: icon,
      ...(category === undefined ? {} : { ent_cat: category }), ...availability(topics),
    },
    command: (payload) => (payload === PRESS ? command : `expected ${PRESS}, got ${JSON.stringify(payload.slice(0, 40))}`),
  };
}

/** One decimal step that can express the spec's bounds (whole numbers step 1). */
function stepOf(spec: ParameterSpec): number {
  if (spec.integer) return 1;
  const span = spec.max - spec.min;
  return span <= 1 ? 0.01 : span <= 100 ? 0.1 : 1;
}

function parameterNumber(topics: Topics, strategy: string, spec: ParameterSpec, value: () => number | undefined): Control {
  const key = `${strategy}_${spec.name}`;
  return {
    key,
    component: {
      p: 'number', name: `${strategy} ${spec.name.replace(/_/g, ' ')}`, uniq_id: topics.ownUniqueId(key),
      cmd_t: topics.controlSet(key), stat_t: topics.controlState(key), min: spec.min, max: spec.max, step: stepOf(spec),
      mode: 'box', ent_cat: 'config', ic: 'mdi:tune-variant', ...availability(topics),
    },
    command: (payload) => {
      const n = Number(payload.trim());
      if (payload.trim() === '' || !Number.isFinite(n)) return `${key}: ${JSON.stringify(payload.slice(0, 40))} is not a number`;
      return { command: 'update_strategy_parameters', strategy, parameters: { [spec.name]: n } };
    },
    state: () => {
      const v = value();
      return v === undefined ? undefined : String(v);
    },
  };
}

/** A number box beyond this is no setting anyone types (64-bit and float types hold far more). */
const UI_LIMIT = 1e9;

/**
 * What a number control may be set to: the options' min/max, else what the data type can hold after
 * scale and offset (the codec's own range), within ±1e9.
 */
function numberRange(def: EntityDef): { min: number; max: number; step: number } {
  const format = isNumericType(def.dataType) ? NUMERIC_FORMATS[def.dataType] : NUMERIC_FORMATS.uint16;
  const clip = (x: number) => Math.max(-UI_LIMIT, Math.min(UI_LIMIT, x));
  const ends = [clip(format.min * def.scale + def.offset), clip(format.max * def.scale + def.offset)];
  const integer = !def.dataType.startsWith('float');
  const step = def.precision !== undefined ? 10 ** -def.precision : integer ? Math.abs(def.scale) : 0.001;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const round = (x: number) => Number(x.toFixed(Math.min(10, decimals)));
  return { min: def.writeMin ?? round(Math.min(...ends)), max: def.writeMax ?? round(Math.max(...ends)), step };
}

/** A writable entity as a control: a switch for bits, a number otherwise (strings are not offered). */
function writableControl(topics: Topics, def: EntityDef, deviceId: string): Control | undefined {
  const key = `set_${def.id}`;
  const shared = {
    name: def.name, uniq_id: topics.ownUniqueId(key), cmd_t: topics.controlSet(key), stat_t: topics.entityState(def.id),
    ...availability(topics, topics.deviceAvailability(deviceId), topics.entityAvailability(def.id)),
  };
  const command = def.registerType === 'coil' ? 'write_coil' : 'write_register';
  if (isBinaryEntity(def)) {
    return {
      key, deviceId, component: { p: 'switch', ...shared, default_entity_id: `switch.${def.id}`, pl_on: ON, pl_off: OFF },
      command: (payload) => (payload === ON || payload === OFF ? { command, entity: def.id, value: payload === ON }
        : `${def.id}: expected ${ON} or ${OFF}, got ${JSON.stringify(payload.slice(0, 40))}`),
    };
  }
  if (def.dataType === 'string') return undefined;
  const range = numberRange(def);
  const component: Component = { p: 'number', ...shared, default_entity_id: `number.${def.id}`, ...range, mode: 'box' };
  if (def.unitOfMeasurement !== undefined) component.unit_of_meas = def.unitOfMeasurement;
  if (def.deviceClass !== undefined) component.dev_cla = def.deviceClass;
  return {
    key, deviceId, component,
    command: (payload) => {
      const n = Number(payload.trim());
      if (payload.trim() === '' || !Number.isFinite(n)) return `${def.id}: ${JSON.stringify(payload.slice(0, 40))} is not a number`;
      return { command, entity: def.id, value: n };
    },
  };
}

export function controls(topics: Topics, source: ControlSource): Control[] {
  const out: Control[] = source.devices.map((d) => ({
    ...button(topics, `read_now_${d.id}`, 'Read now', 'mdi:refresh', { command: 'read_now', device: d.id }), deviceId: d.id,
  }));
  const deviceOf = new Map(source.devices.flatMap((d) => d.entityIds.map((id) => [id, d.id] as const)));
  for (const def of source.entities ?? []) {
    const deviceId = deviceOf.get(def.id);
    const control = def.writable && deviceId !== undefined ? writableControl(topics, def, deviceId) : undefined;
    if (control) out.push(control);
  }
  const opt = source.optimizer;
  if (!opt) return out;
  out.push(
    button(topics, 'run_quick_optimization', 'Run quick optimization', 'mdi:run-fast', { command: 'run_quick_optimization' }),
    button(topics, 'run_full_optimization', 'Run full optimization', 'mdi:run', { command: 'run_full_optimization' }),
    button(topics, 'evaluate_optimizations', 'Evaluate optimizations', 'mdi:scale-balance', { command: 'evaluate_optimizations' }),
    {
      key: 'goal',
      component: {
        p: 'select', name: 'Goal', uniq_id: topics.ownUniqueId('goal'), cmd_t: topics.controlSet('goal'), stat_t: topics.controlState('goal'),
        ops: [...GOALS], ent_cat: 'config', ic: 'mdi:target', ...availability(topics),
      },
      command: (payload) => (GOALS.includes(payload as Goal) ? { command: 'set_optimizer', goal: payload }
        : `goal: ${JSON.stringify(payload.slice(0, 40))} is not one of ${GOALS.join(', ')}`),
      state: () => opt.goal(),
    },
    {
      key: 'enabled',
      component: {
        p: 'switch', name: 'Optimizer', uniq_id: topics.ownUniqueId('enabled'), cmd_t: topics.controlSet('enabled'), stat_t: topics.controlState('enabled'),
        pl_on: ON, pl_off: OFF, ent_cat: 'config', ic: 'mdi:robot', ...availability(topics),
      },
      command: (payload) => (payload === ON || payload === OFF ? { command: 'set_optimizer', enabled: payload === ON }
        : `enabled: expected ${ON} or ${OFF}, got ${JSON.stringify(payload.slice(0, 40))}`),
      state: () => (opt.enabled() ? ON : OFF),
    },
  );
  for (const s of opt.strategies()) {
    for (const spec of s.specs) out.push(parameterNumber(topics, s.name, spec, () => s.parameters()[spec.name]));
  }
  return out;
}
