/**
 * The discovered SunSpec maps kept in the data folder, so a device asleep at the next start (an
 * inverter at night) still gets its entities. The file is ours and small; what is read back is
 * checked field by field, and a map that does not look like one is dropped with a warning instead
 * of becoming entities at nonsense addresses.
 */
import { isRecord } from '../../core/persisted.js';
import type { SunSpecMap, SunSpecModel } from '../../modbus/sunspec/walker.js';

export const SUNSPEC_CACHE_FILE = 'sunspec_maps.json';
const VERSION = 1;

export interface CachedMap extends SunSpecMap {
  /** When the walk that found it ran (ISO time). */
  discoveredAt: string;
}

const isRegister = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff;

function modelOf(v: unknown): SunSpecModel | undefined {
  if (!isRecord(v) || !isRegister(v.id) || !isRegister(v.address) || !isRegister(v.length)) return undefined;
  return { id: v.id, address: v.address, length: v.length };
}

function mapOf(v: unknown): CachedMap | undefined {
  if (!isRecord(v) || !isRegister(v.base) || !Array.isArray(v.models) || typeof v.discoveredAt !== 'string') return undefined;
  const models = v.models.map(modelOf);
  if (models.length === 0 || models.some((m) => m === undefined)) return undefined;
  const text = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
  const ident = { manufacturer: text(v.manufacturer), model: text(v.model), serialNumber: text(v.serialNumber) };
  return {
    base: v.base, models: models as SunSpecModel[], discoveredAt: v.discoveredAt,
    ...Object.fromEntries(Object.entries(ident).filter(([, x]) => x !== undefined)),
  };
}

/** The maps by `<connection>:<unit id>`; `warn` hears of each entry dropped. An unreadable file is an empty cache. */
export function parseSunSpecCache(text: string | undefined, warn: (line: string) => void): Map<string, CachedMap> {
  const maps = new Map<string, CachedMap>();
  if (text === undefined) return maps;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    warn(`${SUNSPEC_CACHE_FILE} is not JSON; discovering every SunSpec device afresh`);
    return maps;
  }
  if (!isRecord(data) || data.version !== VERSION || !isRecord(data.devices)) {
    warn(`${SUNSPEC_CACHE_FILE} is not a version ${VERSION} map file; discovering every SunSpec device afresh`);
    return maps;
  }
  for (const [key, value] of Object.entries(data.devices)) {
    const map = mapOf(value);
    if (map) maps.set(key, map);
    else warn(`${SUNSPEC_CACHE_FILE}: the map kept for ${key} is damaged; dropped`);
  }
  return maps;
}

/** Stable text for the file (keys sorted), so an unchanged map never rewrites it. */
export function serializeSunSpecCache(maps: ReadonlyMap<string, CachedMap>): string {
  const devices = Object.fromEntries([...maps.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ version: VERSION, devices }, null, 2)}\n`;
}
