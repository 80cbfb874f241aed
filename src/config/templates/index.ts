/**
 * The built-in device templates by the name users write in `devices: [{template: …}]`.
 */
import { SDM120, SDM630 } from './eastron.js';
import { SUN2000 } from './huawei.js';
import type { DeviceTemplate } from './types.js';

export const TEMPLATES: readonly DeviceTemplate[] = [SDM630, SDM120, SUN2000];

export const TEMPLATE_NAMES = ['eastron_sdm630', 'eastron_sdm120', 'huawei_sun2000'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function templateNamed(name: string): DeviceTemplate | undefined {
  return TEMPLATES.find((t) => t.name === name);
}
