/**
 * write_register and write_coil. A write names either a configured entity (its value is encoded
 * with the entity's codec and read back through the poller, so the sensor updates too) or a raw
 * target: address, unit_id and connection (raw 16-bit words or one bit, read back from the bus).
 * Every write is read back and the answer says whether the device now holds what was written.
 * Nothing is written without permission: an entity needs `writable: true` (and its value must keep
 * within its `min`/`max`), a raw target needs the option `allow_raw_writes`, and a raw write to unit 0
 * or 248–255 (broadcast and reserved ids) needs `"broadcast": true` — a broadcast has no answer, so it
 * is never read back. Every write is audited with its caller.
 */
import { ModbusExceptionError, ModbusTimeoutError } from '../core/errors.js';
import type { Bus } from '../modbus/transport.js';
import { createEncoder } from '../modbus/codecs.js';
import { MAX_REGISTERS_PER_WRITE } from '../modbus/readPlan.js';
import type { ConnectionDef, EntityDef, EntityValue, RegisterType } from '../modbus/types.js';
import type { Args } from './args.js';
import { entityArg, type ModbusCommandDeps } from './modbusArgs.js';
import type { CommandRegistry } from './registry.js';
import { callerId, type Caller } from './types.js';

interface Target {
  entity: EntityDef | undefined;
  connection: string;
  unitId: number;
  address: number;
  bus: Bus;
  /** A raw write to unit 0 or 248–255 the command declared as broadcast: no answer, no read-back. */
  broadcast: boolean;
}

interface RegisterWrite extends Target { words: number[]; value: unknown }
interface CoilWrite extends Target { value: boolean }

/** Reads the entity-or-raw target; `table` is what the command writes (holding or coil). */
function targetArg(args: Args, deps: ModbusCommandDeps, table: 'holding' | 'coil', command: string): Target | undefined {
  if (args.has('entity')) {
    for (const key of ['address', 'unit_id', 'connection']) {
      if (args.has(key)) args.problem('invalid_argument', `give either entity or ${key}, not both`);
    }
    const def = entityArg(args, deps.entities);
    if (args.has('broadcast')) args.problem('invalid_argument', 'broadcast is only for raw writes (address, unit_id, connection)');
    if (!def) return undefined;
    if (def.registerType !== table) {
      args.problem('not_writable', `entity ${def.id} is a${/^[aeiou]/.test(def.registerType) ? 'n' : ''} ${describe(def.registerType)}: ${writableHint(def.registerType, command)}`);
      return undefined;
    }
    if (!def.writable) {
      args.problem('not_writable', `entity ${def.id} is not writable: set writable: true on it in the options to allow writes`);
      return undefined;
    }
    const bus = deps.busOf(def.connection);
    return bus ? { entity: def, connection: def.connection, unitId: def.unitId, address: def.address, bus, broadcast: false } : undefined;
  }
  if (!deps.allowRawWrites) {
    args.problem('not_writable', 'writes by address are off: name a writable entity, or set the option allow_raw_writes: true');
  }
  const address = args.int('address', 0, 65535);
  const unitId = args.optionalInt('unit_id', 0, 255) ?? 1;
  const broadcast = args.value('broadcast');
  if (broadcast !== undefined && typeof broadcast !== 'boolean') args.problem('invalid_argument', 'broadcast must be true or false');
  const special = unitId === 0 || unitId >= 248;
  if (special && broadcast !== true) {
    args.problem('invalid_argument', `unit_id ${unitId} is ${unitId === 0 ? 'the broadcast address' : 'reserved (248–255)'}: every device on the bus would act on it; add "broadcast": true if that is what you mean`);
  }
  const conn = connectionArg(args, deps.connections);
  const bus = conn ? deps.busOf(conn.name) : undefined;
  return conn && bus && deps.allowRawWrites ? { entity: undefined, connection: conn.name, unitId, address, bus, broadcast: special && broadcast === true } : undefined;
}

/**
 * Sends a write; for a broadcast no device answers, so a timeout (or a gateway's "no response",
 * exception 11) is what success looks like.
 */
async function send(t: Target, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const silent = err instanceof ModbusTimeoutError || (err instanceof ModbusExceptionError && err.code === 11);
    if (!(t.broadcast && silent)) throw err;
  }
}

/** A value outside the entity's min/max is refused before anything is written. */
function checkBounds(args: Args, def: EntityDef, value: unknown): void {
  if (typeof value !== 'number') return;
  if (def.writeMin !== undefined && value < def.writeMin) args.problem('invalid_argument', `value ${value} for ${def.id} is below its min ${def.writeMin}`);
  if (def.writeMax !== undefined && value > def.writeMax) args.problem('invalid_argument', `value ${value} for ${def.id} is above its max ${def.writeMax}`);
}

function audit(deps: ModbusCommandDeps, caller: Caller, t: Target, what: string, after: unknown): void {
  const where = t.entity ? t.entity.id : `${t.connection} unit ${t.unitId} address ${t.address}${t.broadcast ? ' (broadcast)' : ''}`;
  deps.audit?.(callerId(caller), `${what} ${where}`, null, after);
}

