/**
 * Checks that span more than one field or item, which a per-field schema cannot express: conditional
 * requirements, register counts that must match the data type, references between lists, duplicates.
 * They run on the fields that are valid on their own, so one typo does not hide (or fake) other problems,
 * and every message names the item the same way schema messages do.
 */
import { naturalRegisterCount } from '../modbus/codecs.js';
import type { DataType, RegisterType } from '../modbus/types.js';
import type { ConnectionOptions, EntityOptions } from './options.js';
import { formatProblem, isRecord, itemSegment, show, type Path } from './schemaDsl.js';

/** An item as written (`raw`) and its fields that passed the schema on their own (`fields`). */
export interface Item<T> {
  raw: unknown;
  fields: Partial<T>;
  /** Where an item from elsewhere than its option list came from (a device template, a register file). */
  origin?: ItemOrigin;
}

export interface ItemOrigin {
  /** The item's path in messages, e.g. devices[0] (meter). */
  path: Path;
  /** Put before the message, e.g. "meters.yaml line 12"; given the field concerned. */
  place?: (field: string | undefined) => string;
}

type Problems = string[];

/** Registers a fixed-size type occupies (bits for bool on coils); undefined for string, which has no size. */
export function naturalCount(dataType: DataType): number | undefined {
  return dataType === 'string' ? undefined : naturalRegisterCount(dataType);
}

export function isBitTable(registerType: RegisterType): boolean {
  return registerType === 'coil' || registerType === 'discrete_input';
}

export function defaultDataType(registerType: RegisterType): DataType {
  return isBitTable(registerType) ? 'bool' : 'uint16';
}

/** Lower case, anything but a–z/0–9 becomes one `_`, no `_` at either end; accents are dropped first. */
export function slugify(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** True when the user left the key out (or empty), as opposed to giving an invalid value. */
function absent(raw: unknown, key: string): boolean {
  return !isRecord(raw) || raw[key] === undefined || raw[key] === null;
}

function pathOf(list: string, index: number, item: Item<unknown> | undefined): Path {
  return item?.origin?.path ?? [list, itemSegment(index, item?.raw)];
}

function at(list: string, index: number, item: Item<unknown>): (field: string, message: string) => string {
  return (field, message) => {
    const text = formatProblem([...pathOf(list, index, item), ...(field ? [field] : [])], message);
    const place = item.origin?.place?.(field || undefined);
    return place === undefined ? text : `${place}: ${text}`;
  };
}

/** How a problem about `from` refers to another item; "options …" when only the file place tells them apart. */
function itemRef(list: string, index: number, item: Item<unknown> | undefined, from: Item<unknown>): string {
  const text = formatProblem(pathOf(list, index, item), '').replace(/: $/, '');
  const place = item?.origin?.place?.(undefined);
  if (place !== undefined) return `${place}: ${text}`;
  return from.origin?.place !== undefined && item?.origin === undefined ? `options ${text}` : text;
}

export function checkConnections(items: Item<ConnectionOptions>[]): Problems {
  const problems: Problems = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const { raw, fields: c } = item;
    const p = at('connections', i, item);
    if (c.name !== undefined) {
      const first = seen.get(c.name);
      if (first === undefined) seen.set(c.name, i);
      else problems.push(p('name', `${show(c.name)} is already used by ${itemRef('connections', first, items[first], item)}`));
    }
    if (c.type === 'tcp' || c.type === 'rtuovertcp') {
      if (c.host === '' || (c.host === undefined && absent(raw, 'host'))) problems.push(p('host', `is required for type ${c.type}`));
    }
    if (c.type === 'serial') {
      if (c.serial_port === '' || (c.serial_port === undefined && absent(raw, 'serial_port'))) {
        problems.push(p('serial_port', 'is required for type serial'));
      }
    }
  });
  return problems;
}

/** The id an entity will get, or undefined when the given one is invalid (the schema said so already). */
export function entityIdOf(item: Item<EntityOptions>): string | undefined {
  const { raw, fields } = item;
  if (fields.id !== undefined) return fields.id;
  if (!absent(raw, 'id') || fields.name === undefined) return undefined;
  return slugify(fields.name);
}

