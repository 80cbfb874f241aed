/**
 * What the virtual-time runner asks of a polling policy, so baselines, the known-rate oracle and
 * the optimizer are compared on exactly the same sites, seeds and metrics. A policy
 * names the knob it is swept over (an interval, a bus-time budget), sets each entity's starting
 * interval and the read planner, may pass extra createApp deps (the optimizer's scheduler, context,
 * store), and may act while the simulation runs (the oracle re-allocates at every context change).
 */
import type { App, AppDeps } from '../app.js';
import type { Clock } from '../core/clock.js';
import type { SettableContext } from '../core/context.js';
import type { Scheduler } from '../core/scheduler.js';
import type { PollerDeps } from '../modbus/poller.js';
import type { ConnectionDef, EntityDef } from '../modbus/types.js';
import type { ContextFeed } from './contextFeed.js';
import type { SimSite } from './groundTruth.js';

/** One point of a sweep: `value` is in the policy's own unit (seconds, a fraction of bus time, …). */
export interface PolicySetting {
  label: string;
  value: number;
}

export type PlanFn = NonNullable<PollerDeps['plan']>;

/** What a policy sees before the app is built. */
export interface PolicyContext {
  site: SimSite;
  connections: readonly ConnectionDef[];
  entities: readonly EntityDef[];
  startMs: number;
}

/** What a policy can use while the simulation runs. */
export interface PolicyEnv extends PolicyContext {
  app: App;
  clock: Clock;
  context: SettableContext;
  contextFeed: ContextFeed;
  /** Periodic jobs in virtual time (the optimizer's quick/full/evaluation cycles). */
  scheduler: Scheduler;
}

export interface PolicyRun {
  /** Starting poll interval per entity (ms); default: the site's scan interval. */
  intervalMs?: (def: EntityDef) => number;
  /** Read planner; default: the app's cost-model planner. */
  plan?: PlanFn;
  /** Extra deps for createApp (merged over the runner's). */
  appDeps?: Partial<AppDeps>;
  /** Called once the app has started; may return a function undoing what it set up. */
  attach?: (env: PolicyEnv) => void | (() => void);
}

export interface Policy {
  readonly name: string;
  readonly description: string;
  /** What the sweep varies, for table headers. */
  readonly knob: string;
  /** The sweep: from lavish to frugal. */
  readonly settings: readonly PolicySetting[];
  /** Simulated time a learning policy runs before the measured window (default 0). */
  readonly warmupMs?: number;
  prepare(setting: PolicySetting, ctx: PolicyContext): PolicyRun;
}
