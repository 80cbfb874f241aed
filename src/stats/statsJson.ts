/**
 * Everything stats has learned as one plain JSON object (the optimizer persists it in the store),
 * and back. Numbers are stored as they are, so a restored instance continues bit for bit where the
 * saved one stopped. A state saved under another bucket layout (changed hour buckets or context
 * entities) keeps rates, tracking and co-changes and drops only the regime buckets.
 */
import type { EntityRecord } from './analysis.js';
import { CoChange, type CoChangeJSON, type CoChangeOptions, type EntityLookup } from './coChange.js';
import { ContextStates, type ContextsJSON } from './contexts.js';
import { Decay, type DecayJSON } from './decay.js';
import { Evidence, type EvidenceJSON } from './evidence.js';
import { PredictionTracker, type PredictionJSON } from './predictions.js';
import { ChangeTracker, type TrackerJSON } from './tracking.js';
import type { StatsOptions } from './types.js';

export const STATS_JSON_VERSION = 1;

export interface StatsJSON {
  version: number;
  hourBuckets: number;
  decay: DecayJSON;
  contexts: ContextsJSON;
  entities: Array<{ id: string; tracker: TrackerJSON; evidence: EvidenceJSON }>;
  coChange: CoChangeJSON;
  predictions: PredictionJSON;
}

export interface LiveState {
  decay: Decay;
  contexts: ContextStates;
  coChange: CoChange;
  predictions: PredictionTracker;
}

type SerialisedFrom = LiveState & { options: StatsOptions; records: readonly EntityRecord[] };

export function serialiseState(s: SerialisedFrom): StatsJSON {
  return { ...serialiseShared(s), entities: s.records.map(entityRow) };
}

/**
 * What serialiseState gives, for the store: each entity row is made only when the writer reaches it
 * (a `toJSON` per row). The store writes in pieces and lets the event loop run between them, so at
 * 10,000 entities the rows are not all copied in one go (a quarter of a second). JSON.stringify of
 * it is the same text; in memory it is not a StatsJSON.
 */
export function serialiseStateLazily(s: SerialisedFrom): unknown {
  return { ...serialiseShared(s), entities: s.records.map((r) => ({ toJSON: () => entityRow(r) })) };
}

function serialiseShared(s: SerialisedFrom): Omit<StatsJSON, 'entities'> {
  return {
    version: STATS_JSON_VERSION,
    hourBuckets: s.options.hourBuckets,
    decay: s.decay.toJSON(),
    contexts: s.contexts.toJSON(),
    coChange: s.coChange.toJSON(),
    predictions: s.predictions.toJSON(),
  };
}

function entityRow(r: EntityRecord): StatsJSON['entities'][number] {
  return { id: r.id, tracker: r.tracker.toJSON(), evidence: r.evidence.toJSON() };
}

export interface RestoreEnv {
  options: StatsOptions;
  contextIds: readonly string[];
  lookup: EntityLookup;
  coOptions: CoChangeOptions;
}

export function restoreState(json: StatsJSON, env: RestoreEnv): LiveState & { entities: Array<{ id: string; tracker: ChangeTracker; evidence: Evidence }> } {
  if (json.version !== STATS_JSON_VERSION) throw new Error(`stats state version ${json.version} is not ${STATS_JSON_VERSION}`);
  const o = env.options;
  const contexts = new ContextStates(env.contextIds, o.maxContextStates, o.hourBuckets);
  const sameLayout = contexts.restore(json.contexts) && json.hourBuckets === o.hourBuckets;
  const bucketCount = o.hourBuckets + contexts.bucketCount;
  const entities = json.entities.map((e) => ({
    id: e.id,
    tracker: ChangeTracker.fromJSON(e.tracker, o.ringSize, o.maxStates),
    evidence: Evidence.fromJSON(sameLayout ? e.evidence : { ...e.evidence, buckets: [] }, o.intervalSlots, bucketCount),
  }));
  return {
    decay: new Decay(o.halfLifeMs, json.decay.refMs),
    contexts,
    coChange: CoChange.fromJSON(json.coChange, env.coOptions, env.lookup),
    predictions: PredictionTracker.fromJSON(json.predictions, o.accuracyWindows),
    entities,
  };
}