export function checkEntities(items: Item<EntityOptions>[], connections: Item<ConnectionOptions>[]): Problems {
  const known = [...new Set(connections.flatMap(({ fields }) => (fields.name === undefined ? [] : [fields.name])))];
  // A connection whose name is broken might be the one meant: say nothing rather than something false.
  const nameless = connections.some(({ fields }) => fields.name === undefined);
  const problems: Problems = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const p = at('entities', i, item);
    const id = entityIdOf(item);
    if (id === '') problems.push(p('id', `is required: name ${show(item.fields.name)} has no letters or digits to make one`));
    else if (id !== undefined) {
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else problems.push(p('id', `${show(id)} is already used by ${itemRef('entities', first, items[first], item)}`));
    }
    const conn = item.fields.connection;
    if (conn !== undefined && !known.includes(conn) && !nameless) {
      const hint = known.length === 0 ? 'no connections are configured' : `known: ${known.join(', ')}`;
      problems.push(p('connection', `${show(conn)} is not a configured connection (${hint})`));
    }
    problems.push(...checkRegisters(item, p), ...checkIntervals(item.fields, p), ...checkWrites(item.fields, p), ...checkDecoding(item, p));
  });
  return problems;
}

/** Value and factor must come in one request (125 registers), with room for a 64-bit value. */
const MAX_SCALE_FACTOR_DISTANCE = 121;

function checkRegisters(item: Item<EntityOptions>, p: (field: string, msg: string) => string): Problems {
  const { raw, fields: e } = item;
  const problems: Problems = [];
  const registerType = e.register_type ?? (absent(raw, 'register_type') ? 'holding' : undefined);
  const dataType = e.data_type ?? (absent(raw, 'data_type') && registerType ? defaultDataType(registerType) : undefined);
  if (registerType !== undefined && dataType !== undefined && isBitTable(registerType) && dataType !== 'bool') {
    problems.push(p('data_type', `${show(dataType)} cannot be read from register_type ${registerType} (use bool)`));
  }
  if (dataType === undefined) return problems;
  const natural = naturalCount(dataType);
  if (natural === undefined && e.count === undefined && absent(raw, 'count')) {
    problems.push(p('count', 'is required for data_type string'));
  }
  if (natural !== undefined && e.count !== undefined && e.count !== natural) {
    const what = dataType === 'bool' && registerType && isBitTable(registerType) ? 'bit' : 'register';
    problems.push(p('count', `${e.count} does not match data_type ${dataType}, which takes ${natural} ${what}${natural > 1 ? 's' : ''}`));
  }
  const count = e.count ?? natural;
  if (e.address !== undefined && count !== undefined && e.address + count > 65536) {
    problems.push(p('address', `${e.address} + count ${count} runs past the last address 65535`));
  }
  return problems;
}

/** Sentinels, bits and value maps only where a register holds integers; a bit or a map, not both. */
function checkDecoding(item: Item<EntityOptions>, p: (field: string, msg: string) => string): Problems {
  const { raw, fields: e } = item;
  const problems: Problems = [];
  const registerType = e.register_type ?? (absent(raw, 'register_type') ? 'holding' : undefined);
  const dataType = e.data_type ?? (absent(raw, 'data_type') && registerType ? defaultDataType(registerType) : undefined);
  const integer = dataType !== undefined && /^u?int(16|32|64)$/.test(dataType);
  if (e.bit !== undefined) {
    if (dataType !== undefined && dataType !== 'uint16' && dataType !== 'uint32') problems.push(p('bit', `needs data_type uint16 or uint32, not ${dataType}`));
    else if (dataType === 'uint16' && e.bit > 15) problems.push(p('bit', `${e.bit} is past the 16 bits of a uint16 (0…15)`));
    if (e.value_map !== undefined) problems.push(p('bit', 'and value_map cannot both be set (a bit is on or off)'));
    if (e.writable) problems.push(p('bit', 'cannot be written on its own (writable writes the whole register)'));
  }
  if (e.value_map !== undefined && dataType !== undefined && !integer) problems.push(p('value_map', `needs an integer data_type, not ${dataType}`));
  const codes = new Set<number>();
  e.value_map?.forEach((m) => {
    if (codes.has(m.value)) problems.push(p('value_map', `lists the code ${m.value} twice`));
    codes.add(m.value);
  });
  if (e.invalid_values !== undefined && dataType !== undefined && !integer) {
    problems.push(p('invalid_values', `needs an integer data_type, not ${dataType} (floats: NaN already shows unknown)`));
  }
  problems.push(...checkScaleFactor(e, integer ? undefined : dataType, registerType, p));
  return problems;
}

