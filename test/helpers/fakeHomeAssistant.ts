/**
 * A test Home Assistant on loopback: a real HTTP server with the REST state API and a real
 * websocket API, speaking the documented protocols (see fakeHaSession.ts for the websocket side).
 * REST: every /api call needs `Authorization: Bearer <token>` (401 otherwise); POST
 * /api/states/<entity_id> answers 201 with a Location header when the entity is new, 200 when it
 * existed, 400 for an invalid entity id, invalid JSON, no state, or a state over 255 characters.
 * It also answers the supervisor's GET /services/mqtt (for app mode's broker discovery).
 * Tests drive it: set states as an integration would, fire events as a user would, make REST fail
 * (all of it, or only state writes), freeze the websockets (open, but silent), change the accepted
 * token, and stop and restart it on the same port (a restart forgets states that were only POSTed, as
 * Home Assistant does).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeHaSession, type HaBusEvent, type SessionHost } from './fakeHaSession.js';
import { compress, compressedDiff, FakeStateStore, newContext, VALID_ENTITY_ID, type FakeState, type HaContext, type StateUpdate } from './fakeHaStates.js';

export interface FakeHaOptions {
  token: string;
  haVersion?: string;
  /** Port to listen on; default a free one (kept across restarts). */
  port?: number;
  /** The user id that owns the token (context of fire_event and REST posts). */
  userId?: string;
}

export interface RestPost {
  entityId: string;
  status: number;
  body: unknown;
  /** When it arrived (epoch ms). */
  at: number;
}

export class FakeHomeAssistant {
  readonly store = new FakeStateStore();
  /** Every POST /api/states/<id>, with the status answered (0: not answered). */
  readonly posts: RestPost[] = [];
  /** Events fired on the bus (by clients through fire_event, or by the test). */
  readonly events: HaBusEvent[] = [];
  /** Websocket commands clients sent after auth. */
  readonly received: Array<Record<string, unknown>> = [];
  /** When each websocket connection was accepted (epoch ms), in order. */
  readonly connectedAt: number[] = [];
  /** When set, every REST call answers this status (or never answers: 'hang'). */
  restFailure: number | 'hang' | undefined;
  /**
   * When set, POST /api/states/<id> answers this status (after the token check) while the rest of the
   * API works: a Home Assistant whose state writes fail (aiohttp's plain-text 500 page for 500).
   */
  stateFailure: number | undefined;
  /** False: the websocket stops answering pings (a half-dead connection). */
  answerPings = true;
  /**
   * The supervisor's MQTT service (GET /services/mqtt, same token): what the Mosquitto app announces;
   * undefined answers 400 as the supervisor does when no app provides the service.
   */
  mqttService: { host: string; port: number; ssl: boolean; username: string; password: string; protocol: string } | undefined;
  private acceptedToken: string;
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sessions = new Set<FakeHaSession>();
  private readonly sockets = new Set<WebSocket>();
  /** The TCP socket under each websocket (freeze() keeps it open after forgetting the websocket). */
  private readonly rawSockets = new Map<WebSocket, Duplex>();
  /** Connections frozen by freeze(): kept open, never served again, destroyed by stop(). */
  private readonly frozen = new Set<Duplex>();
  private boundPort: number;
  private readonly host: SessionHost;

