/**
 * The boot step between loading options and createApp: devices that need I/O before their entities
 * exist. Today that is SunSpec discovery: each `template: sunspec` device is walked over a short-lived
 * link of its connection (modbus/sunspec/walker.ts), the map is kept in the data folder
 * (config/sunspec/cache.ts), and the options are resolved again with the maps, so the poller is
 * built with ordinary entities. A device that cannot be walked uses its kept map; with none it has no
 * entities this run (one warning) and the rest of the app runs. I/O comes in as deps (a simulated
 * bus or a pymodbus server in tests, modbus-serial and the file system in main.ts).
 */
import { discoveryKey } from './config/devices.js';
import type { RegisterFile } from './config/registerFiles.js';
import { resolveOptions, type ResolvedOptions } from './config/resolve.js';
import { parseSunSpecCache, serializeSunSpecCache, SUNSPEC_CACHE_FILE, type CachedMap } from './config/sunspec/cache.js';
import { describeSunSpec, SUNSPEC_TEMPLATE, sunspecTemplate } from './config/sunspec/template.js';
import { isoOrNull, sleep, type Clock } from './core/clock.js';
import { describeError } from './core/errors.js';
import type { Logger } from './core/logger.js';
import { createModbusSerialLink } from './modbus/link.js';
import { SunSpecDiscoveryError, walkSunSpec, type SunSpecMap } from './modbus/sunspec/walker.js';
import type { Link } from './modbus/transport.js';
import type { ConnectionDef } from './modbus/types.js';

export interface BootDeps {
  clock: Clock;
  logger: Logger;
  /** Where discovered maps are kept; undefined = not kept (tests, the demo). */
  dataDir?: string;
  /** Reads a file; resolves undefined when it does not exist. */
  readFile?: (path: string) => Promise<string | undefined>;
  /** Writes a file whole (main.ts: a temporary file renamed over it). */
  writeFile?: (path: string, text: string) => Promise<void>;
  /** Builds the client for a connection; default is modbus-serial (as createApp's). */
  createLink?: (conn: ConnectionDef) => Link;
}

/** Options resolved, then resolved again with the SunSpec maps discovered (or kept) for their devices. */
export async function resolveWithDiscovery(raw: unknown, files: readonly RegisterFile[], deps: BootDeps): Promise<ResolvedOptions> {
  const first = resolveOptions(raw, files);
  const wanted = first.options.devices.filter((d) => d.template === SUNSPEC_TEMPLATE);
  if (wanted.length === 0) return first;
  const cachePath = deps.dataDir === undefined ? undefined : `${deps.dataDir}/${SUNSPEC_CACHE_FILE}`;
  const kept = parseSunSpecCache(cachePath && (await deps.readFile?.(cachePath)), (line) => deps.logger.warn(line));
  const before = serializeSunSpecCache(kept);
  const maps = new Map<string, SunSpecMap>();
  for (const d of wanted) {
    const key = discoveryKey(d.connection, d.unit_id);
    const conn = first.connections.find((c) => c.name === d.connection);
    if (!conn || maps.has(key)) continue;
    const found = await discoverOne(conn, d.unit_id, d.connect_pause_ms ?? 0, d.timeout_ms, deps);
    if (found instanceof Error) {
      const old = kept.get(key);
      if (old) {
        deps.logger.warn(`${describeError(found)}; using the map found ${old.discoveredAt} (${entityCount(old)} entities)`);
        maps.set(key, old);
      } else {
        deps.logger.warn(`${describeError(found)}; no map was kept for it, so it has no entities until a start finds it (the rest runs)`);
      }
      continue;
    }
    const { template, ignored } = sunspecTemplate(found);
    const note = ignored.length > 0 ? ` (models ${[...new Set(ignored)].join(', ')} listed, not offered)` : '';
    deps.logger.info(`${describeSunSpec(found, conn.name, d.unit_id, template.entities.length)}${note}`);
    maps.set(key, found);
    kept.set(key, { ...found, discoveredAt: isoOrNull(deps.clock.now()) ?? '' });
  }
  await keep(kept, before, cachePath, deps);
  return resolveOptions(raw, files, maps);
}

function entityCount(map: SunSpecMap): number {
  return sunspecTemplate(map).template.entities.length;
}

/** One walk over its own link, closed afterwards whatever happened; the error is returned, not thrown. */
async function discoverOne(conn: ConnectionDef, unitId: number, connectPauseMs: number, timeoutMs: number | undefined, deps: BootDeps): Promise<SunSpecMap | Error> {
  const link = (deps.createLink ?? createModbusSerialLink)(timeoutMs === undefined ? conn : { ...conn, timeoutMs });
  try {
    await link.connect();
    if (connectPauseMs > 0) await sleep(deps.clock, connectPauseMs);
    return await walkSunSpec((address, count) => link.read({ unitId, fn: 3, address, count }), { connection: conn.name, unitId });
  } catch (err) {
    if (err instanceof SunSpecDiscoveryError) return err;
    // a connection failure's context (`gw unit 0 fc0 @0+0`) says nothing the discovery error does not
    return new SunSpecDiscoveryError(conn.name, unitId, undefined, describeError(err).replace(/^.* fc0 @0\+0: /, ''), { cause: err });
  } finally {
    await link.close().catch(() => undefined);
  }
}

/** Writes the kept maps when they changed (only the discovery time of an unchanged device does not count). */
async function keep(maps: Map<string, CachedMap>, before: string, path: string | undefined, deps: BootDeps): Promise<void> {
  if (path === undefined || deps.writeFile === undefined) return;
  const strip = (text: string) => text.replace(/"discoveredAt": "[^"]*"/g, '');
  const after = serializeSunSpecCache(maps);
  if (strip(after) === strip(before)) return;
  try {
    await deps.writeFile(path, after);
  } catch (err) {
    deps.logger.warn(`Could not keep the SunSpec maps in ${path}: ${describeError(err)}`);
  }
}
