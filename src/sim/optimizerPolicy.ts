/**
 * The product as a benchmark policy: the real optimizer (learned rates, goal-optimal intervals,
 * clusters, patterns, experiments and rollback) with its default schedule. `shippedOptimizer` is the
 * default options exactly as shipped (goal save_bus), or with one strategy left out of the schedule
 * (what that strategy adds, measured on the same sample); `optimizerPolicy` sweeps the bus budget under
 * goal freshest. Both start from the site's scan intervals like a new install and learn during a
 * warm-up before the measured window, so they are judged on what they learned, not on their first hours.
 */
import { resolveOptions } from '../config/resolve.js';
import { STRATEGY_NAMES, type StrategyName } from '../config/vocabulary.js';
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

/** The policy name of the shipped optimizer with `without` left out of optimizer.strategies. */
export const withoutName = (without: StrategyName) => `optimizer-without-${without}`;

/**
 * The optimizer with every option at its shipped default (goal save_bus; the budget does not bind),
 * or with the strategy `without` switched off (optimizer.strategies without it), all else shipped.
 */
export function shippedOptimizer(warmupMs = 6 * DAY_MS, without?: StrategyName): Policy {
  const strategies = STRATEGY_NAMES.filter((s) => s !== without);
  return {
    name: without ? withoutName(without) : 'optimizer',
    description: `the optimization loop with its shipped defaults (goal save_bus)${without ? `, the ${without} strategy switched off` : ''}, ${learning(warmupMs)}`,
    knob: 'options',
    settings: [{ label: without ? `shipped, ${without} off` : 'shipped default (save_bus)', value: 0 }],
    warmupMs,
    prepare() {
      return { appDeps: { optimizer: resolveOptions(without ? { optimizer: { strategies } } : {}).optimizer } };
    },
  };
}
