/**
 * The policies the benchmark sweeps, in plot order. The optimizer (issue 6) adds its own Policy here
 * (or passes it to the bench directly) and is then compared on the same sites, seeds and metrics.
 */
import type { Policy } from '../policy.js';
import { oracle } from './oracle.js';
import { haDefault, solaxTiers, telegraf } from './static.js';

export const BASELINES: readonly Policy[] = [haDefault, telegraf, solaxTiers, oracle];

export function policyByName(name: string, extra: readonly Policy[] = []): Policy {
  const policy = [...BASELINES, ...extra].find((p) => p.name === name);
  if (!policy) throw new Error(`unknown policy "${name}"`);
  return policy;
}
