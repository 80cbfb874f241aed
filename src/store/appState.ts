/**
 * What the app keeps across restarts, in one JSON file in the data directory: one section per
 * persisted part (`holes`, `stats`, `optimizer`, each checked by its part when restoring) and the
 * entity ids the options had, so an option change can be noticed and audited. Version 1; `migrate`
 * is where later versions convert older files.
 */
import { isRecord } from '../core/persisted.js';
import type { StoreSchema } from './jsonStore.js';

/** Section key → the part's snapshot; `entityIds` is the keeper's own. */
export type AppState = Record<string, unknown> & { entityIds?: unknown };

export const APP_STATE_FILE = 'modbus_optimizer_state.json';

export const appStateSchema: StoreSchema<AppState> = {
  version: 1,
  empty: () => ({ entityIds: [] }),
  migrate(_data, fromVersion) {
    throw new Error(`no migration from state version ${fromVersion}`);
  },
  check(data): asserts data is AppState {
    if (!isRecord(data)) throw new Error('state is not an object');
  },
};
