/**
 * Keeps the app's learned state in the store: restores it at start (holes, entity statistics, the
 * optimizer) and notices option changes (entities added or removed since the last run, audited; the
 * statistics of removed entities are dropped before restoring, the optimizer drops its own);
 * saves it debounced after changes, every few minutes while statistics learn, and once more at
 * stop. A part that fails to restore is reported with a warning and starts fresh; the others keep
 * what they learned.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { retainEntities } from '../stats/retain.js';
import type { StatsJSON } from '../stats/statsJson.js';
import type { AppState } from './appState.js';
import type { JsonStore } from './jsonStore.js';

export interface PersistedParts {
  holes: { list(): AppState['holes']; restore(list: AppState['holes']): number };
  stats: { toJSON(): unknown; restore(json: never): void };
  optimizer?: { snapshot(): unknown; restore(saved: never): void; audit(what: string, before: unknown, after: unknown): void };
  entityIds: readonly string[];
}

export interface StateKeeperDeps {
  store: JsonStore<AppState>;
  clock: Clock;
  logger: Logger;
  parts: PersistedParts;
  saveEveryMs?: number;
}

export class StateKeeper {
  private timer: TimerHandle | undefined;

  constructor(private readonly deps: StateKeeperDeps) {}

  async load(): Promise<void> {
    const { store, parts, logger } = this.deps;
    const state = await store.load();
    this.attempt('holes', () => {
      const n = parts.holes.restore(state.holes);
      if (n > 0) logger.info(`Restored ${n} learned illegal-address ranges`);
    });
    const stats = state.stats;
    if (stats !== undefined) this.attempt('entity statistics', () => parts.stats.restore(this.configuredOnly(stats) as never));
    if (parts.optimizer && state.optimizer !== undefined) {
      const optimizer = parts.optimizer;
      this.attempt('optimizer state', () => optimizer.restore(state.optimizer as never));
    }
    this.noticeOptionChanges(state.entityIds);
  }

  start(): void {
    this.timer = this.deps.clock.setTimer(() => {
      this.save(false).catch((err: unknown) => this.deps.logger.warn(`Saving state failed: ${describeError(err)}`));
      this.start();
    }, this.deps.saveEveryMs ?? 5 * 60_000);
  }

  async stop(): Promise<void> {
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.save(true);
    await this.deps.store.stop();
  }

  /**
   * Marks the state for saving; written at once when `immediate`, else after the store's debounce.
   * The parts are copied only when the file is written (`fill`, the store's beforeWrite), so a burst
   * of saves costs one serialisation of the learned statistics, not one each.
   */
  async save(immediate: boolean): Promise<void> {
    await this.deps.store.update(() => undefined, { flush: immediate });
  }

  /** Copies every part's current state into the data about to be written. */
  fill(d: AppState): void {
    const { parts } = this.deps;
    d.holes = parts.holes.list();
    d.stats = parts.stats.toJSON();
    if (parts.optimizer) d.optimizer = parts.optimizer.snapshot();
    d.entityIds = [...parts.entityIds];
  }

  private attempt(what: string, restore: () => void): void {
    try {
      restore();
    } catch (err) {
      this.deps.logger.warn(`Could not restore ${what} (${describeError(err)}); starting it fresh`);
    }
  }

  /** Saved statistics without the entities the options no longer have. */
  private configuredOnly(saved: unknown): unknown {
    const entities = (saved as Partial<StatsJSON> | null)?.entities;
    if (!Array.isArray(entities)) return saved; // not ours to judge: restore() says what is wrong
    const kept = retainEntities(saved as StatsJSON, new Set(this.deps.parts.entityIds));
    const dropped = entities.length - kept.entities.length;
    if (dropped > 0) this.deps.logger.info(`Dropped the learned statistics of ${dropped} entities no longer configured`);
    return kept;
  }

  private noticeOptionChanges(previous: readonly string[]): void {
    if (previous.length === 0) return;
    const now = new Set(this.deps.parts.entityIds);
    const before = new Set(previous);
    const added = [...now].filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !now.has(id));
    if (added.length === 0 && removed.length === 0) return;
    const what = `options changed: ${added.length} entities added, ${removed.length} removed (their learned state dropped)`;
    this.deps.logger.info(`${what}: +[${added.join(', ')}] -[${removed.join(', ')}]`);
    this.deps.parts.optimizer?.audit(what, { removed }, { added });
  }
}
