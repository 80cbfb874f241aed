/**
 * Opens one websocket to Home Assistant and walks it through the authentication phase
 * (`auth_required` → `auth` → `auth_ok` | `auth_invalid`), handing back the open socket for
 * home-assistant-js-websocket's Connection to use. Node 20 has no global WebSocket, so the `ws`
 * package supplies it; doing the auth phase here (instead of the library's createSocket) also puts
 * the connect timeout on the injected clock and gives typed errors: a refused token is an
 * HaAuthError, anything else an HaConnectError.
 */
import WebSocket from 'ws';
import type { Clock } from '../core/clock.js';
import { HaAuthError, HaConnectError } from './haErrors.js';

/** A `ws` socket after `auth_ok`, carrying the version the library reads from it. */
export type AuthenticatedSocket = WebSocket & { haVersion: string };

export interface SocketDeps {
  /** ws:// or wss:// URL of /api/websocket. */
  wsUrl: string;
  token: string;
  clock: Clock;
  /** Give up on a socket that has not reached `auth_ok` within this time. */
  connectTimeoutMs: number;
  /** Called with every socket created, so its owner can close it at stop. */
  track?: (socket: WebSocket) => void;
}

/** http://host/path → ws://host/path/api/websocket (https → wss). */
export function websocketUrlOf(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/api/websocket`;
}

interface AuthMessage {
  type?: unknown;
  ha_version?: unknown;
  message?: unknown;
}

export function openAuthenticatedSocket(deps: SocketDeps): Promise<AuthenticatedSocket> {
  const { wsUrl, clock } = deps;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    // `ws` throws an 'error' event nobody listens to; the browser API the library expects does not.
    socket.on('error', () => undefined);
    deps.track?.(socket);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clock.clearTimer(timer);
      socket.removeEventListener('message', onMessage);
      socket.removeEventListener('close', onClose);
      socket.removeEventListener('error', onError);
      return true;
    };
    const fail = (err: Error) => {
      if (!settle()) return;
      socket.terminate();
      reject(err);
    };
    const onMessage = (event: WebSocket.MessageEvent) => {
      let msg: AuthMessage;
      try {
        msg = JSON.parse(String(event.data)) as AuthMessage;
      } catch {
        fail(new HaConnectError(wsUrl, 'a message in the auth phase was not JSON'));
        return;
      }
      if (msg.type === 'auth_required') {
        socket.send(JSON.stringify({ type: 'auth', access_token: deps.token }));
      } else if (msg.type === 'auth_ok') {
        if (!settle()) return;
        const authed = socket as AuthenticatedSocket;
        authed.haVersion = typeof msg.ha_version === 'string' ? msg.ha_version : '0.0.0';
        resolve(authed);
      } else if (msg.type === 'auth_invalid') {
        fail(new HaAuthError(wsUrl, typeof msg.message === 'string' ? msg.message : 'auth_invalid'));
      }
    };
    const onClose = (event: WebSocket.CloseEvent) => {
      fail(new HaConnectError(wsUrl, `closed during authentication (code ${event.code})`));
    };
    const onError = (event: WebSocket.ErrorEvent) => {
      fail(new HaConnectError(wsUrl, event.message, { cause: event.error }));
    };
    const timer = clock.setTimer(() => {
      fail(new HaConnectError(wsUrl, `no auth_ok within ${deps.connectTimeoutMs} ms`));
    }, deps.connectTimeoutMs);
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', onClose);
    socket.addEventListener('error', onError);
  });
}
