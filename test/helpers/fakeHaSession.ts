/**
 * One websocket client of the test Home Assistant, following the documented protocol
 * (developers.home-assistant docs/api/websocket.md): `auth_required` on connect, then `auth` →
 * `auth_ok` or `auth_invalid` and a close; in the command phase every message needs an integer id
 * larger than the last one (`id_reuse` otherwise) and gets a `result` envelope, events come as
 * `{id, type: "event", event}` under the id of the subscription, `ping` gets `pong`.
 */
import type { WebSocket } from 'ws';
import { compress, type FakeState, type HaContext } from './fakeHaStates.js';

type Msg = Record<string, unknown>;

export interface HaBusEvent {
  event_type: string;
  data: Record<string, unknown>;
  origin: 'LOCAL';
  time_fired: string;
  context: HaContext;
}

/** What a session needs from the server it belongs to. */
export interface SessionHost {
  token(): string;
  haVersion: string;
  /** False: pings go unanswered (a connection that died without a close). */
  answersPings(): boolean;
  states(): FakeState[];
  /** Fires an event on the bus (from a client's fire_event); returns its context. */
  fire(eventType: string, data: Record<string, unknown>): HaContext;
  /** Every message a client sent after auth (for assertions). */
  received: Msg[];
}

type Subscription = { kind: 'events'; eventType: string | undefined } | { kind: 'entities'; ids: Set<string> | undefined };

export class FakeHaSession {
  authenticated = false;
  private lastId = 0;
  private readonly subscriptions = new Map<number, Subscription>();

  constructor(private readonly socket: WebSocket, private readonly host: SessionHost) {
    this.send({ type: 'auth_required', ha_version: host.haVersion });
    socket.on('message', (data) => this.onMessage(String(data)));
  }

  /** Delivers a bus event to matching `subscribe_events` subscriptions. */
  deliverEvent(event: HaBusEvent): void {
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind === 'events' && (sub.eventType === undefined || sub.eventType === event.event_type)) {
        this.send({ id, type: 'event', event });
      }
    }
  }

  /** Delivers a compressed entity update (`a`, `c` or `r` keyed by entity id) to `subscribe_entities`. */
  deliverEntities(kind: 'a' | 'c' | 'r', entityId: string, payload: unknown): void {
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind !== 'entities' || (sub.ids && !sub.ids.has(entityId))) continue;
      this.send({ id, type: 'event', event: kind === 'r' ? { r: [entityId] } : { [kind]: { [entityId]: payload } } });
    }
  }

  private send(msg: Msg): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(msg));
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = undefined;
    }
    if (!this.authenticated) {
      this.authenticate(msg);
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.error(null, 'invalid_format', 'Message incorrectly formatted.');
      return;
    }
    this.command(msg as Msg);
  }

  private authenticate(msg: unknown): void {
    const m = (msg ?? {}) as Msg;
    if (m.type !== 'auth' || typeof m.access_token !== 'string') {
      this.send({ type: 'auth_invalid', message: 'Auth message incorrectly formatted' });
      this.socket.close();
    } else if (m.access_token !== this.host.token()) {
      this.send({ type: 'auth_invalid', message: 'Invalid access token or password' });
      this.socket.close();
    } else {
      this.authenticated = true;
      this.send({ type: 'auth_ok', ha_version: this.host.haVersion });
    }
  }

  private command(m: Msg): void {
    const id = m.id;
    if (typeof id !== 'number' || !Number.isInteger(id) || typeof m.type !== 'string') {
      this.error(typeof id === 'number' ? id : null, 'invalid_format', 'Message incorrectly formatted.');
      return;
    }
    if (id <= this.lastId) {
      this.error(id, 'id_reuse', 'Identifier values have to increase.');
      return;
    }
    this.lastId = id;
    this.host.received.push(m);
    this.dispatch(id, m.type, m);
  }

  private dispatch(id: number, type: string, m: Msg): void {
    switch (type) {
      case 'ping': return this.host.answersPings() ? this.send({ id, type: 'pong' }) : undefined;
      case 'supported_features': return this.result(id, null);
      case 'get_states': return this.result(id, this.host.states());
      case 'get_config': return this.result(id, { version: this.host.haVersion, state: 'RUNNING', components: ['api', 'websocket_api'] });
      case 'subscribe_events': return this.subscribeEvents(id, m);
      case 'subscribe_entities': return this.subscribeEntities(id, m);
      case 'unsubscribe_events': return this.unsubscribe(id, m);
      case 'fire_event': return this.fireEvent(id, m);
      default: return this.error(id, 'unknown_command', 'Unknown command.');
    }
  }

  private subscribeEvents(id: number, m: Msg): void {
    if (m.event_type !== undefined && typeof m.event_type !== 'string') return this.error(id, 'invalid_format', 'event_type must be a string');
    this.subscriptions.set(id, { kind: 'events', eventType: m.event_type });
    this.result(id, null);
  }

  private subscribeEntities(id: number, m: Msg): void {
    const ids = m.entity_ids;
    if (ids !== undefined && !(Array.isArray(ids) && ids.every((x) => typeof x === 'string'))) {
      return this.error(id, 'invalid_format', 'entity_ids must be a list of entity ids');
    }
    const filter = ids === undefined ? undefined : new Set(ids as string[]);
    this.subscriptions.set(id, { kind: 'entities', ids: filter });
    this.result(id, null);
    const initial = this.host.states().filter((s) => !filter || filter.has(s.entity_id));
    this.send({ id, type: 'event', event: { a: Object.fromEntries(initial.map((s) => [s.entity_id, compress(s)])) } });
  }

  private unsubscribe(id: number, m: Msg): void {
    if (typeof m.subscription !== 'number' || !this.subscriptions.delete(m.subscription)) {
      return this.error(id, 'not_found', 'Subscription not found.');
    }
    this.result(id, null);
  }

  private fireEvent(id: number, m: Msg): void {
    if (typeof m.event_type !== 'string') return this.error(id, 'invalid_format', "expected str for dictionary value @ data['event_type']");
    const data = m.event_data ?? {};
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return this.error(id, 'invalid_format', 'event_data must be an object');
    this.result(id, { context: this.host.fire(m.event_type, data as Record<string, unknown>) });
  }

  private result(id: number, result: unknown): void {
    this.send({ id, type: 'result', success: true, result });
  }

  private error(id: number | null, code: string, message: string): void {
    this.send({ id, type: 'result', success: false, error: { code, message } });
  }
}
