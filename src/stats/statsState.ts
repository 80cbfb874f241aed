/**
 * The learned entity statistics as a persisted part. Before restoring it checks the saved section's
 * shape (version, entity rows with an id, a tracker and evidence), drops rows it cannot use (one
 * warning each) and the rows of entities the options no longer have (one info line), renumbering
 * the rest (retain.ts), so a hand-edited or older file never crashes the start and never leaves a
 * removed entity in a co-change pair. A row whose poll times are malformed keeps everything else (one
 * warning): co-change scoring picks up again once its partners have new polls, as after an older file.
 */
import { isRecord, shown, type PersistedPart } from '../core/persisted.js';
import { decodePollTimes } from './pollTimesCodec.js';
import { retainEntities } from './retain.js';
import { STATS_JSON_VERSION, type StatsJSON } from './statsJson.js';

export interface StatsKeeper {
  toJSON(): StatsJSON;
  /** The same JSON made row by row as the store writes it (absent: toJSON). */
  toLazyJSON?(): unknown;
  restore(json: StatsJSON): void;
}

const PARTS = ['decay', 'contexts', 'coChange', 'predictions'] as const;

export function persistedStats(stats: StatsKeeper, entityIds: readonly string[], info: (line: string) => void): PersistedPart {
  return {
    key: 'stats',
    snapshot: () => stats.toLazyJSON?.() ?? stats.toJSON(),
    restore(saved, warn) {
      if (saved === undefined) return;
      if (!isRecord(saved)) throw new Error(`stats is ${shown(saved)}, not an object`);
      if (saved.version !== STATS_JSON_VERSION) throw new Error(`stats version ${shown(saved.version)} is not ${STATS_JSON_VERSION}`);
      for (const part of PARTS) if (!isRecord(saved[part])) throw new Error(`stats.${part} is not an object`);
      if (!Array.isArray(saved.entities)) throw new Error('stats.entities is not a list');
      const configured = new Set(entityIds);
      const seen = new Set<string>();
      const keep = new Set<number>();
      let removed = 0;
      (saved.entities as unknown[]).forEach((row, i) => {
        const id = isRecord(row) ? row.id : undefined;
        if (!isRecord(row) || typeof id !== 'string' || !isRecord(row.tracker) || !isRecord(row.evidence)) {
          warn(`stats.entities[${i}] dropped: not {id, tracker, evidence}`);
        } else if (seen.has(id)) {
          warn(`stats.entities[${i}] dropped: ${id} appears twice`);
        } else if (configured.has(id)) keep.add(i);
        else removed++;
        if (typeof id === 'string') seen.add(id);
      });
      if (removed > 0) info(`Dropped the learned statistics of ${removed} entities no longer configured`);
      const entities = (saved.entities as unknown[]).map((row, i) => (keep.has(i) ? withUsablePolls(row as Row, i, warn) : row));
      stats.restore(retainEntities({ ...saved, entities } as unknown as StatsJSON, (_row, i) => keep.has(i)));
    },
  };
}

type Row = Record<string, unknown> & { tracker: Record<string, unknown> };

/** The row, or a copy without its poll times when they cannot be used (one warning). */
function withUsablePolls(row: Row, i: number, warn: (problem: string) => void): Row {
  const polls = decodePollTimes(row.tracker);
  if (!('problem' in polls)) return row;
  warn(`stats.entities[${i}].tracker.${polls.problem}: its poll times are dropped`);
  const tracker = { ...row.tracker };
  delete tracker.pollTimes;
  delete tracker.pollTimesPacked;
  return { ...row, tracker };
}
