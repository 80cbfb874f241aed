/**
 * The baselines with fixed intervals, as the peers ship them: Home Assistant core (every entity its
 * own request, one scan interval, default 15 s), Telegraf max_insert (one interval for everything),
 * and SolaX-like tiers (fast/medium/slow picked by unit of measurement). Each is swept over its
 * interval knob to trace a staleness-versus-bus-time curve.
 */
import type { EntityDef } from '../../modbus/types.js';
import type { Policy, PolicySetting, PlanFn } from '../policy.js';
import { onePerEntity, solaxBlocks, telegrafMaxInsert } from './plans.js';

const S = 1000;

function seconds(values: readonly number[]): PolicySetting[] {
  return values.map((v) => ({ label: `${v} s`, value: v }));
}

function fixedIntervalPolicy(name: string, description: string, plan: PlanFn, sweep: readonly number[]): Policy {
  return {
    name, description, knob: 'scan interval', settings: seconds(sweep),
    prepare: (setting) => ({ intervalMs: () => setting.value * S, plan }),
  };
}

export const haDefault = fixedIntervalPolicy(
  'ha-default', 'Home Assistant core: one request per entity, one scan interval (default 15 s)', onePerEntity, [15, 30, 60, 120],
);

export const telegraf = fixedIntervalPolicy(
  'telegraf', 'Telegraf max_insert (gaps up to 50 registers bridged), one interval for all', telegrafMaxInsert, [5, 15, 30, 60, 120],
);

export type Tier = 'fast' | 'medium' | 'slow';

/** SolaX scan groups by unit: power and current fast; energy, temperature, frequency, % medium; the rest slow. */
const TIER_OF_UNIT: Record<string, Tier> = {
  W: 'fast', kW: 'fast', VA: 'fast', var: 'fast', A: 'fast',
  kWh: 'medium', kvarh: 'medium', '°C': 'medium', Hz: 'medium', '%': 'medium', h: 'medium',
};
/** Tier intervals at ×1 (s): the fast group at 5 s, the medium at the 15 s default, the slow group at 60 s. */
const TIER_SECONDS: Record<Tier, number> = { fast: 5, medium: 15, slow: 60 };

export function tierOf(def: EntityDef): Tier {
  return TIER_OF_UNIT[def.unitOfMeasurement ?? ''] ?? 'slow';
}

export const solaxTiers: Policy = {
  name: 'solax-tiers',
  description: 'SolaX-like static tiers by unit (5/15/60 s at ×1), blocks up to a 100-register span',
  knob: 'tier multiplier',
  settings: [0.5, 1, 2, 4, 8].map((m) => ({ label: `×${m} (${TIER_SECONDS.fast * m}/${TIER_SECONDS.medium * m}/${TIER_SECONDS.slow * m} s)`, value: m })),
  prepare: (setting) => ({ intervalMs: (def) => TIER_SECONDS[tierOf(def)] * setting.value * S, plan: solaxBlocks }),
};
