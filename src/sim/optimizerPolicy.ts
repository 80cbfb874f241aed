/**
 * The product as a benchmark policy: the real optimizer (learned rates, budget-optimal intervals,
 * clusters, patterns, evaluation and rollback) with its default schedule and goal freshest, swept
 * over the bus-time budget. It starts from the site's scan intervals like a new install and learns during a warm-up
 * before the measured window, so it is judged on what it learned, not on its first hours.
 */
import { resolveOptions } from '../config/resolve.js';
import type { Policy, PolicySetting } from './policy.js';

const DAY_MS = 86_400_000;
/** Three points keep `npm run bench` within ten minutes on two cores (each learns for six days). */
const BUDGETS = [0.1, 0.05, 0.02];

/** The optimizer policy; `warmupMs` is the learning time before the measured window. */
export function optimizerPolicy(warmupMs = 6 * DAY_MS, budgets: readonly number[] = BUDGETS): Policy {
  return {
    name: 'optimizer',
    description: `the optimization loop with default options, ${warmupMs / DAY_MS} simulated days of learning first`,
    knob: 'bus budget',
    settings: budgets.map((value): PolicySetting => ({ label: `${value * 100}% budget`, value })),
    warmupMs,
    prepare(setting) {
      // The budget only binds under goal freshest; the shipped default (save_bus) ignores it.
      return { appDeps: { optimizer: resolveOptions({ optimizer: { goal: 'freshest', bus_budget: setting.value } }).optimizer } };
    },
  };
}
