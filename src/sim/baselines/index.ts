/**
 * The fixed-rate and known-rate policies the benchmark sweeps, in plot order; the bench adds the
 * optimizer's policy beside them, so all are compared on the same sites, seeds and metrics.
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
