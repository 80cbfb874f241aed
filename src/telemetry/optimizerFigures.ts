/**
 * The optimizer's figures in one place, for `get_statistics`, the `sensor.modbus_optimizer_*`
 * sensors and the dashboard: per strategy (parameters, success rate — the share of its experiments
 * adopted —, verdict counts, last improvement, cooldown), the last cycles, history and pending
 * evaluations, the improvement the adopted experiments made, the loop's memory and save failures,
 * the full cycles the resource check deferred (per reason), and the current hour's window metrics.
 */
import { isoOrNull as iso } from '../core/clock.js';
import type { StatisticSensor, StatisticValue, StatisticsProvider } from './statisticsSensors.js';
import type { OptimizerService } from '../optimizer/optimizerService.js';
import type { Goal } from '../optimizer/objective.js';
import { DEFERRAL_KINDS, type DeferralKind } from '../optimizer/loopTypes.js';
import type { LoopHealth } from '../optimizer/loopState.js';
import type { WindowMetrics } from '../optimizer/types.js';

export interface StrategyStatistics {
  name: string;
  priority: number;
  impact_level: string;
  cooldown_s: number;
  parameters: Record<string, number>;
  success_rate: number;
  evaluations: number;
  runs: number;
  last_run: string | null;
  last_score: number | null;
  last_improvement: number | null;
  adopted: number;
  rejected: number;
  inconclusive: number;
  on_cooldown_until: string | null;
}

export interface OptimizerStatistics {
  enabled: boolean;
  goal: Goal;
  budget: number;
  strategies: StrategyStatistics[];
  last_quick_optimization: string | null;
  last_full_optimization: string | null;
  last_evaluation: string | null;
  history_length: number;
  pending_evaluations: number;
  rolled_back: number;
  /**
   * Objective saved by the adopted experiments in the history, as a fraction of the objective at the
   * configured intervals (positive = better; the same sign and unit as every improvement shown).
   */
  overall_improvement: number | null;
  /** Proposed moves left out because they repeat a lost move without new evidence, and lost moves reopened by new evidence. */
  repeats_blocked: number;
  reopened_by_evidence: number;
  /** Writes of the optimizer's state that failed. */
  save_failures: number;
  /**
   * Full cycles the resource check deferred, per figure that said no, and how many ran anyway after
   * too many deferrals in a row (kept with the learned state).
   */
  deferrals: Record<DeferralKind, number> & { total: number; run_anyway: number };
  /** Fast steps between cycles since start (localSteps.ts), and how many reversed an entity's previous step. */
  local_steps: { faster: number; slower: number; flips: number };
  /** Audit reads (auditReads.ts): the measured share of stale values beside the model's prediction. */
  audit_reads: { audits: number; stale: number; measured_stale_share: number | null; model_stale_share: number | null; unmodelled: number };
  adopted_clusters: number;
  adopted_patterns: number;
  triggered_reads: number;
  last_hour: WindowMetrics | null;
}

export function optimizerStatistics(svc: OptimizerService, now: number, enabled: boolean, budget: number, goal: Goal): OptimizerStatistics {
  const { loop } = svc;
  const history = loop.state.history;
  const gains = history.filter((r) => r.experiment?.verdict === 'adopted').map((r) => r.score ?? 0);
  return {
    enabled, goal, budget,
    strategies: loop.strategyNames().map((name) => strategyStatistics(svc, name)),
    last_quick_optimization: iso(loop.state.lastQuickAt),
    last_full_optimization: iso(loop.state.lastFullAt),
    last_evaluation: iso(loop.state.lastEvaluationAt),
    history_length: history.length,
    pending_evaluations: history.filter((r) => r.evaluatedAt === undefined).length,
    rolled_back: history.filter((r) => r.rolledBack).length,
    overall_improvement: gains.length ? gains.reduce((a, b) => a + b, 0) : null,
    repeats_blocked: loop.state.health.repeatsBlocked,
    reopened_by_evidence: loop.state.health.reopenedByEvidence,
    save_failures: loop.saveFailures,
    deferrals: deferralFigures(loop.state.health),
    local_steps: { ...svc.localSteps.counts },
    audit_reads: auditFigures(svc),
    adopted_clusters: svc.clusters.list().length,
    adopted_patterns: svc.patterns.list().length,
    triggered_reads: svc.clusters.triggeredReads,
    last_hour: svc.recorder.window(now - 3_600_000, now) ?? null,
  };
}

