/**
 * What the Modbus commands need from the app (a narrow view, so tests pass simulated parts) and the
 * shared `entity` argument: an entity named by our id or by its Home Assistant entity id.
 */
import type { ContextSource } from '../core/context.js';
import type { PollerView } from '../modbus/pollerTypes.js';
import type { Bus } from '../modbus/transport.js';
import type { ConnectionDef, DeviceDef, EntityDef } from '../modbus/types.js';
import type { Args } from './args.js';

export interface ModbusCommandDeps {
  poller: PollerView;
  entities: readonly EntityDef[];
  /** The Home Assistant devices the entities are grouped into (read_now {device}). */
  devices: readonly DeviceDef[];
  connections: readonly ConnectionDef[];
  /** The bus a connection is on (undefined for an unknown name). */
  busOf(connection: string): Bus | undefined;
  /** The statistics sensors' latest values, by key. */
  statistics(): Record<string, number | string | null>;
  /** Context states from Home Assistant, as the optimizer sees them. */
  context: ContextSource;
  /** Option allow_raw_writes: writes by address, unit and connection (not only to writable entities). */
  allowRawWrites: boolean;
  /** Records a write in the audit with who asked (absent: logged only). */
  audit?: (by: string, what: string, before: unknown, after: unknown) => void;
  /** More sections for get_statistics (the optimizer adds `optimizer`). */
  moreStatistics?: () => Record<string, unknown>;
}

/** Finds an entity by our id or by its HA entity id (sensor.x / binary_sensor.x); records a problem if none. */
export function entityArg(args: Args, entities: readonly EntityDef[], key = 'entity'): EntityDef | undefined {
  const name = args.string(key);
  if (name === '') return undefined;
  const id = name.replace(/^(sensor|binary_sensor)\./, '');
  const def = entities.find((e) => e.id === id);
  if (!def) {
    const known = entities.slice(0, 10).map((e) => e.id).join(', ');
    args.problem('unknown_entity', `entity "${name}" is not configured (known: ${known}${entities.length > 10 ? ', ...' : ''})`);
  }
  return def;
}

