/**
 * What the judge measures, taken from the running app: each entity's poller counters and the
 * cluster controller's triggered-read figures, each bus's measured busy time (timeouts included),
 * the exact schedule model of a bus at the current intervals (or with some put back), and the cost
 * of a single read, and which block an entity is read in (entities of one block share an arm, since
 * moving half of a block changes what the other half costs). One object per optimizer; the plans
 * come from the allocator (targets.ts); the cap on bus time and requests comes from the goal
 * (loadCap.ts) at the configured intervals.
 */
import { readBusTimeMs, timingOf } from '../modbus/costModel.js';
import { NO_HOLES, planConnectionReads, readItemOf } from '../modbus/readPlan.js';
import type { PollerView } from '../modbus/pollerTypes.js';
import { scheduledBusFraction, scheduledLoad } from '../modbus/scheduleCost.js';
import { busKeyOf, FUNCTION_OF, type ConnectionDef, type EntityDef } from '../modbus/types.js';
import type { ClusterController } from './clusterController.js';
import type { ExperimentHost } from './experiments.js';
import type { EntityReading } from './judge.js';
import type { ScheduleLoad } from './loadCap.js';
import type { BusPlan, Goal } from './objective.js';

export interface MeasurementDeps {
  poller: Pick<PollerView, 'entityStatus' | 'busStatus' | 'intervalMs'>;
  clusters: Pick<ClusterController, 'triggerFigures'>;
  entities: readonly EntityDef[];
  connections: readonly ConnectionDef[];
  plans: () => BusPlan[];
  /** The learned change rate of an entity in its current regime (per ms, 0 when unknown). */
  ratePerMs: (entityId: string) => number;
  /** The goal and bus_budget as they are now (both can change at run time). */
  goal: () => Goal;
  budget: () => number;
  /** Load kept back from the optimizer's own schedule on a bus under save_bus (the audit reads' share). */
  reserve?: (bus: string) => ScheduleLoad;
}

export function experimentHost(deps: MeasurementDeps): ExperimentHost & Required<Pick<ExperimentHost, 'load' | 'capOf'>> & {
  /** The goal's whole cap (capOf minus nothing kept back): what the optimizer's schedule and the audits share. */
  goalCapOf(bus: string): ScheduleLoad;
} {
  const connByName = new Map(deps.connections.map((c) => [c.name, c]));
  const busOfEntity = new Map<string, string>();
  const defs = new Map(deps.entities.map((e) => [e.id, e]));
  const byBus = new Map<string, { connections: ConnectionDef[]; entities: EntityDef[] }>();
  for (const conn of deps.connections) {
    const key = busKeyOf(conn);
    const group = byBus.get(key) ?? { connections: [], entities: [] };
    group.connections.push(conn);
    byBus.set(key, group);
  }
  const groupOfEntity = new Map<string, string>();
  for (const conn of deps.connections) {
    planConnectionReads(conn, deps.entities, NO_HOLES(busKeyOf(conn))).blocks
      .forEach((block, i) => block.items.forEach((item) => groupOfEntity.set(item.key, `${conn.name}#${i}`)));
  }
  for (const e of deps.entities) {
    const conn = connByName.get(e.connection);
    if (!conn) continue;
    busOfEntity.set(e.id, busKeyOf(conn));
    byBus.get(busKeyOf(conn))?.entities.push(e);
  }
  const loadOf = (bus: string, intervalOf: (id: string) => number | undefined): ScheduleLoad => {
    const group = byBus.get(bus);
    return group ? scheduledLoad(group.connections, group.entities, intervalOf, NO_HOLES) : { busFraction: 0, requestsPerMs: 0 };
  };
  /** The configured intervals' load per bus: fixed for the app's life, so modelled once. */
  const configured = new Map<string, ScheduleLoad>();
  const configuredLoad = (bus: string): ScheduleLoad => {
    let cap = configured.get(bus);
    if (cap === undefined) configured.set(bus, (cap = loadOf(bus, (id) => defs.get(id)?.scanIntervalMs)));
    return cap;
  };
  return {
    load: (bus, overrides) => loadOf(bus, (id) => overrides.get(id) ?? deps.poller.intervalMs(id)),
    capOf: (bus) => {
      if (deps.goal() === 'freshest') return { busFraction: deps.budget(), requestsPerMs: Infinity };
      const cap = configuredLoad(bus);
      const kept = deps.reserve?.(bus);
      return kept ? { busFraction: cap.busFraction - kept.busFraction, requestsPerMs: cap.requestsPerMs - kept.requestsPerMs } : cap;
    },
    goalCapOf: (bus) => (deps.goal() === 'freshest' ? { busFraction: deps.budget(), requestsPerMs: Infinity } : configuredLoad(bus)),
    plans: deps.plans,
    ratePerMs: deps.ratePerMs,
    groupOf: (id) => groupOfEntity.get(id) ?? id,
    buses: () => [...byBus.keys()],
    entityIds: () => deps.entities.map((e) => e.id),
    busOf: (id) => busOfEntity.get(id),
    counters: (id): EntityReading | undefined => {
      const s = deps.poller.entityStatus(id);
      if (!s) return undefined;
      return { polls: s.polls, changes: s.changes, intervalMs: s.intervalMs, ...deps.clusters.triggerFigures(id) };
    },
    busyMs: (bus) => deps.poller.busStatus().find((b) => b.key === bus)?.busyMs,
    scheduled: (bus, overrides) => {
      const group = byBus.get(bus);
      if (!group) return 0;
      return scheduledBusFraction(group.connections, group.entities, (id) => overrides.get(id) ?? deps.poller.intervalMs(id), NO_HOLES);
    },
    singleReadMs: (id) => {
      const def = defs.get(id);
      const conn = def && connByName.get(def.connection);
      return def && conn ? readBusTimeMs(FUNCTION_OF[def.registerType], readItemOf(def).count, timingOf(conn)) : 0;
    },
  };
}
