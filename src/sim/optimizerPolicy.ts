/**
 * The product as a benchmark policy: the real optimizer (learned rates, goal-optimal intervals,
 * clusters, patterns, experiments and rollback) with its default schedule. `shippedOptimizer` is the
 * default options exactly as shipped (goal save_bus); `optimizerPolicy` sweeps the bus budget under
 * goal freshest. Both start from the site's scan intervals like a new install and learn during a
 * warm-up before the measured window, so they are judged on what they learned, not on their first hours.
 */
import { resolveOptions } from '../config/resolve.js';
import type { Policy, PolicySetting } from './policy.js';

const DAY_MS = 86_400_000;
const BUDGETS = [0.1, 0.05, 0.02];

const learning = (warmupMs: number) => `${+(warmupMs / DAY_MS).toFixed(2)} simulated days of learning first`;

/** Goal freshest over `budgets`; `warmupMs` is the learning time before the measured window. */
export function optimizerPolicy(warmupMs = 6 * DAY_MS, budgets: readonly number[] = BUDGETS): Policy {
  return {
    name: 'optimizer-freshest',
    description: `the optimization loop, goal freshest at each bus budget, other options default, ${learning(warmupMs)}`,
    knob: 'bus budget',
    settings: budgets.map((value): PolicySetting => ({ label: `freshest, ${value * 100}% budget`, value })),
    warmupMs,
    prepare(setting) {
      return { appDeps: { optimizer: resolveOptions({ optimizer: { goal: 'freshest', bus_budget: setting.value } }).optimizer } };
    },
  };
}

/** The optimizer with every option at its shipped default (goal save_bus; the budget does not bind). */
export function shippedOptimizer(warmupMs = 6 * DAY_MS): Policy {
  return {
    name: 'optimizer',
    description: `the optimization loop with its shipped defaults (goal save_bus), ${learning(warmupMs)}`,
    knob: 'options',
    settings: [{ label: 'shipped default (save_bus)', value: 0 }],
    warmupMs,
    prepare() {
      return { appDeps: { optimizer: resolveOptions({}).optimizer } };
    },
  };
}
