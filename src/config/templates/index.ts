/**
 * The built-in device templates by the name users write in `devices: [{template: …}]`; `sunspec` is
 * the one without a fixed map: its entities come from discovery at start (config/sunspec/).
 */
import { SDM120, SDM630 } from './eastron.js';
import { GROWATT_MIN, GROWATT_MOD } from './growatt.js';
import { SUN2000 } from './huawei.js';
import { DTSU666H, LUNA2000 } from './huaweiParts.js';
import type { DeviceTemplate } from './types.js';
import { SUNSPEC_TEMPLATE } from '../sunspec/template.js';

export const TEMPLATES: readonly DeviceTemplate[] = [SDM630, SDM120, SUN2000, DTSU666H, LUNA2000, GROWATT_MOD, GROWATT_MIN];

/** The names `template:` accepts, taken from the templates themselves (written once). */
export const TEMPLATE_NAMES: readonly string[] = [...TEMPLATES.map((t) => t.name), SUNSPEC_TEMPLATE];

export function templateNamed(name: string): DeviceTemplate | undefined {
  return TEMPLATES.find((t) => t.name === name);
}
