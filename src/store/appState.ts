/**
 * What the app keeps across restarts, in one JSON file in the data directory: the optimizer's
 * state (loop history, audit, strategy learning, intervals, clusters, patterns), the learned entity
 * statistics, the illegal-address holes, and the entity ids the options had (so an option change can
 * be noticed and audited). Version 1; `migrate` is where later versions convert older files.
 */
import type { StoreSchema } from './jsonStore.js';

export interface AppState {
  /** OptimizerSaved (opaque here; the optimizer checks it when restoring). */
  optimizer: unknown;
  /** StatsJSON (opaque here; the stats module checks its own version). */
  stats: unknown;
  holes: Array<{ unitId: number; fn: number; start: number; end: number; bus: string }>;
  entityIds: string[];
}

export const APP_STATE_FILE = 'modbus_optimizer_state.json';

export const appStateSchema: StoreSchema<AppState> = {
  version: 1,
  empty: () => ({ optimizer: undefined, stats: undefined, holes: [], entityIds: [] }),
  migrate(_data, fromVersion) {
    throw new Error(`no migration from state version ${fromVersion}`);
  },
  check(data): asserts data is AppState {
    const d = data as Partial<AppState> | null;
    if (typeof d !== 'object' || d === null) throw new Error('state is not an object');
    if (!Array.isArray(d.holes)) throw new Error('holes is not a list');
    if (!Array.isArray(d.entityIds)) throw new Error('entityIds is not a list');
  },
};
