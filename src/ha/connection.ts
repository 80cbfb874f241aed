/**
 * The websocket link to Home Assistant, on home-assistant-js-websocket's Connection. The first
 * connect is retried forever with capped exponential back-off on the injected clock (HA may be
 * starting, or the supervisor answering 502); once up, the library reconnects by itself and
 * re-subscribes every subscription, and this class tells its owner about each `ready` (so states
 * are posted again) and each loss. A refused token is fatal: reported once, never retried. A ping
 * heartbeat catches a connection that died without a close.
 */
import WebSocket from 'ws';
import {
  Connection, ERR_CANNOT_CONNECT, ERR_INVALID_AUTH, type ConnectionOptions, type HassEntity, type HaWebSocket,
  type MessageBase,
} from 'home-assistant-js-websocket';
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { backoffDelay } from '../core/backoff.js';
import { HaAuthError, HaCommandError, toCommandError } from './haErrors.js';
import { openAuthenticatedSocket, websocketUrlOf } from './socket.js';

export interface HaConnectionDeps {
  /** Base URL: http://supervisor/core in app mode, HA_URL standalone. */
  url: string;
  token: string;
  clock: Clock;
  random: Random;
  logger: Logger;
  connectTimeoutMs?: number;
  /** First-connect back-off: min(max, base · 2^n) with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Ping every heartbeatMs; no pong within pingTimeoutMs forces a reconnect. 0 = no heartbeat. */
  heartbeatMs?: number;
  pingTimeoutMs?: number;
}

export interface HaConnectionHandlers {
  /** After the first connect and after every reconnect (subscriptions are already back). */
  onReady(haVersion: string): void;
  onDisconnected(): void;
  /** The token was refused; the connection has given up. */
  onFatal(error: HaAuthError): void;
}

interface Wanted {
  message: MessageBase;
  callback: (payload: unknown) => void;
}

export class HaConnection {
  private conn: Connection | undefined;
  private stopped = true;
  private retryTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private lastSocketError: Error | undefined;
  private readonly sockets = new Set<WebSocket>();
  private readonly wanted: Wanted[] = [];

  constructor(private readonly deps: HaConnectionDeps, private readonly handlers: HaConnectionHandlers) {}

  get connected(): boolean {
    return this.conn?.connected ?? false;
  }

  start(): void {
    this.stopped = false;
    void this.connectFirst(0);
  }

  stop(): void {
    this.stopped = true;
    this.deps.clock.clearTimer(this.retryTimer);
    this.deps.clock.clearTimer(this.heartbeatTimer);
    this.deps.clock.clearTimer(this.pingTimer);
    this.conn?.close();
    this.conn = undefined;
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
  }

  /** A subscription kept for the life of the connection (re-established after every reconnect). */
  subscribe(message: MessageBase, callback: (payload: unknown) => void): void {
    const w = { message, callback };
    this.wanted.push(w);
    if (this.conn) this.startSubscription(this.conn, w);
  }

  getStates(): Promise<HassEntity[]> {
    return this.send<HassEntity[]>({ type: 'get_states' });
  }

  async fireEvent(eventType: string, eventData: Record<string, unknown>): Promise<void> {
    await this.send({ type: 'fire_event', event_type: eventType, event_data: eventData });
  }

  async send<T>(message: MessageBase): Promise<T> {
    const conn = this.conn;
    if (!conn?.connected) throw new HaCommandError(message.type, 'not_connected', 'not connected to Home Assistant');
    try {
      return await conn.sendMessagePromise<T>(message);
    } catch (err) {
      throw toCommandError(message.type, err);
    }
  }

