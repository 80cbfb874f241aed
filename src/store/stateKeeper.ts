/**
 * Keeps the app's learned state in the store. At start every persisted part restores its own section
 * (a part that cannot is warned about and starts fresh; the others keep what they learned) and the
 * keeper notices option changes (entities added or removed since the last run, audited). While
 * running it saves debounced after changes and every few minutes, and once more at stop — and the
 * file is rewritten only when what would be written differs from what is on disk (the store compares).
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PersistedPart } from '../core/persisted.js';
import type { AppState } from './appState.js';
import type { JsonStore } from './jsonStore.js';

export interface StateKeeperDeps {
  store: JsonStore<AppState>;
  clock: Clock;
  logger: Logger;
  /** Restored in this order (a part may depend on an earlier one having been restored). */
  parts: readonly PersistedPart[];
  /** The configured entity ids, saved to notice option changes at the next start. */
  entityIds: readonly string[];
  /** Audits an option change noticed at load (the optimizer's audit log when there is one). */
  onOptionsChanged?: (what: string, before: unknown, after: unknown) => void;
  saveEveryMs?: number;
}

export class StateKeeper {
  private timer: TimerHandle | undefined;

  constructor(private readonly deps: StateKeeperDeps) {}

  async load(): Promise<void> {
    const { store, parts, logger } = this.deps;
    const state = await store.load();
    for (const part of parts) {
      const warn = (problem: string) => logger.warn(`State file: ${problem}`);
      try {
        part.restore(state[part.key], warn);
      } catch (err) {
        logger.warn(`Could not restore ${part.key} (${describeError(err)}); starting it fresh`);
      }
    }
    this.noticeOptionChanges(state.entityIds);
  }

  /** Periodic saves (the store skips a write when nothing changed). */
  start(): void {
    this.timer = this.deps.clock.setTimer(() => {
      this.save(false).catch((err: unknown) => this.deps.logger.warn(`Saving state failed: ${describeError(err)}`));
      this.start();
    }, this.deps.saveEveryMs ?? 5 * 60_000);
  }

  stopTimer(): void {
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** The final save, then the store's own stop. */
  async stop(): Promise<void> {
    this.stopTimer();
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
    for (const part of this.deps.parts) d[part.key] = part.snapshot();
    d.entityIds = [...this.deps.entityIds];
  }

  private noticeOptionChanges(saved: unknown): void {
    if (saved === undefined) return;
    if (!Array.isArray(saved) || !saved.every((id) => typeof id === 'string')) {
      this.deps.logger.warn('State file: entityIds is not a list of entity ids; option changes since the last run are not audited');
      return;
    }
    if (saved.length === 0) return;
    const now = new Set(this.deps.entityIds);
    const before = new Set(saved);
    const added = [...now].filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !now.has(id));
    if (added.length === 0 && removed.length === 0) return;
    const what = `options changed: ${added.length} entities added, ${removed.length} removed (their learned state dropped)`;
    this.deps.logger.info(`${what}: +[${added.join(', ')}] -[${removed.join(', ')}]`);
    this.deps.onOptionsChanged?.(what, { removed }, { added });
  }
}
