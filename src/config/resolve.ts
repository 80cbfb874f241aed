/**
 * Turns raw options (whatever options.json or a YAML file held) into the resolved definitions the Modbus
 * core works with, or one ConfigError listing every problem found: schema problems and cross-field
 * problems together, so a user fixes the whole file in one go instead of one restart per typo.
 */
import { ConfigError } from '../core/errors.js';
import type { LogLevel } from '../core/logger.js';
import { mergeUnitLimits, type ConnectionDef, type DeviceDef, type EntityDef, type UnitLimits } from '../modbus/types.js';
import {
  checkConnections, checkEntities, defaultDataType, entityIdOf, naturalCount, type Item,
} from './crossChecks.js';
import {
  connectionSchema, entitySchema, optionsSchema,
  type ConnectionOptions, type EntityOptions, type Options,
} from './options.js';
import { groupDevices } from './deviceGroups.js';
import { proxyProblems } from './proxies.js';
import { deviceEntities, type DiscoveredMaps } from './devices.js';
import { toOptimizerOptions, type ResolvedOptimizerOptions } from './optimizerOptions.js';
import { fileEntities, type RegisterFile } from './registerFiles.js';
import { isRecord, validate, validFieldsOf } from './schemaDsl.js';

export interface ResolvedOptions {
  connections: ConnectionDef[];
  entities: EntityDef[];
  /** Every entity in exactly one device (template instances, then one per connection and unit). */
  devices: DeviceDef[];
  logLevel: LogLevel;
  /** The validated options with schema defaults filled in (type-dependent defaults are only in the defs). */
  options: Options;
  optimizer: ResolvedOptimizerOptions;
}

/**
 * Validates and resolves; throws ConfigError with every problem. Empty input (an empty file) = defaults.
 * Entities come from the entities option, then the device templates (SunSpec ones from the maps discovered
 * at start, boot.ts), then the register files (already read).
 */
export function resolveOptions(raw: unknown, files: readonly RegisterFile[] = [], discovered: DiscoveredMaps = new Map()): ResolvedOptions {
  const input = raw ?? {};
  const { value, problems } = validate(optionsSchema, input);
  const connections = itemsOf(input, 'connections').map((r): Item<ConnectionOptions> =>
    ({ raw: r, fields: validFieldsOf(connectionSchema, r) }));
  const devices = deviceEntities(itemsOf(input, 'devices'), discovered);
  const fromFiles = fileEntities(files);
  const more = [...devices.items, ...fromFiles.items];
  const entities = [...itemsOf(input, 'entities').map((r): Item<EntityOptions> =>
    ({ raw: r, fields: validFieldsOf(entitySchema, r) })), ...more];
  problems.push(...devices.problems, ...fromFiles.problems, ...checkConnections(connections), ...checkEntities(entities, connections));
  if (value) problems.push(...proxyProblems(value.proxies, value.connections.map((c) => c.name)));
  if (value === undefined || problems.length > 0) throw new ConfigError(byItem([...new Set(problems)], files.map((f) => f.name)));
  const moreValues = more.map((item) => validate(entitySchema, item.raw).value).filter((e) => e !== undefined);
  const entityDefs = [...value.entities, ...moreValues].map(toEntityDef);
  return {
    connections: withUnitLimits(value.connections.map(toConnectionDef), devices.devices),
    entities: entityDefs,
    devices: groupDevices(entityDefs, devices.devices),
    logLevel: value.log_level,
    options: value,
    optimizer: toOptimizerOptions(value.optimizer),
  };
}

const LISTS = ['connections', 'entities', 'devices'];

