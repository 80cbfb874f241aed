/**
 * Which Home Assistant device each entity belongs to. A template instance (`devices` option) is one
 * device; every other entity joins the device of its connection and unit id — the template device
 * there if one exists, else one named "<connection> unit <n>". The ids are what MQTT discovery's device
 * identifiers and the per-device read-now control are built from, so they only change when the
 * template's prefix or the connection's name does.
 */
import type { DeviceDef, EntityDef } from '../modbus/types.js';

/** `Gateway-1` unit 3 → `gateway_1_unit_3`. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'device';
}

export function groupDevices(entities: readonly EntityDef[], templateDevices: readonly DeviceDef[]): DeviceDef[] {
  const devices = templateDevices.map((d) => ({ ...d, entityIds: [...d.entityIds] }));
  const claimed = new Set(devices.flatMap((d) => d.entityIds));
  const byUnit = new Map<string, DeviceDef>();
  for (const d of devices) if (!byUnit.has(`${d.connection}\u0000${d.unitId}`)) byUnit.set(`${d.connection}\u0000${d.unitId}`, d);
  const taken = new Set(devices.map((d) => d.id));
  for (const e of entities) {
    if (claimed.has(e.id)) continue;
    const key = `${e.connection}\u0000${e.unitId}`;
    let device = byUnit.get(key);
    if (!device) {
      let id = slug(`${e.connection}_unit_${e.unitId}`);
      while (taken.has(id)) id = `${id}_`;
      taken.add(id);
      device = { id, name: `${e.connection} unit ${e.unitId}`, model: undefined, manufacturer: undefined, connection: e.connection, unitId: e.unitId, entityIds: [] };
      byUnit.set(key, device);
      devices.push(device);
    }
    device.entityIds.push(e.id);
  }
  const known = new Set(entities.map((e) => e.id));
  return devices.map((d) => ({ ...d, entityIds: d.entityIds.filter((id) => known.has(id)) })).filter((d) => d.entityIds.length > 0);
}