function describe(t: RegisterType): string {
  return t === 'holding' ? 'holding register' : t === 'input' ? 'input register (read-only)' : t === 'coil' ? 'coil' : 'discrete input (read-only)';
}

function writableHint(t: RegisterType, command: string): string {
  if (t === 'holding') return 'use write_register';
  if (t === 'coil') return 'use write_coil';
  return `${command} cannot write it`;
}

function connectionArg(args: Args, connections: readonly ConnectionDef[]): ConnectionDef | undefined {
  const name = args.optionalString('connection');
  if (name === undefined) {
    if (connections.length === 1) return connections[0];
    args.problem('missing_argument', `connection is required when there is more than one (${connections.map((c) => c.name).join(', ')})`);
    return undefined;
  }
  const conn = connections.find((c) => c.name === name);
  if (!conn) args.problem('invalid_argument', `connection "${name}" is not configured (known: ${connections.map((c) => c.name).join(', ')})`);
  return conn;
}

function rawWords(args: Args): number[] {
  const v = args.value('value');
  const list = Array.isArray(v) ? v as unknown[] : [v];
  const ok = list.length > 0 && list.length <= MAX_REGISTERS_PER_WRITE
    && list.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffff);
  if (v === undefined) args.problem('missing_argument', 'value is required');
  else if (!ok) args.problem('invalid_argument', `value must be a register word 0..65535 or a list of 1..${MAX_REGISTERS_PER_WRITE} of them`);
  return ok ? list as number[] : [];
}

function entityWords(args: Args, def: EntityDef): number[] {
  const v = args.value('value');
  if (v === undefined) {
    args.problem('missing_argument', 'value is required');
    return [];
  }
  try {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') throw new TypeError(`${def.dataType} cannot take ${Array.isArray(v) ? 'a list' : typeof v}`);
    return createEncoder(def)(v as EntityValue);
  } catch (err) {
    args.problem('invalid_argument', `value for ${def.id}: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}

function boolArg(args: Args): boolean {
  const v = args.value('value');
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  args.problem(v === undefined ? 'missing_argument' : 'invalid_argument', v === undefined ? 'value is required' : 'value must be true or false (or 1 or 0)');
  return false;
}

const sameWords = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function describeTarget(t: Target): Record<string, unknown> {
  return { ...(t.entity ? { entity: t.entity.id } : {}), connection: t.connection, unit_id: t.unitId, address: t.address };
}

export function registerWriteCommands(registry: CommandRegistry, deps: ModbusCommandDeps): void {
  registry.register<RegisterWrite>({
    name: 'write_register',
    summary: 'write holding registers: {"entity": "<id>", "value": v} or {"address", "unit_id", "connection", "value": word | [words]}',
    parse: (args) => {
      const target = targetArg(args, deps, 'holding', 'write_register');
      const value = args.value('value');
      const words = !target ? [] : target.entity ? entityWords(args, target.entity) : rawWords(args);
      if (target?.entity) checkBounds(args, target.entity, value);
      args.finish();
      return { ...(target as Target), words, value };
    },
    run: async (w, caller) => {
      const single = w.entity?.writeFunction === 6 && w.words.length === 1;
      await send(w, () => w.bus.writeRegisters({ unitId: w.unitId, address: w.address, values: w.words, ...(single ? { single } : {}) }));
      audit(deps, caller, w, 'write_register', w.entity ? w.value : w.words);
      if (w.broadcast) return { ...describeTarget(w), written: w.words, broadcast: true, verified: null };
      if (w.entity) {
        const sample = await deps.poller.readNow(w.entity.id);
        return { ...describeTarget(w), written: w.value, words: w.words, read_back: sample.value, verified: sameWords(sample.raw, w.words) };
      }
      const back = await w.bus.read({ unitId: w.unitId, fn: 3, address: w.address, count: w.words.length });
      return { ...describeTarget(w), written: w.words, read_back: back.data, verified: sameWords(back.data, w.words) };
    },
  });

  registry.register<CoilWrite>({
    name: 'write_coil',
    summary: 'write one coil: {"entity": "<id>", "value": true} or {"address", "unit_id", "connection", "value"}',
    parse: (args) => {
      const target = targetArg(args, deps, 'coil', 'write_coil');
      const value = boolArg(args);
      args.finish();
      return { ...(target as Target), value };
    },
    run: async (w, caller) => {
      await send(w, () => w.bus.writeCoil({ unitId: w.unitId, address: w.address, value: w.value }));
      audit(deps, caller, w, 'write_coil', w.value);
      if (w.broadcast) return { ...describeTarget(w), written: w.value, broadcast: true, verified: null };
      const back = w.entity
        ? (await deps.poller.readNow(w.entity.id)).value === true
        : (await w.bus.read({ unitId: w.unitId, fn: 1, address: w.address, count: 1 })).data[0] === 1;
      return { ...describeTarget(w), written: w.value, read_back: back, verified: back === w.value };
    },
  });
}