/** Orders problems as the file is read: top-level keys, each item in turn, then each register file (stable within one). */
function byItem(problems: string[], fileNames: readonly string[]): string[] {
  const rank = (p: string): [number, number] => {
    const m = /^(connections|entities|devices)\[(\d+)\]/.exec(p);
    if (m) return [LISTS.indexOf(m[1] ?? '') + 1, Number(m[2])];
    const file = fileNames.findIndex((name) => p.startsWith(`${name} line `));
    return file >= 0 ? [LISTS.length + 1, file] : [0, 0];
  };
  return problems
    .map((p) => ({ p, r: rank(p) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1])
    .map(({ p }) => p);
}

function itemsOf(input: unknown, key: string): unknown[] {
  const list = isRecord(input) ? input[key] : undefined;
  return Array.isArray(list) ? list : [];
}

/** Each connection with the declared limits of the template devices on it, per unit. */
function withUnitLimits(connections: ConnectionDef[], devices: readonly DeviceDef[]): ConnectionDef[] {
  return connections.map((conn) => {
    const units = new Map<number, UnitLimits>();
    for (const d of devices) {
      if (d.connection !== conn.name || d.limits === undefined || Object.keys(d.limits).length === 0) continue;
      const known = units.get(d.unitId);
      units.set(d.unitId, known === undefined ? d.limits : mergeUnitLimits(known, d.limits));
    }
    return units.size === 0 ? conn : { ...conn, unitLimits: units };
  });
}

export function toConnectionDef(c: ConnectionOptions): ConnectionDef {
  return {
    name: c.name,
    type: c.type,
    host: c.host ?? '',
    port: c.port,
    serialPort: c.serial_port ?? '',
    baudrate: c.baudrate,
    parity: c.parity,
    dataBits: c.data_bits,
    stopBits: c.stop_bits,
    timeoutMs: c.timeout_ms,
    messageWaitMs: c.message_wait_ms ?? (c.type === 'serial' ? 30 : 0),
    maxRegistersPerRead: c.max_registers_per_read,
    turnaroundMs: c.turnaround_ms ?? (c.type === 'tcp' ? 2 : 20),
  };
}

const seconds = (s: number): number => Math.round(s * 1000);

/** Decimal places of a number as written (0.1 → 1, 0.25 → 2, 10 → 0). */
function decimalsOf(x: number): number {
  const text = String(x);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return Number(exp[1]);
  return text.includes('.') ? (text.split('.')[1]?.length ?? 0) : 0;
}

/**
 * Without an explicit precision, show what the scaling can resolve: a scale of 0.1 gives one decimal,
 * so 234 × 0.1 shows 23.4 rather than 23.400000000000002. Floats are left to the codec, which
 * rounds them to the significant digits their width can hold.
 */
function defaultPrecision(dataType: string, scale: number, offset: number): number | undefined {
  if (dataType === 'string' || dataType === 'bool') return undefined;
  const places = Math.max(decimalsOf(scale), decimalsOf(offset));
  if (dataType.startsWith('float')) return undefined;
  return places > 0 ? Math.min(10, places) : undefined;
}

/** Expects an entity that passed the cross checks (so id, data type and count are consistent). */
export function toEntityDef(e: EntityOptions): EntityDef {
  const dataType = e.data_type ?? defaultDataType(e.register_type);
  return {
    id: entityIdOf({ raw: e, fields: e }) ?? '',
    name: e.name,
    connection: e.connection,
    unitId: e.unit_id,
    registerType: e.register_type,
    address: e.address,
    dataType,
    swap: e.swap,
    count: e.count ?? naturalCount(dataType) ?? 1,
    scale: e.scale,
    offset: e.offset,
    // with a scale factor the codec rounds to what the factor read with the value resolves
    precision: e.precision ?? (e.scale_factor_register === undefined ? defaultPrecision(dataType, e.scale, e.offset) : undefined),
    unitOfMeasurement: e.unit_of_measurement,
    deviceClass: e.device_class,
    stateClass: e.state_class,
    scanIntervalMs: seconds(e.scan_interval),
    minIntervalMs: seconds(e.min_interval),
    maxIntervalMs: seconds(e.max_interval),
    ...(e.invalid_values !== undefined && e.invalid_values.length > 0 ? { invalidValues: [...e.invalid_values] } : {}),
    ...(e.bit !== undefined ? { bit: e.bit } : {}),
    ...(e.value_map !== undefined && e.value_map.length > 0 ? { valueMap: new Map(e.value_map.map((m) => [m.value, m.label])) } : {}),
    ...(e.when_silent === 'last_value' ? { keepLastValue: true } : {}),
    ...(e.scale_factor_register !== undefined ? { scaleFactorAt: e.scale_factor_register - e.address } : {}),
    ...(e.writable ? { writable: true } : {}),
    ...(e.write_function === 6 ? { writeFunction: 6 as const } : e.write_function === 16 ? { writeFunction: 16 as const } : {}),
    ...(e.min !== undefined ? { writeMin: e.min } : {}),
    ...(e.max !== undefined ? { writeMax: e.max } : {}),
  };
}