function auditFigures(svc: OptimizerService): OptimizerStatistics['audit_reads'] {
  const f = svc.auditReads.figures();
  return { audits: f.audits, stale: f.stale, measured_stale_share: f.measuredStaleShare, model_stale_share: f.modelStaleShare, unmodelled: f.unmodelled };
}

function deferralFigures(health: LoopHealth): OptimizerStatistics['deferrals'] {
  const counts = Object.fromEntries(DEFERRAL_KINDS.map((k) => [k, health.deferrals[k] ?? 0])) as Record<DeferralKind, number>;
  const total = Object.values(health.deferrals).reduce((a, b) => a + b, 0);
  return { ...counts, total, run_anyway: health.deferralsOverridden };
}

function strategyStatistics(svc: OptimizerService, name: string): StrategyStatistics {
  const s = svc.loop.strategy(name);
  if (!s) throw new Error(`unknown strategy ${name}`);
  const l = svc.loop.learned(s);
  const cooldownEnd = l.lastRunAt === undefined ? undefined : l.lastRunAt + s.cooldownMs;
  return {
    name, priority: s.priority, impact_level: s.impactLevel, cooldown_s: s.cooldownMs / 1000, parameters: { ...l.parameters },
    success_rate: l.successRate, evaluations: l.evaluations, runs: l.runs, last_run: iso(l.lastRunAt),
    last_score: l.lastScore ?? null, last_improvement: l.lastImprovement ?? null,
    adopted: l.adopted ?? 0, rejected: l.rejected ?? 0, inconclusive: l.inconclusive ?? 0,
    on_cooldown_until: cooldownEnd !== undefined && s.cooldownMs > 0 ? iso(cooldownEnd) : null,
  };
}

const pct = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);

/** The `optimizer` statistics provider: replaces the HA module's placeholders. */
export function optimizerStatisticsProvider(stats: () => OptimizerStatistics): StatisticsProvider {
  const strategySensors = (s: OptimizerStatistics): StatisticSensor[] => s.strategies.flatMap((x) => [
    { key: `${x.name}_strategy_success_rate`, name: `${x.name} strategy success rate`, unit: '%', stateClass: 'measurement', icon: 'mdi:chart-line' },
    { key: `${x.name}_strategy_last_improvement`, name: `${x.name} strategy last improvement`, unit: '%', stateClass: 'measurement', icon: 'mdi:trending-up' },
  ]);
  return {
    name: 'optimizer',
    sensors: () => [
      { key: 'last_quick_optimization', name: 'last quick optimization', deviceClass: 'timestamp', icon: 'mdi:clock-fast' },
      { key: 'last_full_optimization', name: 'last full optimization', deviceClass: 'timestamp', icon: 'mdi:clock-check-outline' },
      { key: 'history_length', name: 'history length', unit: 'records', stateClass: 'measurement', icon: 'mdi:history' },
      { key: 'overall_improvement', name: 'overall improvement', unit: '%', stateClass: 'measurement', icon: 'mdi:trending-up' },
      { key: 'deferred_cycles', name: 'deferred cycles', unit: 'cycles', stateClass: 'total_increasing', icon: 'mdi:timer-sand' },
      ...strategySensors(stats()),
    ],
    read(): StatisticValue[] {
      const s = stats();
      return [
        { key: 'last_quick_optimization', value: s.last_quick_optimization },
        { key: 'last_full_optimization', value: s.last_full_optimization },
        { key: 'history_length', value: s.history_length, attributes: { pending_evaluations: s.pending_evaluations, rolled_back: s.rolled_back } },
        { key: 'overall_improvement', value: pct(s.overall_improvement), attributes: { goal: s.goal, repeats_blocked: s.repeats_blocked, save_failures: s.save_failures } },
        { key: 'deferred_cycles', value: s.deferrals.total, attributes: { ...s.deferrals } },
        ...s.strategies.flatMap((x) => [
          { key: `${x.name}_strategy_success_rate`, value: pct(x.success_rate), attributes: { evaluations: x.evaluations, adopted: x.adopted, rejected: x.rejected, inconclusive: x.inconclusive, runs: x.runs, parameters: x.parameters } },
          { key: `${x.name}_strategy_last_improvement`, value: pct(x.last_improvement), attributes: { last_score: x.last_score, last_run: x.last_run } },
        ]),
      ];
    },
  };
}
