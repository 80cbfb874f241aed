/**
 * A discovered SunSpec map (modbus/sunspec/walker.ts) turned into a device template, so a `sunspec`
 * device item becomes ordinary entities and goes through the same validation, limits and devices as
 * any built-in template. Each model offers its points (./points.ts) at absolute addresses, integer
 * points with their scale-factor register and SunSpec's "not implemented" values as invalid values.
 * Ids: the inverter's points bare (sensor.<prefix>_ac_power), meters `meter_`, `meter2_`…, MPPT
 * modules `mppt1_`…, batteries `battery_`; the common model adds firmware and serial number.
 */
import type { SunSpecMap, SunSpecModel } from '../../modbus/sunspec/walker.js';
import type { DeviceTemplate, TemplateEntity } from '../templates/types.js';
import {
  CHARGE_STATES, COMMON, floatInverterPoints, inverterPoints, KINDS, meterPoints, MODULE_STATES, MPPT_HEADER,
  MPPT_MODULE_SIZE, mpptModulePoints, OPERATING_STATES, STORAGE, type PointType, type SunSpecPoint,
} from './points.js';

export const SUNSPEC_TEMPLATE = 'sunspec';

/** SunSpec's "not implemented" per point type (sunssf 0x8000 is the codec's business). */
const NOT_IMPLEMENTED: Record<PointType, readonly number[] | undefined> = {
  int16: [-0x8000], uint16: [0xffff], acc32: [0], uint32: [0xffffffff], int32: [-0x80000000], enum16: [0xffff],
  float32: undefined, string: undefined,
};

const DATA_TYPE: Record<PointType, TemplateEntity['data_type']> = {
  int16: 'int16', uint16: 'uint16', acc32: 'uint32', uint32: 'uint32', int32: 'int32', enum16: 'uint16', float32: 'float32', string: 'string',
};

/** Value, and its factor, must come in one read: beyond this distance (model 160's seventh module on) a point is not offered. */
const MAX_SPAN = 125;

interface Slot {
  key: string;
  name: string;
  points: SunSpecPoint[];
  states?: ReadonlyArray<[number, string]>;
}

function entityOf(model: SunSpecModel, slot: Slot, p: SunSpecPoint): TemplateEntity | undefined {
  if (p.offset + (p.size ?? 1) > model.length + 2) return undefined; // a shorter (older) model version
  const address = model.address + p.offset;
  const invalid = NOT_IMPLEMENTED[p.type];
  const entity: TemplateEntity = {
    key: `${slot.key}${p.key}`, name: `${slot.name}${p.name}`, register_type: 'holding', address, data_type: DATA_TYPE[p.type],
    ...KINDS[p.kind], ...(p.size !== undefined ? { count: p.size } : {}), ...(invalid ? { invalid_values: invalid } : {}),
  };
  if (p.sf !== undefined) {
    const sfAddress = model.address + p.sf;
    const end = Math.max(address + (p.type === 'acc32' || p.type === 'uint32' || p.type === 'int32' ? 2 : 1), sfAddress + 1);
    if (end - Math.min(address, sfAddress) > MAX_SPAN) return undefined;
    entity.scale_factor_register = sfAddress;
  }
  if (p.type === 'enum16' && slot.states) entity.value_map = slot.states.map(([value, label]) => ({ value, label }));
  return entity;
}

/** The points a model offers, or undefined for a model this app does not know (it is listed, not offered). */
function slotsOf(model: SunSpecModel, counts: Map<string, number>): Slot[] | undefined {
  const next = (family: string) => { const n = (counts.get(family) ?? 0) + 1; counts.set(family, n); return n; };
  const phases = (m: number) => (m % 10 === 1 ? 1 : m % 10 === 2 ? 2 : 3);
  const { id } = model;
  if (id === 1) return next('common') === 1 ? [{ key: '', name: '', points: [...COMMON] }] : [];
  if (id >= 101 && id <= 103) return next('inverter') === 1 ? [{ key: '', name: '', points: inverterPoints(phases(id)), states: OPERATING_STATES }] : [];
  if (id >= 111 && id <= 113) return next('inverter') === 1 ? [{ key: '', name: '', points: floatInverterPoints(phases(id)), states: OPERATING_STATES }] : [];
  if (id >= 201 && id <= 204) {
    const n = next('meter');
    return [{ key: n === 1 ? 'meter_' : `meter${n}_`, name: n === 1 ? 'Meter ' : `Meter ${n} `, points: meterPoints(id === 204 ? 3 : phases(id)) }];
  }
  if (id === 124) {
    const n = next('battery');
    return [{ key: n === 1 ? 'battery_' : `battery${n}_`, name: n === 1 ? 'Battery ' : `Battery ${n} `, points: [...STORAGE], states: CHARGE_STATES }];
  }
  if (id === 160) {
    const modules = Math.max(0, Math.floor((model.length + 2 - MPPT_HEADER - 2) / MPPT_MODULE_SIZE));
    return Array.from({ length: modules }, (_, i) => ({ key: `mppt${i + 1}_`, name: `MPPT ${i + 1} `, points: mpptModulePoints(i), states: MODULE_STATES }));
  }
  return undefined;
}

/** The template for one discovered device; `ignored` lists the model ids it has no points for. */
export function sunspecTemplate(map: SunSpecMap): { template: DeviceTemplate; ignored: number[] } {
  const counts = new Map<string, number>();
  const entities: TemplateEntity[] = [];
  const ignored: number[] = [];
  for (const model of map.models) {
    const slots = slotsOf(model, counts);
    if (slots === undefined) { ignored.push(model.id); continue; }
    for (const slot of slots) for (const p of slot.points) {
      const e = entityOf(model, slot, p);
      if (e) entities.push(e);
    }
  }
  const label = map.model ?? 'SunSpec device';
  return {
    template: {
      name: SUNSPEC_TEMPLATE, title: 'Any SunSpec inverter, meter or battery: discovered at start, no map needed', prefix: 'sunspec',
      label, manufacturer: map.manufacturer ?? 'SunSpec', entities,
    },
    ignored,
  };
}

/** "SunSpec at 40000 on gw unit 1: models 1, 103, 160, 203 — 52 entities". */
export function describeSunSpec(map: SunSpecMap, connection: string, unitId: number, entities: number): string {
  const who = [map.manufacturer, map.model].filter((s) => s !== undefined).join(' ');
  return `SunSpec at ${map.base} on ${connection} unit ${unitId}${who === '' ? '' : ` (${who})`}: models ${map.models.map((m) => m.id).join(', ')} — ${entities} entities`;
}
