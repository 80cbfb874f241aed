/**
 * Device templates instantiated: each item of the `devices` option becomes its template's entities,
 * written out as ordinary entity options (id `<prefix>_<key>`, name "<Prefix> <name>", the device's
 * connection and unit id) so they go through the same validation, cross checks and resolution as
 * entities typed by hand. Problems name the device item: `devices[1] (meter): prefix "meter" …`.
 * A `sunspec` item takes its template from the map discovered for its connection and unit (boot.ts);
 * without one it has no entities yet (boot.ts has said why).
 */
import type { DeviceDef, UnitLimits } from '../modbus/types.js';
import type { TemplateLimits } from './templates/types.js';
import type { Item } from './crossChecks.js';
import { deviceSchema, entitySchema, type EntityOptions } from './options.js';
import { formatProblem, isRecord, show, validFieldsOf, type Segment } from './schemaDsl.js';
import { templateNamed } from './templates/index.js';
import type { DeviceTemplate } from './templates/types.js';
import type { SunSpecMap } from '../modbus/sunspec/walker.js';
import { SUNSPEC_TEMPLATE, sunspecTemplate } from './sunspec/template.js';

/** Discovered SunSpec maps by `<connection>:<unit id>`. */
export type DiscoveredMaps = ReadonlyMap<string, SunSpecMap>;

export function discoveryKey(connection: string, unitId: number): string {
  return `${connection}:${unitId}`;
}

function templateOf(name: string | undefined, connection: string | undefined, unitId: number, discovered: DiscoveredMaps): DeviceTemplate | undefined {
  if (name !== SUNSPEC_TEMPLATE) return name === undefined ? undefined : templateNamed(name);
  const map = connection === undefined ? undefined : discovered.get(discoveryKey(connection, unitId));
  const empty: DeviceTemplate = { name, title: '', prefix: 'sunspec', label: 'SunSpec device', manufacturer: 'SunSpec', entities: [] };
  return map ? sunspecTemplate(map).template : empty;
}

/** `grid_meter` → "Grid meter". */
function title(prefix: string): string {
  const words = prefix.split('_').filter((w) => w !== '').join(' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

const LIMIT_KEYS = ['max_registers_per_read', 'max_gap', 'pause_ms', 'connect_pause_ms', 'timeout_ms'] as const;

/** The limit fields a device item sets (an unset field keeps the template's). */
function definedOnly(d: Partial<Record<(typeof LIMIT_KEYS)[number], number | undefined>>): TemplateLimits {
  return Object.fromEntries(LIMIT_KEYS.flatMap((k) => (d[k] === undefined ? [] : [[k, d[k]]])));
}

function unitLimitsOf(l: TemplateLimits): UnitLimits {
  const limits: UnitLimits = {};
  if (l.max_registers_per_read !== undefined) limits.maxRegisters = l.max_registers_per_read;
  if (l.max_gap !== undefined) limits.maxGap = l.max_gap;
  if (l.pause_ms !== undefined) limits.pauseMs = l.pause_ms;
  if (l.connect_pause_ms !== undefined) limits.connectPauseMs = l.connect_pause_ms;
  if (l.timeout_ms !== undefined) limits.timeoutMs = l.timeout_ms;
  return limits;
}

/** The template's entities for each valid device item, the devices themselves, and the problems only devices can have. */
export function deviceEntities(rawDevices: readonly unknown[], discovered: DiscoveredMaps = new Map()): { items: Item<EntityOptions>[]; devices: DeviceDef[]; problems: string[] } {
  const items: Item<EntityOptions>[] = [];
  const devices: DeviceDef[] = [];
  const problems: string[] = [];
  const seen = new Map<string, Segment>();
  rawDevices.forEach((raw, index) => {
    const d = validFieldsOf(deviceSchema, raw);
    const template = templateOf(d.template, d.connection, d.unit_id ?? 1, discovered);
    const prefixGiven = isRecord(raw) && raw.prefix !== undefined && raw.prefix !== null;
    if (!template || d.connection === undefined || (prefixGiven && d.prefix === undefined)) return; // the schema says why
    const prefix = d.prefix ?? template.prefix;
    const segment: Segment = { index, label: prefix };
    const first = seen.get(prefix);
    if (first !== undefined) {
      const how = prefixGiven ? '' : ' (the template\'s default)';
      problems.push(formatProblem(['devices', segment, 'prefix'],
        `${show(prefix)}${how} is already used by ${formatProblem(['devices', first], '').replace(/: $/, '')}; give each device its own prefix`));
      return;
    }
    seen.set(prefix, segment);
    const label = prefixGiven ? title(prefix) : template.label;
    const unitId = d.unit_id ?? 1;
    if (template.entities.length === 0) return; // an undiscovered SunSpec device: boot.ts warned
    devices.push({
      id: prefix, name: label, model: template.label, manufacturer: template.manufacturer, connection: d.connection, unitId,
      entityIds: template.entities.map((e) => `${prefix}_${e.key}`),
      limits: unitLimitsOf({ ...template.limits, ...definedOnly(d) }),
    });
    for (const { key, name, ...rest } of template.entities) {
      const entity = { id: `${prefix}_${key}`, name: `${label} ${name}`, connection: d.connection, unit_id: unitId, ...rest, ...(d.when_silent ? { when_silent: d.when_silent } : {}) };
      items.push({ raw: entity, fields: validFieldsOf(entitySchema, entity), origin: { path: ['devices', segment] } });
    }
  });
  return { items, devices, problems };
}