  constructor(private readonly options: FakeHaOptions) {
    this.acceptedToken = options.token;
    this.boundPort = options.port ?? 0;
    this.host = {
      token: () => this.acceptedToken,
      haVersion: options.haVersion ?? '2026.1.0',
      answersPings: () => this.answerPings,
      states: () => this.store.list(),
      fire: (type, data) => this.fireEvent(type, data, this.options.userId ?? 'system-user'),
      received: this.received,
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Authenticated websocket clients now connected. */
  clients(): number {
    return [...this.sessions].filter((s) => s.authenticated).length;
  }

  setToken(token: string): void {
    this.acceptedToken = token;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.onRequest(req, res));
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/api/websocket') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
    this.wss = wss;
  }

  /** Stops like a crashing Home Assistant: every connection is cut. States set over REST are forgotten. */
  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    for (const raw of this.frozen) raw.destroy();
    this.sockets.clear();
    this.frozen.clear();
    this.sessions.clear();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.store.dropRestStates();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  state(entityId: string): FakeState | undefined {
    return this.store.get(entityId);
  }

  /** Sets a state as an integration inside HA would (it survives restarts). */
  setState(entityId: string, state: string, attributes: Record<string, unknown> = {}): FakeState {
    const update = this.store.set(entityId, state, attributes, new Date().getTime(), newContext(), false);
    this.announce(entityId, update);
    return update.after as FakeState;
  }

  removeState(entityId: string): void {
    this.announce(entityId, this.store.remove(entityId));
  }

  /** Fires an event on the bus as if a user (or an automation, userId null) did. */
  fireEvent(eventType: string, data: Record<string, unknown>, userId: string | null = null): HaContext {
    const context = newContext(userId);
    const event: HaBusEvent = { event_type: eventType, data, origin: 'LOCAL', time_fired: new Date().toISOString(), context };
    this.events.push(event);
    for (const s of this.sessions) if (s.authenticated) s.deliverEvent(event);
    return context;
  }

  /**
   * Every websocket open now goes silent without a close, as when a NAT entry or a Wi-Fi link dies:
   * the TCP connection stays open, nothing more is read from it (pings included) and nothing more is
   * sent on it. New connections are served normally. Returns how many were frozen.
   */
  freeze(): number {
    const n = this.sessions.size;
    for (const ws of this.sockets) ws.pause();
    for (const raw of this.rawSockets.values()) this.frozen.add(raw);
    this.sessions.clear();
    this.rawSockets.clear();
    this.sockets.clear();
    return n;
  }

  private onSocket(ws: WebSocket, raw: Duplex): void {
    this.connectedAt.push(new Date().getTime());
    this.sockets.add(ws);
    this.rawSockets.set(ws, raw);
    const session = new FakeHaSession(ws, this.host);
    this.sessions.add(session);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.rawSockets.delete(ws);
      this.sessions.delete(session);
    });
  }

  /** state_changed on the bus and compressed updates to subscribe_entities, as HA sends them. */
  private announce(entityId: string, { before, after }: StateUpdate): void {
    if (before === after) return;
    this.fireEvent('state_changed', { entity_id: entityId, old_state: before ?? null, new_state: after ?? null });
    for (const s of this.sessions) {
      if (!s.authenticated) continue;
      if (!after) s.deliverEntities('r', entityId, undefined);
      else if (!before) s.deliverEntities('a', entityId, compress(after));
      else s.deliverEntities('c', entityId, compressedDiff(before, after));
    }
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = /^\/api\/states\/(.+)$/.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
      const post = req.method === 'POST' && target !== undefined
        ? { entityId: decodeURIComponent(target), status: 0, body: tryJson(body), at: new Date().getTime() } : undefined;
      if (post) this.posts.push(post);
      const status = this.route(req, body, res);
      if (post && status !== undefined) post.status = status;
    });
  }

  private route(req: http.IncomingMessage, body: string, res: http.ServerResponse): number | undefined {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = /^\/api\/states\/(.+)$/.exec(path);
    if (this.restFailure === 'hang') return undefined;
    if (this.restFailure !== undefined) return send(res, this.restFailure, { message: 'Bad gateway' });
    if (req.headers.authorization !== `Bearer ${this.acceptedToken}`) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('401: Unauthorized');
      return 401;
    }
    if (req.method === 'GET' && path === '/services/mqtt') {
      return this.mqttService ? send(res, 200, { result: 'ok', data: { addon: 'core_mosquitto', ...this.mqttService } })
        : send(res, 400, { result: 'error', message: 'Service not enabled' });
    }
    if (req.method === 'GET' && path === '/api/') return send(res, 200, { message: 'API running.' });
    if (req.method === 'GET' && path === '/api/states') return send(res, 200, this.store.list());
    if (!match) return send(res, 404, { message: 'Not found' });
    const entityId = decodeURIComponent(match[1] ?? '');
    if (req.method === 'GET') {
      const s = this.store.get(entityId);
      return s ? send(res, 200, s) : send(res, 404, { message: 'Entity not found.' });
    }
    if (req.method !== 'POST') return send(res, 405, { message: 'Method not allowed' });
    if (this.stateFailure !== undefined) {
      res.writeHead(this.stateFailure, { 'content-type': 'text/plain; charset=utf-8' }).end(
        this.stateFailure === 500 ? '500 Internal Server Error\n\nServer got itself in trouble' : `${this.stateFailure}`);
      return this.stateFailure;
    }
    return this.postState(entityId, body, res);
  }

  private postState(entityId: string, body: string, res: http.ServerResponse): number {
    if (!VALID_ENTITY_ID.test(entityId)) return send(res, 400, { message: 'Invalid entity ID specified.' });
    const data = tryJson(body);
    if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) {
      return send(res, 400, { message: 'Invalid JSON specified.' });
    }
    const { state, attributes } = data as { state?: unknown; attributes?: unknown };
    if (state === undefined || state === null) return send(res, 400, { message: 'No state specified.' });
    const text = String(state);
    if (text.length > 255) return send(res, 400, { message: `Invalid state with length ${text.length}. State max length is 255 characters.` });
    const attrs = attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes) ? attributes as Record<string, unknown> : {};
    const existed = this.store.get(entityId) !== undefined;
    const update = this.store.set(entityId, text, attrs, new Date().getTime(), newContext(this.options.userId ?? null), true);
    this.announce(entityId, update);
    if (!existed) res.setHeader('location', `/api/states/${entityId}`);
    return send(res, existed ? 200 : 201, update.after);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Polls `check` (real time) until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = new Date().getTime() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (new Date().getTime() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
