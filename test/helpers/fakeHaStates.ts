/**
 * The state machine of the test Home Assistant: full state objects as the REST API and get_states
 * return them, and the compressed forms `subscribe_entities` sends (`a` whole states, `c` diffs with
 * `+`/`-`, `r` removals; times in seconds, context as its id when it has no user or parent). States
 * set over REST are remembered as such, because Home Assistant forgets them when it restarts.
 */

export interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

export interface FakeState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  context: HaContext;
}

/** Home Assistant's valid_entity_id: lower-case domain and object id, no leading/trailing/double _. */
export const VALID_ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;

type Compressed = Record<string, unknown>;

let contextCounter = 0;
export function newContext(userId: string | null = null): HaContext {
  contextCounter++;
  return { id: `ctx${String(contextCounter).padStart(8, '0')}`, parent_id: null, user_id: userId };
}

const seconds = (iso: string): number => new Date(iso).getTime() / 1000;
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function compress(s: FakeState): Compressed {
  const out: Compressed = {
    s: s.state, a: s.attributes, c: s.context.user_id || s.context.parent_id ? s.context : s.context.id, lc: seconds(s.last_changed),
  };
  if (s.last_updated !== s.last_changed) out.lu = seconds(s.last_updated);
  return out;
}

export function compressedDiff(before: FakeState, after: FakeState): Compressed {
  const plus: Compressed = {};
  if (before.state !== after.state) plus.s = after.state;
  const changedAttrs = Object.fromEntries(Object.entries(after.attributes).filter(([k, v]) => !sameJson(before.attributes[k], v)));
  if (Object.keys(changedAttrs).length > 0) plus.a = changedAttrs;
  plus.c = after.context.user_id || after.context.parent_id ? after.context : after.context.id;
  if (before.last_changed !== after.last_changed) plus.lc = seconds(after.last_changed);
  else plus.lu = seconds(after.last_updated);
  const removed = Object.keys(before.attributes).filter((k) => !(k in after.attributes));
  return removed.length > 0 ? { '+': plus, '-': { a: removed } } : { '+': plus };
}

export interface StateUpdate {
  before: FakeState | undefined;
  after: FakeState | undefined;
}

export class FakeStateStore {
  private readonly states = new Map<string, FakeState>();
  private readonly fromRest = new Set<string>();

  get(entityId: string): FakeState | undefined {
    return this.states.get(entityId);
  }

  list(): FakeState[] {
    return [...this.states.values()];
  }

  /** Sets a state as HA does: no update when nothing changed; last_changed moves only with the state. */
  set(entityId: string, state: string, attributes: Record<string, unknown>, at: number, context: HaContext, viaRest: boolean): StateUpdate {
    const before = this.states.get(entityId);
    if (viaRest) this.fromRest.add(entityId);
    else this.fromRest.delete(entityId);
    if (before && before.state === state && sameJson(before.attributes, attributes)) return { before, after: before };
    const now = new Date(at).toISOString();
    const after: FakeState = {
      entity_id: entityId, state, attributes: { ...attributes },
      last_changed: before && before.state === state ? before.last_changed : now, last_updated: now, context,
    };
    this.states.set(entityId, after);
    return { before, after };
  }

  remove(entityId: string): StateUpdate {
    const before = this.states.get(entityId);
    this.states.delete(entityId);
    this.fromRest.delete(entityId);
    return { before, after: undefined };
  }

  /** What a restart does: states that only existed because someone POSTed them are gone. */
  dropRestStates(): void {
    for (const id of this.fromRest) this.states.delete(id);
    this.fromRest.clear();
  }
}