/** A scale-factor register: integers of a register table only, read in one request with the value, never written. */
function checkScaleFactor(e: Partial<EntityOptions>, nonInteger: string | undefined, registerType: EntityOptions['register_type'] | undefined,
  p: (field: string, msg: string) => string): Problems {
  const sf = e.scale_factor_register;
  if (sf === undefined) return [];
  const problems: Problems = [];
  if (nonInteger !== undefined) problems.push(p('scale_factor_register', `needs an integer data_type, not ${nonInteger}`));
  if (registerType !== undefined && isBitTable(registerType)) problems.push(p('scale_factor_register', `needs register_type holding or input, not ${registerType}`));
  if (e.bit !== undefined || e.value_map !== undefined) problems.push(p('scale_factor_register', 'applies to numbers, not to a bit or a value_map'));
  if (e.writable) problems.push(p('scale_factor_register', 'cannot be combined with writable (the factor may change under a write)'));
  if (e.address !== undefined && e.data_type !== undefined && e.address <= sf && sf < e.address + (naturalCount(e.data_type) ?? 1)) {
    problems.push(p('scale_factor_register', `${sf} lies inside the value's own registers`));
  }
  if (e.address !== undefined && Math.abs(sf - e.address) >= MAX_SCALE_FACTOR_DISTANCE) {
    problems.push(p('scale_factor_register', `${sf} is ${Math.abs(sf - e.address)} registers from address ${e.address}; value and factor must fit one read of ${MAX_SCALE_FACTOR_DISTANCE} registers`));
  }
  return problems;
}

/** writable only where Modbus can write (holding registers, coils); min below max. */
function checkWrites(e: Partial<EntityOptions>, p: (field: string, msg: string) => string): Problems {
  const problems: Problems = [];
  const type = e.register_type ?? 'holding';
  if (e.writable && type !== 'holding' && type !== 'coil') problems.push(p('writable', `is set but register_type ${type} cannot be written (only holding and coil)`));
  if (e.min !== undefined && e.max !== undefined && e.min > e.max) problems.push(p('min', `${e.min} is greater than max ${e.max}`));
  if (e.write_function !== undefined && e.write_function !== 6 && e.write_function !== 16) problems.push(p('write_function', `${e.write_function} is not 6 or 16`));
  else if (e.write_function === 6 && type !== 'holding') problems.push(p('write_function', `6 writes holding registers, not ${type}`));
  else if (e.write_function === 6 && e.data_type !== undefined && !['int16', 'uint16', 'float16', 'bool'].includes(e.data_type)) {
    problems.push(p('write_function', `6 writes one register; data_type ${e.data_type} takes more (use 16)`));
  }
  return problems;
}

function checkIntervals(e: Partial<EntityOptions>, p: (field: string, msg: string) => string): Problems {
  const problems: Problems = [];
  const { scan_interval: scan, min_interval: min, max_interval: max } = e;
  for (const [field, value] of [['scan_interval', scan], ['min_interval', min], ['max_interval', max]] as const) {
    if (value === 0) problems.push(p(field, '0 is not greater than 0'));
  }
  if (scan !== undefined && scan > 0) {
    if (min !== undefined && min > scan) problems.push(p('scan_interval', `${scan} is less than min_interval ${min}`));
    if (max !== undefined && max < scan) problems.push(p('scan_interval', `${scan} is greater than max_interval ${max}`));
  } else if (min !== undefined && max !== undefined && min > max) {
    problems.push(p('min_interval', `${min} is greater than max_interval ${max}`));
  }
  return problems;
}
