/**
 * The optimizer's operations as commands in the one registry (stdin, HA events, dashboard):
 * run_quick_optimization, run_full_optimization, evaluate_optimizations, run_strategy {strategy},
 * update_strategy_parameters {strategy, parameters}, set_optimizer {goal, enabled}. The caller travels into the audit log as "by".
 * Unknown strategies and bad parameters become error results naming the problem; nothing changes.
 */
import { callerId, CommandError } from './types.js';
import type { CommandRegistry } from './registry.js';
import { ParameterError } from '../optimizer/strategy.js';
import type { PerformanceOptimizationLoop } from '../optimizer/loop.js';
import type { OptimizerSettings } from '../optimizer/optimizerState.js';
import { GOALS, type Goal } from '../config/vocabulary.js';

/** The run-time settings set_optimizer changes (the optimizer service). */
export interface SettingsControl {
  settings(): OptimizerSettings;
  setSettings(update: Partial<OptimizerSettings>, by: string): Promise<{ before: OptimizerSettings; after: OptimizerSettings }>;
}

export function registerOptimizerCommands(registry: CommandRegistry, loop: PerformanceOptimizationLoop, control: SettingsControl): void {
  const strategyArg = (name: string): string => {
    if (!loop.strategyNames().includes(name)) {
      throw new CommandError('invalid_argument', `strategy "${name}" is not one of ${loop.strategyNames().join(', ')}`);
    }
    return name;
  };
  registry.register({
    name: 'run_quick_optimization',
    summary: 'run the quick cycle (interval strategy) now',
    parse: (args) => args.finish(),
    run: (_args, caller) => loop.runQuickOptimization(callerId(caller)),
  });
  registry.register({
    name: 'run_full_optimization',
    summary: 'run the full cycle (all strategies by priority, honouring cooldowns) now',
    parse: (args) => args.finish(),
    run: (_args, caller) => loop.runFullOptimization(callerId(caller)),
  });
  registry.register({
    name: 'evaluate_optimizations',
    summary: 'evaluate every change whose settle and after windows have passed (and roll back what hurt)',
    parse: (args) => args.finish(),
    run: async (_args, caller) => ({ evaluated: await loop.evaluateOptimizations(callerId(caller)) }),
  });
  registry.register({
    name: 'run_strategy',
    summary: 'run one strategy now, ignoring its cooldown: {"strategy": "interval" | "cluster" | "pattern"}',
    parse: (args) => {
      const name = args.string('strategy');
      args.finish();
      return strategyArg(name);
    },
    run: (name, caller) => loop.runStrategy(name, callerId(caller)),
  });
  registry.register({
    name: 'update_strategy_parameters',
    summary: 'change strategy parameters: {"strategy": "interval", "parameters": {"aggressiveness": 0.3}}; returns before and after',
    parse: (args) => {
      const name = args.string('strategy');
      const parameters = args.value('parameters');
      if (parameters === undefined) args.problem('missing_argument', 'parameters is required');
      args.finish();
      return { name: strategyArg(name), parameters };
    },
    run: async ({ name, parameters }, caller) => {
      try {
        return { strategy: name, ...(await loop.updateStrategyParameters(name, parameters, callerId(caller))) };
      } catch (err) {
        if (err instanceof ParameterError) throw new CommandError('invalid_argument', err.message);
        throw err;
      }
    },
  });
  registry.register({
    name: 'set_optimizer',
    summary: 'change the goal and/or switch the schedule: {"goal": "save_bus" | "freshest", "enabled": true | false}; returns before and after',
    parse: (args) => {
      const update: Partial<OptimizerSettings> = {};
      if (args.has('goal')) {
        const goal = args.string('goal');
        if (GOALS.includes(goal as Goal)) update.goal = goal as Goal;
        else if (goal !== '') args.problem('invalid_argument', `goal "${goal}" is not one of ${GOALS.join(', ')}`);
      }
      if (args.has('enabled')) {
        const enabled = args.value('enabled');
        if (typeof enabled === 'boolean') update.enabled = enabled;
        else args.problem('invalid_argument', `enabled must be true or false, got ${JSON.stringify(enabled)}`);
      }
      if (!args.has('goal') && !args.has('enabled')) args.problem('missing_argument', 'give goal and/or enabled');
      args.finish();
      return update;
    },
    run: (update, caller) => control.setSettings(update, callerId(caller)),
  });
}