  private async connectFirst(attempt: number): Promise<void> {
    if (this.stopped) return;
    let socket: HaWebSocket;
    try {
      socket = await this.openSocket() as unknown as HaWebSocket;
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof HaAuthError) {
        this.fatal(err);
        return;
      }
      const delay = backoffDelay(attempt, this.deps.retryBaseMs ?? 1000, this.deps.retryMaxMs ?? 30_000, this.deps.random);
      const line = `${describeError(err)}; retrying in ${(delay / 1000).toFixed(1)} s (and for as long as it takes)`;
      if (attempt === 0) this.deps.logger.warn(line);
      else this.deps.logger.debug(line);
      this.retryTimer = this.deps.clock.setTimer(() => void this.connectFirst(attempt + 1), delay);
      return;
    }
    if (this.stopped) {
      socket.close();
      return;
    }
    this.adopt(new Connection(socket, this.libraryOptions()));
  }

  private adopt(conn: Connection): void {
    this.conn = conn;
    conn.addEventListener('ready', () => this.ready(conn));
    conn.addEventListener('disconnected', () => {
      this.deps.logger.warn('Home Assistant connection lost; reconnecting');
      this.handlers.onDisconnected();
    });
    conn.addEventListener('reconnect-error', () => {
      this.fatal(this.lastSocketError instanceof HaAuthError ? this.lastSocketError
        : new HaAuthError(this.deps.url, 'auth_invalid on reconnect'));
    });
    for (const w of this.wanted) this.startSubscription(conn, w);
    this.armHeartbeat();
    this.ready(conn); // the library fired the first `ready` inside its constructor, before we listened
  }

  private ready(conn: Connection): void {
    if (this.stopped || conn !== this.conn) return;
    this.deps.logger.info(`Connected to Home Assistant ${conn.haVersion} at ${this.deps.url}`);
    this.handlers.onReady(conn.haVersion);
  }

  private fatal(err: HaAuthError): void {
    if (this.stopped) return;
    const hint = this.deps.url.startsWith('http://supervisor')
      ? 'The supervisor refused SUPERVISOR_TOKEN: the app needs homeassistant_api: true'
      : 'Check HA_TOKEN (a long-lived access token from your Home Assistant profile)';
    this.deps.logger.fatal(`${err.message}. ${hint}; not retrying.`);
    this.stop();
    this.handlers.onFatal(err);
  }

  private startSubscription(conn: Connection, w: Wanted): void {
    conn.subscribeMessage(w.callback, w.message).catch((err: unknown) => {
      this.deps.logger.error(`Subscribing with ${w.message.type} failed: ${describeError(toCommandError(w.message.type, err))}`);
    });
  }

  /** The library's options: our socket factory, translated to its error contract for its reconnects. */
  private libraryOptions(): ConnectionOptions {
    return {
      setupRetry: 0,
      createSocket: async () => {
        try {
          return await this.openSocket() as unknown as HaWebSocket;
        } catch (err) {
          this.lastSocketError = err instanceof Error ? err : new Error(String(err));
          this.deps.logger.debug(`Reconnect attempt failed: ${describeError(err)}`);
          // The library recognises these two codes by identity (its own contract), so they are passed as is.
          return Promise.reject(err instanceof HaAuthError ? ERR_INVALID_AUTH : ERR_CANNOT_CONNECT);
        }
      },
    };
  }

  private openSocket(): Promise<WebSocket> {
    return openAuthenticatedSocket({
      wsUrl: websocketUrlOf(this.deps.url), token: this.deps.token, clock: this.deps.clock,
      connectTimeoutMs: this.deps.connectTimeoutMs ?? 10_000,
      track: (s) => {
        if (this.stopped) s.terminate();
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      },
    });
  }

  private armHeartbeat(): void {
    const every = this.deps.heartbeatMs ?? 30_000;
    if (every <= 0) return;
    this.heartbeatTimer = this.deps.clock.setTimer(() => {
      this.beat();
      this.armHeartbeat();
    }, every);
  }

  private beat(): void {
    const conn = this.conn;
    if (!conn?.connected) return;
    const timeoutMs = this.deps.pingTimeoutMs ?? 10_000;
    const timer = this.deps.clock.setTimer(() => {
      if (conn !== this.conn || this.stopped) return;
      this.deps.logger.warn(`No pong from Home Assistant within ${timeoutMs} ms; reconnecting`);
      conn.reconnect(true);
    }, timeoutMs);
    this.pingTimer = timer;
    // A rejection means the connection dropped: its own reconnect takes over.
    const answered = () => this.deps.clock.clearTimer(timer);
    conn.ping().then(answered, answered);
  }
}
