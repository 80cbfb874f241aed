/**
 * Decodes the messages of `subscribe_entities`, Home Assistant's compressed state stream: `a` adds
 * whole states (`s` state, `a` attributes, `c` context, `lc` last changed, `lu` last updated, in
 * seconds), `c` carries diffs (`+` sets fields, `-` removes attribute keys) and `r` removes
 * entities. The first message after (re)subscribing is an `a` with every subscribed entity.
 * Pure: a map of snapshots in, the list of what changed out.
 */

export interface EntitySnapshot {
  state: string;
  attributes: Record<string, unknown>;
  /** last_changed in ms since the epoch. */
  lastChanged: number;
}

export interface SnapshotChange {
  entityId: string;
  before: EntitySnapshot | undefined;
  /** undefined when the entity was removed. */
  after: EntitySnapshot | undefined;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const seconds = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) : undefined);

function added(raw: Obj, now: number): EntitySnapshot | undefined {
  if (typeof raw.s !== 'string') return undefined;
  return { state: raw.s, attributes: isObj(raw.a) ? { ...raw.a } : {}, lastChanged: seconds(raw.lc) ?? now };
}

function diffed(before: EntitySnapshot, raw: Obj): EntitySnapshot {
  const plus = isObj(raw['+']) ? raw['+'] : {};
  const minus = isObj(raw['-']) ? raw['-'] : {};
  const attributes = { ...before.attributes, ...(isObj(plus.a) ? plus.a : {}) };
  if (Array.isArray(minus.a)) for (const key of minus.a) if (typeof key === 'string') delete attributes[key];
  return {
    state: typeof plus.s === 'string' ? plus.s : before.state,
    attributes,
    lastChanged: seconds(plus.lc) ?? before.lastChanged,
  };
}

/** Applies one `subscribe_entities` event to `states` in place; `now` stands in for a missing `lc`. */
export function applyCompressed(states: Map<string, EntitySnapshot>, message: unknown, now: number): SnapshotChange[] {
  if (!isObj(message)) return [];
  const changes: SnapshotChange[] = [];
  const put = (entityId: string, after: EntitySnapshot | undefined) => {
    const before = states.get(entityId);
    if (after) states.set(entityId, after);
    else states.delete(entityId);
    changes.push({ entityId, before, after });
  };
  if (isObj(message.a)) {
    for (const [id, raw] of Object.entries(message.a)) {
      const snap = isObj(raw) ? added(raw, now) : undefined;
      if (snap) put(id, snap);
    }
  }
  if (isObj(message.c)) {
    for (const [id, raw] of Object.entries(message.c)) {
      const before = states.get(id);
      if (before && isObj(raw)) put(id, diffed(before, raw));
    }
  }
  if (Array.isArray(message.r)) {
    for (const id of message.r) if (typeof id === 'string' && states.has(id)) put(id, undefined);
  }
  return changes;
}
